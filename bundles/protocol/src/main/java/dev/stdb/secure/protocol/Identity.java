package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A SpacetimeDB identity: a u256 derived from a token's issuer and subject. Printed as 64 big-endian hex digits
 * (always starting with {@code c200} when derived from claims); 32 little-endian bytes on the wire.
 */
public final class Identity implements Comparable<Identity> {
    public static final int BYTES = 32;

    private final byte[] bigEndian;

    private Identity(byte[] bigEndian) {
        this.bigEndian = bigEndian;
    }

    /** From 32 big-endian bytes (the order of the hex form). */
    public static Identity fromBigEndian(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an identity has 32 bytes, got " + bytes.length);
        }
        return new Identity(bytes.clone());
    }

    /** From the 32 little-endian wire bytes at {@code offset}. */
    public static Identity fromWire(byte[] buf, int offset) {
        return new Identity(LittleEndian.reversed(buf, offset, BYTES));
    }

    /** From 64 hex digits, big-endian, as SpacetimeDB prints identities. */
    public static Identity fromHex(String hex) {
        return new Identity(Hex.decode(hex, BYTES, "identity"));
    }

    /** From an unsigned integer below 2^256. */
    public static Identity fromBigInteger(BigInteger value) {
        return new Identity(LittleEndian.unsignedBigEndian(value, BYTES, "identity"));
    }

    public String toHex() {
        return Hex.encode(bigEndian);
    }

    public byte[] toBigEndian() {
        return bigEndian.clone();
    }

    /** Writes the 32 little-endian wire bytes into {@code dst} at {@code offset}. */
    public void toWire(byte[] dst, int offset) {
        LittleEndian.reverseInto(bigEndian, dst, offset);
    }

    public BigInteger toBigInteger() {
        return new BigInteger(1, bigEndian);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity other && Arrays.equals(bigEndian, other.bigEndian);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bigEndian);
    }

    @Override
    public int compareTo(Identity o) {
        return Arrays.compareUnsigned(bigEndian, o.bigEndian);
    }

    @Override
    public String toString() {
        return toHex();
    }
}
