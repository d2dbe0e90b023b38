package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;
import java.util.Arrays;

/** A SpacetimeDB connection id: a u128, printed as 32 big-endian hex digits, 16 little-endian bytes on the wire. */
public final class ConnectionId {
    public static final int BYTES = 16;
    public static final ConnectionId ZERO = new ConnectionId(new byte[BYTES]);

    private final byte[] bigEndian;

    private ConnectionId(byte[] bigEndian) {
        this.bigEndian = bigEndian;
    }

    public static ConnectionId fromWire(byte[] buf, int offset) {
        return new ConnectionId(LittleEndian.reversed(buf, offset, BYTES));
    }

    public static ConnectionId fromHex(String hex) {
        return new ConnectionId(Hex.decode(hex, BYTES, "connection id"));
    }

    public static ConnectionId fromBigInteger(BigInteger value) {
        return new ConnectionId(LittleEndian.unsignedBigEndian(value, BYTES, "connection id"));
    }

    public String toHex() {
        return Hex.encode(bigEndian);
    }

    public void toWire(byte[] dst, int offset) {
        LittleEndian.reverseInto(bigEndian, dst, offset);
    }

    public BigInteger toBigInteger() {
        return new BigInteger(1, bigEndian);
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionId other && Arrays.equals(bigEndian, other.bigEndian);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bigEndian);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
