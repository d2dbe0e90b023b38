package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;
import java.util.Arrays;

/**
 * A SpacetimeDB identity: a u256 derived from a token's issuer and subject. Printed as 64 big-endian hex digits
 * (always starting with {@code c200} when derived from claims); 32 little-endian bytes on the wire.
 */
public final class Identity extends WideInteger implements Comparable<Identity> {
    public static final int BYTES = 32;

    private Identity(long[] words) {
        super(words);
    }

    /** From 32 big-endian bytes (the order of the hex form). */
    public static Identity fromBigEndian(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an identity has 32 bytes, got " + bytes.length);
        }
        return new Identity(wordsFromBigEndian(bytes.clone()));
    }

    /** From the 32 little-endian wire bytes at {@code offset}. */
    public static Identity fromWire(byte[] buf, int offset) {
        return new Identity(wordsFromWire(buf, offset, BYTES / 8));
    }

    /** From 64 hex digits, big-endian, as SpacetimeDB prints identities; a {@code 0x} prefix is accepted. */
    public static Identity fromHex(String hex) {
        return new Identity(wordsFromBigEndian(Hex.decode(hex, BYTES, "identity")));
    }

    /** From an unsigned integer below 2^256. */
    public static Identity fromBigInteger(BigInteger value) {
        return new Identity(wordsFromBigInteger(value, BYTES, "identity"));
    }

    public byte[] toBigEndianBytes() {
        return toBigEndian();
    }

    @Override
    public int compareTo(Identity o) {
        return Arrays.compareUnsigned(words, o.words);
    }
}
