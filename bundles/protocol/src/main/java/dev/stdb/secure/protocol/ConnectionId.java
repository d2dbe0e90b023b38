package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;

/** A SpacetimeDB connection id: a u128, printed as 32 big-endian hex digits, 16 little-endian bytes on the wire. */
public final class ConnectionId extends WideInteger {
    public static final int BYTES = 16;
    public static final ConnectionId ZERO = new ConnectionId(0, 0);

    private final long high;
    private final long low;

    private ConnectionId(long high, long low) {
        this.high = high;
        this.low = low;
    }

    public static ConnectionId fromWire(byte[] buf, int offset) {
        checkWire(buf, offset, BYTES);
        return new ConnectionId(wireWord(buf, offset, 2, 0), wireWord(buf, offset, 2, 1));
    }

    /** From 32 hex digits, big-endian; a {@code 0x} prefix is accepted. */
    public static ConnectionId fromHex(String hex) {
        long[] w = wordsOf(Hex.decode(hex, BYTES, "connection id"));
        return new ConnectionId(w[0], w[1]);
    }

    public static ConnectionId fromBigInteger(BigInteger value) {
        long[] w = wordsOf(value, BYTES, "connection id");
        return new ConnectionId(w[0], w[1]);
    }

    public boolean isZero() {
        return high == 0 && low == 0;
    }

    @Override
    int words() {
        return 2;
    }

    @Override
    long word(int i) {
        return i == 0 ? high : low;
    }
}
