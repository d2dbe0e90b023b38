package dev.stdb.secure.protocol;

import java.math.BigInteger;

/** Byte-order helpers for the wide integers that BSATN stores little-endian. */
final class LittleEndian {
    private LittleEndian() {
    }

    static byte[] reversed(byte[] buf, int offset, int length) {
        if (offset < 0 || offset + length > buf.length) {
            throw new IllegalArgumentException("need " + length + " bytes at offset " + offset + ", buffer has " + buf.length);
        }
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = buf[offset + length - 1 - i];
        }
        return out;
    }

    static void reverseInto(byte[] src, byte[] dst, int offset) {
        for (int i = 0; i < src.length; i++) {
            dst[offset + i] = src[src.length - 1 - i];
        }
    }

    /** Big-endian bytes of an unsigned value that must fit into {@code width} bytes. */
    static byte[] unsignedBigEndian(BigInteger value, int width, String what) {
        if (value.signum() < 0 || value.bitLength() > width * 8) {
            throw new IllegalArgumentException(what + " must be an unsigned " + width * 8 + "-bit integer: " + value);
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[width];
        int n = Math.min(raw.length, width);
        System.arraycopy(raw, raw.length - n, out, width - n, n);
        return out;
    }
}
