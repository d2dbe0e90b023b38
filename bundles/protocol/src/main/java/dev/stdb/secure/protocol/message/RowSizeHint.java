package dev.stdb.secure.protocol.message;

import java.util.Arrays;

/** How the rows of a {@link BsatnRowList} are delimited: a fixed size or the start offset of each row. */
public sealed interface RowSizeHint {

    /** Every row has {@code rowSize} bytes (tag 0, u16). */
    record FixedSize(int rowSize) implements RowSizeHint {
        public FixedSize {
            if (rowSize < 0 || rowSize > 0xFFFF) {
                throw new IllegalArgumentException("row size is a u16: " + rowSize);
            }
        }
    }

    /** Start offset of each row (tag 1, array of u64); row i ends where row i+1 starts, the last at the end. */
    final class RowOffsets implements RowSizeHint {
        private final long[] offsets;

        public RowOffsets(long[] offsets) {
            this.offsets = offsets.clone();
        }

        private RowOffsets(long[] offsets, boolean owned) {
            this.offsets = offsets;
        }

        /** Takes ownership of an array nobody else holds: the decoder's, 8 bytes per row it need not copy. */
        static RowOffsets owning(long[] offsets) {
            return new RowOffsets(offsets, true);
        }

        public long[] offsets() {
            return offsets.clone();
        }

        public int count() {
            return offsets.length;
        }

        public long offset(int i) {
            return offsets[i];
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RowOffsets r && Arrays.equals(r.offsets, offsets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(offsets);
        }

        @Override
        public String toString() {
            return "RowOffsets" + Arrays.toString(offsets);
        }
    }
}
