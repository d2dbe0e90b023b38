package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ProtocolLimits;

import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The checked rows of one {@code BsatnRowList}: a view over the frame's bytes. Rows are created on access and are
 * cheap; they keep the frame alive, so copy ({@link Row#toBytes()}, {@link RowKey#compact()}) what must outlive it.
 */
public final class RowList extends AbstractList<Row> implements RandomAccess {
    final RowDecoder decoder;
    final byte[] buf;
    final int start;
    final int end;
    private final int size;
    private final int[] segmentStarts;
    final ProtocolLimits limits;

    RowList(RowDecoder decoder, byte[] buf, int start, int end, int size, int[] segmentStarts, ProtocolLimits limits) {
        this.decoder = decoder;
        this.buf = buf;
        this.start = start;
        this.end = end;
        this.size = size;
        this.segmentStarts = segmentStarts;
        this.limits = limits;
    }

    public RowDecoder decoder() {
        return decoder;
    }

    @Override
    public Row get(int index) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException("row " + index + " of " + size);
        }
        return new Row(this, index);
    }

    @Override
    public int size() {
        return size;
    }

    int rowStart(int row) {
        return segmentStarts[row * decoder.segments];
    }

    int rowEnd(int row) {
        return row + 1 < size ? segmentStarts[(row + 1) * decoder.segments] : end;
    }

    int columnStart(int row, int column) {
        return segmentStarts[row * decoder.segments + decoder.segmentOf[column]] + decoder.offsetInSegment[column];
    }

    int columnEnd(int row, int column) {
        return column + 1 < decoder.columnCount() ? columnStart(row, column + 1) : rowEnd(row);
    }
}
