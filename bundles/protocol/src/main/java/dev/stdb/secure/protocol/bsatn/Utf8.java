package dev.stdb.secure.protocol.bsatn;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Strict UTF-8 validation (no overlong forms, no surrogates, nothing above U+10FFFF), with an ASCII fast path. */
final class Utf8 {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080_8080_8080_8080L;

    private Utf8() {
    }

    /** Offset of the first byte of an invalid sequence, or -1 when {@code buf[off, off+len)} is valid UTF-8. */
    static int firstInvalid(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        // ASCII fast path, eight bytes at a time: most identifiers and names never leave it.
        while (i + 8 <= end && ((long) LONG.get(buf, i) & HIGH_BITS) == 0) {
            i += 8;
        }
        while (i < end && buf[i] >= 0) {
            i++;
        }
        while (i < end) {
            int b = buf[i];
            if (b >= 0) {
                i++;
                continue;
            }
            int start = i;
            if ((b & 0xE0) == 0xC0) {
                if (b == (byte) 0xC0 || b == (byte) 0xC1 || i + 1 >= end || !cont(buf[i + 1])) {
                    return start;
                }
                i += 2;
            } else if ((b & 0xF0) == 0xE0) {
                if (i + 2 >= end || !cont(buf[i + 1]) || !cont(buf[i + 2])) {
                    return start;
                }
                int b1 = buf[i + 1] & 0xFF;
                if ((b == (byte) 0xE0 && b1 < 0xA0) || (b == (byte) 0xED && b1 > 0x9F)) {
                    return start; // overlong or UTF-16 surrogate
                }
                i += 3;
            } else if ((b & 0xF8) == 0xF0) {
                if (i + 3 >= end || !cont(buf[i + 1]) || !cont(buf[i + 2]) || !cont(buf[i + 3])) {
                    return start;
                }
                int b1 = buf[i + 1] & 0xFF;
                if ((b == (byte) 0xF0 && b1 < 0x90) || (b == (byte) 0xF4 && b1 > 0x8F) || (b & 0xFF) > 0xF4) {
                    return start; // overlong or above U+10FFFF
                }
                i += 4;
            } else {
                return start;
            }
        }
        return -1;
    }

    private static boolean cont(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
