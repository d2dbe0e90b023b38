package dev.stdb.secure.protocol.bsatn;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads BSATN (PROTOCOL.md §5.1) from a byte array without copying it. Every length is checked against the bytes
 * that remain and against {@link ProtocolLimits} before anything is allocated; every error is a
 * {@link ProtocolException} naming the offset and the type being decoded.
 */
public final class BsatnReader {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private final int base;
    private final int limit;
    private final ProtocolLimits limits;
    private int pos;
    /** Elements of zero-size arrays read so far, bounded by {@link ProtocolLimits#maxZeroSizeElements()}. */
    private long zeroSizeElements;

    public BsatnReader(byte[] buf) {
        this(buf, 0, buf.length, ProtocolLimits.DEFAULT);
    }

    public BsatnReader(byte[] buf, int offset, int length, ProtocolLimits limits) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") outside buffer of " + buf.length);
        }
        this.buf = buf;
        this.base = offset;
        this.pos = offset;
        this.limit = offset + length;
        this.limits = limits;
    }

    public byte[] buffer() {
        return buf;
    }

    /** Absolute position in {@link #buffer()}. */
    public int position() {
        return pos;
    }

    /** Position relative to the start of this reader's slice: the offset reported in errors. */
    public int offset() {
        return pos - base;
    }

    /** Moves to an absolute position inside this reader's slice. */
    public void seek(int absolutePosition) {
        if (absolutePosition < base || absolutePosition > limit) {
            throw new IllegalArgumentException("position " + absolutePosition + " outside [" + base + ", " + limit + "]");
        }
        pos = absolutePosition;
    }

    public int remaining() {
        return limit - pos;
    }

    public boolean hasRemaining() {
        return pos < limit;
    }

    public ProtocolLimits limits() {
        return limits;
    }

    /** A failure at the current position. */
    public ProtocolException error(String problem, String decoding) {
        return new ProtocolException(problem, offset(), decoding);
    }

    /** A failure at an absolute position in {@link #buffer()}. */
    public ProtocolException errorAt(int absolutePosition, String problem, String decoding) {
        return new ProtocolException(problem, absolutePosition - base, decoding);
    }

    /** Fails unless every byte was consumed. */
    public void expectEnd(String decoding) {
        if (pos != limit) {
            throw error((limit - pos) + " trailing bytes", decoding);
        }
    }

    /** Makes sure {@code n} bytes remain; returns the absolute position where they start and consumes them. */
    public int take(int n, String decoding) {
        if (n < 0 || n > limit - pos) {
            throw error("truncated: needs " + n + " bytes, " + (limit - pos) + " remain", decoding);
        }
        int at = pos;
        pos += n;
        return at;
    }

    public void skip(int n, String decoding) {
        take(n, decoding);
    }

    // ------------------------------------------------------------------ primitives

    public boolean readBool(String decoding) {
        int at = take(1, decoding);
        byte b = buf[at];
        if (b == 0) {
            return false;
        }
        if (b == 1) {
            return true;
        }
        throw errorAt(at, "invalid bool value 0x" + Integer.toHexString(b & 0xFF), decoding);
    }

    public int readU8(String decoding) {
        return buf[take(1, decoding)] & 0xFF;
    }

    public byte readI8(String decoding) {
        return buf[take(1, decoding)];
    }

    public short readI16(String decoding) {
        return (short) SHORT.get(buf, take(2, decoding));
    }

    public int readU16(String decoding) {
        return readI16(decoding) & 0xFFFF;
    }

    public int readI32(String decoding) {
        return (int) INT.get(buf, take(4, decoding));
    }

    public long readU32(String decoding) {
        return readI32(decoding) & 0xFFFF_FFFFL;
    }

    public long readI64(String decoding) {
        return (long) LONG.get(buf, take(8, decoding));
    }

    public float readF32(String decoding) {
        return Float.intBitsToFloat(readI32(decoding));
    }

    public double readF64(String decoding) {
        return Double.longBitsToDouble(readI64(decoding));
    }

    /** A 128- or 256-bit integer ({@code bytes} = 16 or 32), signed or not. */
    public BigInteger readBigInteger(int bytes, boolean signed, String decoding) {
        int at = take(bytes, decoding);
        byte[] be = new byte[bytes];
        for (int i = 0; i < bytes; i++) {
            be[i] = buf[at + bytes - 1 - i];
        }
        return signed ? new BigInteger(be) : new BigInteger(1, be);
    }

    public Identity readIdentity(String decoding) {
        return Identity.fromWire(buf, take(Identity.BYTES, decoding));
    }

    public ConnectionId readConnectionId(String decoding) {
        return ConnectionId.fromWire(buf, take(ConnectionId.BYTES, decoding));
    }

    public Timestamp readTimestamp(String decoding) {
        return new Timestamp(readI64(decoding));
    }

    public TimeDuration readTimeDuration(String decoding) {
        return new TimeDuration(readI64(decoding));
    }

    // ------------------------------------------------------------------ lengths, strings, bytes

    /**
     * Reads a u32 length or element count and checks it: each element takes at least {@code minElementBytes}, so the
     * remaining bytes bound the count; elements of zero size are bounded by {@link ProtocolLimits#maxZeroSizeElements()}.
     */
    public int readLength(int minElementBytes, String decoding) {
        int at = pos;
        long n = readU32(decoding);
        if (minElementBytes > 0) {
            if (n * minElementBytes > limit - pos) {
                throw errorAt(at, "length " + n + " exceeds the " + (limit - pos) + " remaining bytes", decoding);
            }
            if (n * minElementBytes > limits.maxMessageBytes()) {
                throw errorAt(at, "length " + n + " exceeds the limit of " + limits.maxMessageBytes() + " bytes", decoding);
            }
        } else {
            // Zero-size elements cost no input but a list entry each: bound them all, not each array alone.
            zeroSizeElements += n;
            if (zeroSizeElements > limits.maxZeroSizeElements()) {
                throw errorAt(at, "count " + n + " of zero-size elements exceeds the limit of "
                        + limits.maxZeroSizeElements() + (n == zeroSizeElements ? "" : " (" + zeroSizeElements
                        + " in all)"), decoding);
            }
        }
        return (int) n;
    }

    /** Reads a length-prefixed byte string and returns the absolute position of its first byte; its length is returned by {@link #lastLength()}. */
    public int readSlice(String decoding) {
        int len = readLength(1, decoding);
        lastLength = len;
        return take(len, decoding);
    }

    private int lastLength;

    /** Length of the slice read by the last {@link #readSlice(String)}. */
    public int lastLength() {
        return lastLength;
    }

    public byte[] readBytes(String decoding) {
        int at = readSlice(decoding);
        byte[] out = new byte[lastLength];
        System.arraycopy(buf, at, out, 0, lastLength);
        return out;
    }

    public ByteString readByteString(String decoding) {
        int at = readSlice(decoding);
        return ByteString.copyOf(buf, at, lastLength);
    }

    public String readString(String decoding) {
        int at = readSlice(decoding);
        return decodeUtf8(buf, at, lastLength, this, decoding);
    }

    /** Validates the UTF-8 of a string slice without materialising it. */
    public void skipString(String decoding) {
        int at = readSlice(decoding);
        validateUtf8(at, lastLength, decoding);
    }

    /** Fails when {@code buffer()[at, at+len)} is not valid UTF-8. */
    public void validateUtf8(int at, int len, String decoding) {
        int bad = Utf8.firstInvalid(buf, at, len);
        if (bad >= 0) {
            throw invalidUtf8(bad, decoding);
        }
    }

    /**
     * Absolute position of the first byte of an invalid UTF-8 sequence in {@code buffer()[at, at+len)}, or -1: for
     * hot loops that build their error message only when there is an error.
     */
    public int firstInvalidUtf8(int at, int len) {
        return Utf8.firstInvalid(buf, at, len);
    }

    /** The error for an invalid UTF-8 sequence starting at absolute position {@code bad}. */
    public ProtocolException invalidUtf8(int bad, String decoding) {
        return errorAt(bad, "invalid UTF-8 byte 0x" + Integer.toHexString(buf[bad] & 0xFF), decoding);
    }

    private static String decodeUtf8(byte[] buf, int at, int len, BsatnReader r, String decoding) {
        r.validateUtf8(at, len, decoding);
        return new String(buf, at, len, StandardCharsets.UTF_8);
    }

    /** Reads a sum tag and checks it against the number of variants. */
    public int readTag(int variants, String decoding) {
        int at = pos;
        int tag = readU8(decoding);
        if (tag >= variants) {
            throw errorAt(at, "unknown tag " + tag + " (" + variants + " variants)", decoding);
        }
        return tag;
    }

    /** {@code Option<T>}: true for some (tag 0), false for none (tag 1). */
    public boolean readOptionTag(String decoding) {
        return readTag(2, decoding) == 0;
    }
}
