package dev.stdb.secure.protocol.message;

import java.util.Arrays;
import java.util.Objects;

/**
 * Rows of one table, BSATN-encoded back to back (PROTOCOL.md §3.2). The row bytes are a view into the frame they
 * came in, not a copy; decode them with a row decoder compiled from the table's schema.
 */
public final class BsatnRowList {
    private final RowSizeHint sizeHint;
    private final byte[] buffer;
    private final int offset;
    private final int length;

    /** A view of {@code buffer[offset, offset+length)}; the buffer must not change afterwards. */
    public BsatnRowList(RowSizeHint sizeHint, byte[] buffer, int offset, int length) {
        this.sizeHint = Objects.requireNonNull(sizeHint, "sizeHint");
        Objects.checkFromIndexSize(offset, length, buffer.length);
        this.buffer = buffer;
        this.offset = offset;
        this.length = length;
    }

    /** A list that owns a copy of {@code rowsData}. */
    public static BsatnRowList of(RowSizeHint sizeHint, byte[] rowsData) {
        return new BsatnRowList(sizeHint, rowsData.clone(), 0, rowsData.length);
    }

    public static BsatnRowList empty() {
        return new BsatnRowList(new RowSizeHint.RowOffsets(new long[0]), new byte[0], 0, 0);
    }

    public RowSizeHint sizeHint() {
        return sizeHint;
    }

    /** The shared buffer; the rows are at {@link #offset()} for {@link #length()} bytes. Do not modify. */
    public byte[] buffer() {
        return buffer;
    }

    public int offset() {
        return offset;
    }

    public int length() {
        return length;
    }

    public boolean isEmpty() {
        return length == 0;
    }

    /** A copy of the row bytes. */
    public byte[] rowsData() {
        return Arrays.copyOfRange(buffer, offset, offset + length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BsatnRowList other && sizeHint.equals(other.sizeHint)
                && Arrays.equals(buffer, offset, offset + length, other.buffer, other.offset, other.offset + other.length);
    }

    @Override
    public int hashCode() {
        int h = sizeHint.hashCode();
        for (int i = offset; i < offset + length; i++) {
            h = 31 * h + buffer[i];
        }
        return h;
    }

    @Override
    public String toString() {
        return "BsatnRowList[" + sizeHint + ", " + length + " bytes]";
    }
}
