package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Recursive types nested far too deep fail with a protocol error, not a StackOverflowError. */
class NestingTest {
    /** Ref(0) = sum{nil: (), cons: {head: u32, tail: Ref(0)}}; Ref(1) = {value: i32, children: array<Ref(1)>}. */
    private static final Typespace TS = new Typespace(List.of(
            sum(variant("nil", AlgebraicType.Product.UNIT),
                    variant("cons", product(element("head", Primitive.U32), element("tail", new AlgebraicType.Ref(0))))),
            product(element("value", Primitive.I32), element("children", array(new AlgebraicType.Ref(1))))));
    private static final AlgebraicType LIST = new AlgebraicType.Ref(0);

    /** A list of {@code n} elements: n times {@code 01 <u32>}, then {@code 00}. */
    private static byte[] list(int n) {
        BsatnWriter w = new BsatnWriter();
        for (int i = 0; i < n; i++) {
            w.writeU8(1).writeI32(i);
        }
        return w.writeU8(0).toByteArray();
    }

    @Test
    void aListTenThousandDeepFailsAtTheDepthLimit() {
        ValueCodec codec = ValueCodec.compile(TS, LIST);
        byte[] deep = list(10_000);
        // level k: the sum at depth 2k, its cons product at 2k+1; the product of level 64 (depth 129) is too deep,
        // checked after its tag at 64 * 5 was read
        fails(() -> codec.decode(deep), 64 * 5 + 1, "product", "values nested deeper than 128");
        fails(() -> codec.skip(new BsatnReader(deep)), 64 * 5 + 1, "product", "values nested deeper than 128");
        // the deepest list that fits: 63 cons cells and nil
        Value ok = codec.decode(list(63));
        assertEquals(1, ((Value.Sum) ok).tag());
        assertArrayEquals(list(63), codec.encode(ok));
        fails(() -> codec.decode(list(64)), 64 * 5 + 1, "product", "values nested deeper than 128");
    }

    @Test
    void aTreeTenThousandDeepFailsAtTheDepthLimit() {
        BsatnWriter w = new BsatnWriter();
        for (int i = 0; i < 10_000; i++) {
            w.writeI32(i).writeLength(1);
        }
        w.writeI32(-1).writeLength(0);
        byte[] deep = w.toByteArray();
        ValueCodec codec = ValueCodec.compile(TS, new AlgebraicType.Ref(1));
        // level k: product at depth 2k, its children array at 2k+1; the array of level 64 is too deep, checked
        // before its count at 64 * 8 + 4
        fails(() -> codec.decode(deep), 64 * 8 + 4, "array<", "values nested deeper than 128");
        fails(() -> codec.skip(new BsatnReader(deep)), 64 * 8 + 4, "array<", "values nested deeper than 128");
    }

    @Test
    void aDeepListInARowColumn() {
        AlgebraicType.Product rowType = product(element("id", Primitive.U32), element("history", LIST));
        RowDecoder decoder = RowDecoder.of("log", TS, rowType);
        byte[] row = new BsatnWriter().writeI32(1).writeRaw(list(10_000), 0, list(10_000).length).toByteArray();
        // columns start at depth 1: the sum of level 64 (depth 129) fails before its tag at 4 + 64 * 5
        fails(() -> decoder.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(new long[]{0}), row)), 4 + 64 * 5,
                "log.history", "values nested deeper than 128");
    }
}
