package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.util.Arrays;

/**
 * An unsigned 128- or 256-bit integer kept as 64-bit words, most significant first: reading one from the wire is a
 * few little-endian long loads, with no byte shuffling and no array per value.
 */
abstract class WideInteger {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    final long[] words;

    WideInteger(long[] words) {
        this.words = words;
    }

    /** Words from little-endian wire bytes: the most significant word is the last eight bytes. */
    static long[] wordsFromWire(byte[] buf, int offset, int wordCount) {
        if (offset < 0 || offset > buf.length - wordCount * 8) {
            throw new IllegalArgumentException("need " + wordCount * 8 + " bytes at offset " + offset
                    + ", buffer has " + buf.length);
        }
        long[] w = new long[wordCount];
        for (int i = 0; i < wordCount; i++) {
            w[i] = (long) LONG.get(buf, offset + (wordCount - 1 - i) * 8);
        }
        return w;
    }

    static long[] wordsFromBigEndian(byte[] be) {
        long[] w = new long[be.length / 8];
        for (int i = 0; i < be.length; i++) {
            w[i / 8] = (w[i / 8] << 8) | (be[i] & 0xFF);
        }
        return w;
    }

    static long[] wordsFromBigInteger(BigInteger value, int bytes, String what) {
        if (value.signum() < 0 || value.bitLength() > bytes * 8) {
            throw new IllegalArgumentException(what + " must be an unsigned " + bytes * 8 + "-bit integer: " + value);
        }
        byte[] raw = value.toByteArray();
        byte[] be = new byte[bytes];
        int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, be, bytes - n, n);
        return wordsFromBigEndian(be);
    }

    final byte[] toBigEndian() {
        byte[] be = new byte[words.length * 8];
        for (int i = 0; i < be.length; i++) {
            be[i] = (byte) (words[i / 8] >>> (56 - 8 * (i % 8)));
        }
        return be;
    }

    /** Writes the little-endian wire bytes into {@code dst} at {@code offset}. */
    public final void toWire(byte[] dst, int offset) {
        for (int i = 0; i < words.length; i++) {
            LONG.set(dst, offset + (words.length - 1 - i) * 8, words[i]);
        }
    }

    /** 2 hex digits per byte, big-endian, lower case, no prefix: as SpacetimeDB prints it. */
    public final String toHex() {
        return Hex.encode(toBigEndian());
    }

    public final BigInteger toBigInteger() {
        return new BigInteger(1, toBigEndian());
    }

    @Override
    public final boolean equals(Object o) {
        return o != null && o.getClass() == getClass() && Arrays.equals(words, ((WideInteger) o).words);
    }

    @Override
    public final int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public final String toString() {
        return toHex();
    }
}
