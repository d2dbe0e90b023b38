package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.RowDecoder;
import org.junit.jupiter.api.Test;

import java.util.function.Consumer;

import static dev.stdb.secure.protocol.malformed.Malformed.bytes;
import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.malformed.Malformed.frame;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Size hints that contradict their row data: caught by the message decoder or by the row decoder. */
class RowListHintTest {
    /** SubscribeApplied with one table "t" whose row list is written by {@code rowList}; the hint starts at 18. */
    private static byte[] subscribeApplied(Consumer<BsatnWriter> rowList) {
        return frame(bytes(w -> {
            w.writeU8(1).writeI32(1).writeI32(2).writeLength(1).writeString("t");
            rowList.accept(w);
        }));
    }

    private static Consumer<BsatnWriter> offsets(int dataLength, long... offsets) {
        return w -> {
            w.writeU8(1).writeLength(offsets.length);
            for (long o : offsets) {
                w.writeI64(o);
            }
            w.writeBytes(new byte[dataLength]);
        };
    }

    private static final String HINT = "ServerMessage.SubscribeApplied.rows.rows.size_hint";

    @Test
    void rowOffsetsThatDoNotRise() {
        fails(() -> Malformed.V2.decode(subscribeApplied(offsets(12, 0, 8, 4))), 18, HINT,
                "row offset 4 of row 2 is not inside 12 bytes of rows or does not rise");
        // a u64 offset with its top bit set is not a huge offset that wraps to a small one
        fails(() -> Malformed.V2.decode(subscribeApplied(offsets(12, 0, -1L))), 18, HINT,
                "row offset 18446744073709551615 of row 1");
    }

    @Test
    void rowOffsetsPastTheData() {
        fails(() -> Malformed.V2.decode(subscribeApplied(offsets(12, 0, 4, 13))), 18, HINT,
                "row offset 13 of row 2 is not inside 12 bytes");
        fails(() -> Malformed.V2.decode(subscribeApplied(offsets(0, 0, 1))), 18, HINT, "row offset 1 of row 1");
    }

    @Test
    void rowOffsetsThatDoNotStartAtZero() {
        fails(() -> Malformed.V2.decode(subscribeApplied(offsets(12, 4, 8))), 18, HINT, "row offset 4 of row 0");
    }

    @Test
    void fixedSizeThatDoesNotDivideTheData() {
        fails(() -> Malformed.V2.decode(subscribeApplied(w -> w.writeU8(0).writeI16(5).writeBytes(new byte[12]))), 18,
                HINT, "12 bytes of rows are not a multiple of the fixed row size 5");
        fails(() -> Malformed.V2.decode(subscribeApplied(w -> w.writeU8(0).writeI16(0).writeBytes(new byte[3]))), 18,
                HINT, "3 bytes of rows are not a multiple of the fixed row size 0");
        // the largest u16 row size is read unsigned
        fails(() -> Malformed.V2.decode(subscribeApplied(w -> w.writeU8(0).writeI16(0xFFFF).writeBytes(new byte[3]))),
                18, HINT, "fixed row size 65535");
    }

    /** The deletes of a PersistentTable in a TransactionUpdate: its hint starts at 44. */
    @Test
    void badHintDeepInsideATransactionUpdate() {
        byte[] tx = frame(bytes(w -> {
            w.writeU8(4).writeLength(1).writeI32(1).writeLength(1).writeString("t").writeLength(1).writeU8(0);
            offsets(4, 0).accept(w); // inserts: 23 .. 43
            offsets(4, 0, 5).accept(w); // deletes: hint at 44
        }));
        fails(() -> Malformed.V2.decode(tx), 44, "ServerMessage.TransactionUpdate.PersistentTable.deletes.size_hint",
                "row offset 5 of row 1");
    }

    // ------------------------------------------------------------------ row decoder

    private static final RowDecoder IDS = RowDecoder.of("ids", Typespace.EMPTY,
            product(element("id", Primitive.U32)));
    private static final byte[] TWO_IDS = {1, 0, 0, 0, 2, 0, 0, 0};

