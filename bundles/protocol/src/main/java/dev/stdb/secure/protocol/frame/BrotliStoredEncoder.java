package dev.stdb.secure.protocol.frame;

import java.io.ByteArrayOutputStream;

/**
 * Writes a valid Brotli stream (RFC 7932) made of uncompressed meta-blocks. No Brotli compressor is available as
 * plain Java on Maven Central; a server or test peer that must answer {@code compression=Brotli} (the server's
 * default) stays correct this way, only without the size gain. Every Brotli decoder reads it.
 */
final class BrotliStoredEncoder {
    /** Largest meta-block that four nibbles of MLEN-1 can describe. */
    private static final int BLOCK = 1 << 16;

    private final ByteArrayOutputStream out;
    private long bits;
    private int bitCount;

    private BrotliStoredEncoder(int capacity) {
        out = new ByteArrayOutputStream(capacity);
    }

    static byte[] encode(byte[] data, int offset, int length) {
        BrotliStoredEncoder e = new BrotliStoredEncoder(length + length / BLOCK * 4 + 8);
        e.write(0, 1); // WBITS = 16
        for (int at = offset; at < offset + length; at += BLOCK) {
            int n = Math.min(BLOCK, offset + length - at);
            e.write(0, 1);          // ISLAST = 0
            e.write(0, 2);          // MNIBBLES = 4
            e.write(n - 1, 16);     // MLEN - 1
            e.write(1, 1);          // ISUNCOMPRESSED
            e.flushToByte();
            e.out.write(data, at, n);
        }
        e.write(1, 1);              // ISLAST
        e.write(1, 1);              // ISLASTEMPTY
        e.flushToByte();
        return e.out.toByteArray();
    }

    /** Appends the {@code count} low bits of {@code value}, least significant first. */
    private void write(long value, int count) {
        bits |= (value & ((1L << count) - 1)) << bitCount;
        bitCount += count;
        while (bitCount >= 8) {
            out.write((int) bits & 0xFF);
            bits >>>= 8;
            bitCount -= 8;
        }
    }

    /** Pads with zero bits to the next byte boundary. */
    private void flushToByte() {
        if (bitCount > 0) {
            write(0, 8 - bitCount);
        }
    }
}
