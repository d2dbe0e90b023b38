package dev.stdb.secure.protocol.value;

import java.util.Arrays;

/**
 * The identity of a row in a client cache: the bytes of its primary key, or of the whole row when the table has
 * none (as the official SDKs key rows). Equal bytes, equal keys.
 */
public final class RowKey {
    private final byte[] buf;
    private final int offset;
    private final int length;
    private final int hash;

    RowKey(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.offset = offset;
        this.length = length;
        int h = 1;
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buf[i];
        }
        this.hash = h;
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