    @Test
    void hintAnnouncesFewerRowsThanTheDataHolds() {
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}), TWO_IDS)), 4, "ids rows",
                "more rows than the 1 the size hint announces");
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.FixedSize(8), TWO_IDS)), 4, "ids rows",
                "more rows than the 1 the size hint announces");
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[0]), TWO_IDS)), 0, "ids rows",
                "more rows than the 0 the size hint announces");
    }

    @Test
    void hintAnnouncesMoreRowsThanTheDataHolds() {
        // more rows than could fit at all: caught before the walk
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0, 4, 8}), TWO_IDS)), 0,
                "ids rows", "the size hint announces 3 rows, more than 8 bytes of rows can hold");
        // could fit, but the data holds fewer
        RowDecoder names = RowDecoder.of("names", Typespace.EMPTY, product(element("name", Primitive.STRING)));
        byte[] two = bytes(w -> w.writeString("ab").writeString("cd"));
        fails(() -> names.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0, 6, 12}), two)), 12,
                "names rows", "the size hint announces 3 rows but the data holds 2");
    }

    @Test
    void hintWhoseRowsStartElsewhere() {
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0, 2}), TWO_IDS)), 4,
                "ids rows", "row 1 starts at byte 4 but the size hint says 2");
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.FixedSize(2), TWO_IDS)), 0, "ids rows",
                "the size hint announces 4 rows, more than 8 bytes of rows can hold");
        // a fixed size that does not divide the data, built without the message decoder
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.FixedSize(3), TWO_IDS)), 4, "ids rows",
                "row 1 starts at byte 4 but the size hint says 3");
        fails(() -> IDS.decode(BsatnRowList.of(new RowSizeHint.FixedSize(0), TWO_IDS)), 0, "ids rows",
                "fixed row size 0");
    }

    @Test
    void rowCutShort() {
        RowDecoder named = RowDecoder.of("people", Typespace.EMPTY,
                product(element("id", Primitive.U32), element("name", Primitive.STRING)));
        fails(() -> named.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}),
                new byte[]{1, 0, 0, 0, 5, 0, 0, 0, 'a'})), 4, "people.name (string)", "length 5 exceeds the 1 remaining bytes");
        // a row shorter than any row can be: caught before the walk
        fails(() -> named.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}),
                new byte[]{1, 0, 0, 0, 5, 0})), 0, "people rows", "announces 1 rows, more than 6 bytes");
        // a long first row, then a cut one
        byte[] first = bytes(w -> w.writeI32(1).writeString("abcdef"));
        fails(() -> named.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0, first.length}),
                concat(first, new byte[]{2, 0, 0, 0, 5, 0}))), first.length + 6, "people.name (string)", "truncated row");
        fails(() -> named.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0, first.length}),
                concat(first, new byte[]{2, 0}))), first.length + 2, "people.id (u32)", "truncated row");
        // adjacent fixed-size columns: the error names the column that is cut, not the first of the run
        RowDecoder fixed = RowDecoder.of("scores", Typespace.EMPTY, product(element("id", Primitive.U32),
                element("score", Primitive.U64), element("rank", Primitive.U16), element("note", Primitive.STRING)));
        byte[] row0 = bytes(w -> w.writeI32(1).writeI64(2).writeI16(3).writeString("x".repeat(20)));
        long[] two = {0, row0.length};
        fails(() -> fixed.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(two), concat(row0, new byte[5]))),
                row0.length + 5, "scores.score (u64)", "truncated row");
        fails(() -> fixed.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(two), concat(row0, new byte[13]))),
                row0.length + 13, "scores.rank (u16)", "truncated row");
        fails(() -> fixed.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(two), concat(row0, new byte[3]))),
                row0.length + 3, "scores.id (u32)", "truncated row");
        assertEquals(1, named.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}),
                new byte[]{1, 0, 0, 0, 1, 0, 0, 0, 'a'})).size());
    }
}
