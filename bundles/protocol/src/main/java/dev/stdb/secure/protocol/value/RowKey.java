package dev.stdb.secure.protocol.value;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The identity of a row in a client cache: the bytes of its primary key, or of the whole row when the table has
 * none (as the official SDKs key rows). Equal bytes, equal keys.
 */
public final class RowKey {
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[] buf;
    private final int offset;
    private final int length;
    private final int hash;

    RowKey(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        this.hash = hash(buf, offset, length);
    }

    /** Eight bytes a step: keys of whole rows are hashed for every row of every update. */
    private static int hash(byte[] buf, int offset, int length) {
        long h = length;
        int i = offset;
        int end = offset + length;
        for (; i + 8 <= end; i += 8) {
            h = (h ^ (long) LONG.get(buf, i)) * 0x9E37_79B9_7F4A_7C15L;
        }
        for (; i < end; i++) {
            h = (h ^ buf[i]) * 0x9E37_79B9_7F4A_7C15L;
        }
        return (int) (h ^ (h >>> 32));
    }

    /** The key for these BSATN bytes (a copy): e.g. a primary key value encoded by its column's type. */
    public static RowKey of(byte[] bytes) {
        return new RowKey(bytes.clone(), 0, bytes.length);
    }

    /** A key over a copy of its bytes, which no longer holds the frame it came from. */
    public RowKey compact() {
        return offset == 0 && length == buf.length ? this : new RowKey(Arrays.copyOfRange(buf, offset, offset + length), 0, length);
    }

    public byte[] toBytes() {
        return Arrays.copyOfRange(buf, offset, offset + length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RowKey k && k.hash == hash
                && Arrays.equals(buf, offset, offset + length, k.buf, k.offset, k.offset + k.length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return "RowKey[" + length + " bytes]";
    }
}
