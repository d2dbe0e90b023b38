package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;

/** A SpacetimeDB connection id: a u128, printed as 32 big-endian hex digits, 16 little-endian bytes on the wire. */
public final class ConnectionId extends WideInteger {
    public static final int BYTES = 16;
    public static final ConnectionId ZERO = new ConnectionId(new long[2]);

    private ConnectionId(long[] words) {
        super(words);
    }

    public static ConnectionId fromWire(byte[] buf, int offset) {
        return new ConnectionId(wordsFromWire(buf, offset, BYTES / 8));
    }

    /** From 32 hex digits, big-endian; a {@code 0x} prefix is accepted. */
    public static ConnectionId fromHex(String hex) {
        return new ConnectionId(wordsFromBigEndian(Hex.decode(hex, BYTES, "connection id")));
    }

    public static ConnectionId fromBigInteger(BigInteger value) {
        return new ConnectionId(wordsFromBigInteger(value, BYTES, "connection id"));
    }

    public boolean isZero() {
        return equals(ZERO);
    }
}
