package dev.stdb.secure.protocol.bsatn;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Writes BSATN (PROTOCOL.md §5.1) into a growing byte array. */
public final class BsatnWriter {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private byte[] buf;
    private int pos;

    public BsatnWriter() {
        this(64);
    }

    public BsatnWriter(int initialCapacity) {
        buf = new byte[Math.max(16, initialCapacity)];
    }

    public int size() {
        return pos;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buf, pos);
    }

    /** Reserves {@code n} bytes and returns where they start. It may replace {@code buf}: read the field after calling. */
    private int ensure(int n) {
        if (pos + n > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) pos + n);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("BSATN output larger than 2 GiB");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
        int at = pos;
        pos += n;
        return at;
    }

    public BsatnWriter writeBool(boolean v) {
        int at = ensure(1);
        buf[at] = (byte) (v ? 1 : 0);
        return this;
    }

    public BsatnWriter writeU8(int v) {
        int at = ensure(1);
        buf[at] = (byte) v;
        return this;
    }

    public BsatnWriter writeI16(int v) {
        int at = ensure(2);
        SHORT.set(buf, at, (short) v);
        return this;
    }

    public BsatnWriter writeI32(int v) {
        int at = ensure(4);
        INT.set(buf, at, v);
        return this;
    }

    /** A u32 given as a long in [0, 2^32). */
    public BsatnWriter writeU32(long v) {
        if (v < 0 || v > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("not a u32: " + v);
        }
        return writeI32((int) v);
    }

    public BsatnWriter writeI64(long v) {
        int at = ensure(8);
        LONG.set(buf, at, v);
        return this;
    }

    public BsatnWriter writeF32(float v) {
        return writeI32(Float.floatToRawIntBits(v));
    }

    public BsatnWriter writeF64(double v) {
        return writeI64(Double.doubleToRawLongBits(v));
    }

    /** A 128- or 256-bit integer in two's complement, little-endian; the caller checks its range. */
    public BsatnWriter writeBigInteger(BigInteger v, int bytes) {
        byte[] be = v.toByteArray();
        byte fill = (byte) (v.signum() < 0 ? 0xFF : 0);
        int at = ensure(bytes);
        for (int i = 0; i < bytes; i++) {
            int src = be.length - 1 - i;
            buf[at + i] = src >= 0 ? be[src] : fill;
        }
        return this;
    }

    public BsatnWriter writeIdentity(Identity id) {
        int at = ensure(Identity.BYTES);
        id.toWire(buf, at);
        return this;
    }

    public BsatnWriter writeConnectionId(ConnectionId id) {
        int at = ensure(ConnectionId.BYTES);
        id.toWire(buf, at);
        return this;
    }

    public BsatnWriter writeTimestamp(Timestamp t) {
        return writeI64(t.micros());
    }

    public BsatnWriter writeTimeDuration(TimeDuration d) {
        return writeI64(d.micros());
    }

    public BsatnWriter writeLength(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        return writeI32(n);
    }

    public BsatnWriter writeString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        writeLength(utf8.length);
        return writeRaw(utf8, 0, utf8.length);
    }

    /** {@code bytes}: u32 length then the bytes. */
    public BsatnWriter writeBytes(byte[] b) {
        return writeBytes(b, 0, b.length);
    }

    public BsatnWriter writeBytes(ByteString b) {
        writeLength(b.length());
        int at = ensure(b.length());
        b.copyTo(buf, at);
        return this;
    }

    public BsatnWriter writeBytes(byte[] b, int off, int len) {
        writeLength(len);
        return writeRaw(b, off, len);
    }

    /** Bytes with no length prefix. */
    public BsatnWriter writeRaw(byte[] b, int off, int len) {
        int at = ensure(len); // before reading buf: ensure may replace it
        System.arraycopy(b, off, buf, at, len);
        return this;
    }

    /** Reserves a u32 length to be filled by {@link #endLengthPrefixed(int)}: for nested {@code bytes} fields. */
    public int beginLengthPrefixed() {
        return ensure(4);
    }

    public BsatnWriter endLengthPrefixed(int mark) {
        INT.set(buf, mark, pos - mark - 4);
        return this;
    }
}
