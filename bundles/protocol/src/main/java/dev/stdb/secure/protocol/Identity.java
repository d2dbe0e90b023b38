package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.math.BigInteger;

/**
 * A SpacetimeDB identity: a u256 derived from a token's issuer and subject. Printed as 64 big-endian hex digits
 * (always starting with {@code c200} when derived from claims); 32 little-endian bytes on the wire.
 */
public final class Identity extends WideInteger implements Comparable<Identity> {
    public static final int BYTES = 32;

    // Most significant word first.
    private final long w0;
    private final long w1;
    private final long w2;
    private final long w3;

    private Identity(long w0, long w1, long w2, long w3) {
        this.w0 = w0;
        this.w1 = w1;
        this.w2 = w2;
        this.w3 = w3;
    }

    private static Identity of(long[] w) {
        return new Identity(w[0], w[1], w[2], w[3]);
    }

    /** From 32 big-endian bytes (the order of the hex form). */
    public static Identity fromBigEndian(byte[] bytes) {
        if (bytes.length != BYTES) {
            throw new IllegalArgumentException("an identity has 32 bytes, got " + bytes.length);
        }
        return of(wordsOf(bytes));
    }

    /** From the 32 little-endian wire bytes at {@code offset}. */
    public static Identity fromWire(byte[] buf, int offset) {
        checkWire(buf, offset, BYTES);
        return new Identity(wireWord(buf, offset, 4, 0), wireWord(buf, offset, 4, 1),
                wireWord(buf, offset, 4, 2), wireWord(buf, offset, 4, 3));
    }

    /** From 64 hex digits, big-endian, as SpacetimeDB prints identities; a {@code 0x} prefix is accepted. */
    public static Identity fromHex(String hex) {
        return of(wordsOf(Hex.decode(hex, BYTES, "identity")));
    }

    /** From an unsigned integer below 2^256. */
    public static Identity fromBigInteger(BigInteger value) {
        return of(wordsOf(value, BYTES, "identity"));
    }

    /** The 32 bytes in big-endian order (the order of the hex form). */
    public byte[] toBigEndianBytes() {
        return toBigEndian();
    }

    @Override
    int words() {
        return 4;
    }

    @Override
    long word(int i) {
        return switch (i) {
            case 0 -> w0;
            case 1 -> w1;
            case 2 -> w2;
            default -> w3;
        };
    }

    @Override
    public int compareTo(Identity o) {
        return compareWords(o);
    }
}
