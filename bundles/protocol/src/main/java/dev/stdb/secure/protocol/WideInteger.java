package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;

/**
 * An unsigned 128- or 256-bit integer kept as 64-bit words, most significant first: reading one from the wire is a
 * few little-endian long loads, with no byte shuffling and no array per value.
 */
abstract class WideInteger {
    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** Number of 64-bit words. */
    abstract int words();

    /** Word {@code i}, most significant first. */
    abstract long word(int i);

    /** Word {@code i} (most significant first) of little-endian wire bytes at {@code offset}. */
    static long wireWord(byte[] buf, int offset, int words, int i) {
        return (long) LONG.get(buf, offset + (words - 1 - i) * 8);
    }

    static void checkWire(byte[] buf, int offset, int bytes) {
        if (offset < 0 || offset > buf.length - bytes) {
            throw new IllegalArgumentException("need " + bytes + " bytes at offset " + offset + ", buffer has " + buf.length);
        }
    }

    /** Big-endian bytes to words, most significant first. */
    static long[] wordsOf(byte[] be) {
        long[] w = new long[be.length / 8];
        for (int i = 0; i < be.length; i++) {
            w[i / 8] = (w[i / 8] << 8) | (be[i] & 0xFF);
        }
        return w;
    }

    static long[] wordsOf(BigInteger value, int bytes, String what) {
        if (value.signum() < 0 || value.bitLength() > bytes * 8) {
            throw new IllegalArgumentException(what + " must be an unsigned " + bytes * 8 + "-bit integer: " + value);
        }
        byte[] raw = value.toByteArray();
        byte[] be = new byte[bytes];
        int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, be, bytes - n, n);
        return wordsOf(be);
    }

    final byte[] toBigEndian() {
        byte[] be = new byte[words() * 8];
        for (int i = 0; i < be.length; i++) {
            be[i] = (byte) (word(i / 8) >>> (56 - 8 * (i % 8)));
        }
        return be;
    }

    /** Writes the little-endian wire bytes into {@code dst} at {@code offset}. */
    public final void toWire(byte[] dst, int offset) {
        checkWire(dst, offset, words() * 8);
        for (int i = 0; i < words(); i++) {
            LONG.set(dst, offset + (words() - 1 - i) * 8, word(i));
        }
    }

    /** 2 hex digits per byte, big-endian, lower case, no prefix: as SpacetimeDB prints it. */
    public final String toHex() {
        return Hex.encode(toBigEndian());
    }

    public final BigInteger toBigInteger() {
        return new BigInteger(1, toBigEndian());
    }

    final int compareWords(WideInteger o) {
        for (int i = 0; i < words(); i++) {
            int c = Long.compareUnsigned(word(i), o.word(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    @Override
    public final boolean equals(Object o) {
        if (o == null || o.getClass() != getClass()) {
            return false;
        }
        WideInteger other = (WideInteger) o;
        for (int i = 0; i < words(); i++) {
            if (word(i) != other.word(i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public final int hashCode() {
        long h = 0;
        for (int i = 0; i < words(); i++) {
            h = 31 * h + word(i);
        }
        return Long.hashCode(h);
    }

    @Override
    public final String toString() {
        return toHex();
    }
}
