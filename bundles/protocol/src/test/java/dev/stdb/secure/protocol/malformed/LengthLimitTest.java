package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.stdb.secure.protocol.malformed.Malformed.allocatedBytes;
import static dev.stdb.secure.protocol.malformed.Malformed.b;
import static dev.stdb.secure.protocol.malformed.Malformed.bytes;
import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.malformed.Malformed.frame;
import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Lengths and counts are checked against the remaining bytes and the limits before anything is allocated. */
class LengthLimitTest {
    private static final AlgebraicType UNIT = AlgebraicType.Product.UNIT;

    private static ValueCodec codec(AlgebraicType type) {
        return ValueCodec.compile(Typespace.EMPTY, type);
    }

    @Test
    void stringLongerThanTheRemainingBytes() {
        fails(() -> codec(Primitive.STRING).decode(b(0xFF, 0xFF, 0xFF, 0xFF, 'a', 'b', 'c')), 0, "string",
                "length 4294967295 exceeds the 3 remaining bytes");
        fails(() -> codec(array(Primitive.U8)).decode(b(5, 0, 0, 0, 1, 2, 3, 4)), 0, "array<u8>",
                "length 5 exceeds the 4 remaining bytes");
        ValueCodec row = codec(product(element("id", Primitive.U64), element("name", Primitive.STRING)));
        fails(() -> row.decode(concat(new byte[8], b(0xFF, 0xFF, 0xFF, 0xFF))), 8, "string",
                "length 4294967295 exceeds the 0 remaining bytes");
    }

    /** 2^31-1 with ten bytes left fails at once, without allocating anything near that size. */
    @Test
    void hugeLengthFailsBeforeAllocating() {
        byte[] wire = concat(b(0xFF, 0xFF, 0xFF, 0x7F), new byte[10]);
        for (AlgebraicType t : new AlgebraicType[]{Primitive.STRING, array(Primitive.U8), array(Primitive.U64),
                array(Primitive.STRING), array(array(Primitive.BOOL))}) {
            ValueCodec c = codec(t);
            long before = allocatedBytes();
            long start = System.nanoTime();
            fails(() -> c.decode(wire), 0, t == Primitive.STRING ? "string" : "array", "exceeds the 10 remaining bytes");
            long allocated = allocatedBytes() - before;
            assertTrue(allocated < 1 << 20, t + " allocated " + allocated + " bytes");
            assertTrue(System.nanoTime() - start < 1_000_000_000L, "fails fast");
        }
        // in messages: a OneOffQuery string, a Subscribe string count, a CallReducer args length
        ClientFrameCodec client = new ClientFrameCodec(Subprotocol.V2_BSATN);
        fails(() -> client.decode(concat(b(2, 1, 0, 0, 0), b(0xFF, 0xFF, 0xFF, 0x7F), new byte[10])), 5,
                "ClientMessage.OneOffQuery.query_string", "length 2147483647 exceeds the 10 remaining bytes");
        fails(() -> client.decode(concat(b(0, 1, 0, 0, 0, 2, 0, 0, 0), b(0xFF, 0xFF, 0xFF, 0x7F), new byte[10])), 9,
                "ClientMessage.Subscribe.query_strings", "exceeds the 10 remaining bytes");
        fails(() -> client.decode(bytes(w -> w.writeU8(3).writeI32(1).writeU8(0).writeString("f").writeI32(Integer.MAX_VALUE)
                .writeI32(0))), 11, "ClientMessage.CallReducer.args", "exceeds the 4 remaining bytes");
        // server: a RowOffsets hint with 2^31-1 offsets, a TransactionUpdate with 2^31-1 query sets
        fails(() -> Malformed.V2.decode(frame(bytes(w -> w.writeU8(1).writeI32(1).writeI32(2).writeLength(1)
                .writeString("t").writeU8(1).writeI32(Integer.MAX_VALUE).writeI64(0)))), 19,
                "ServerMessage.SubscribeApplied.rows.rows.size_hint.RowOffsets", "exceeds the 8 remaining bytes");
        fails(() -> Malformed.V2.decode(frame(bytes(w -> w.writeU8(4).writeI32(-1)))), 1,
                "ServerMessage.TransactionUpdate.query_sets", "length 4294967295 exceeds the 0 remaining bytes");
    }

    @Test
    void elementCountTimesMinimumSizeExceedsTheRemainingBytes() {
        // 3 u32 need 12 bytes, 8 remain
        fails(() -> codec(array(Primitive.U32)).decode(concat(b(3, 0, 0, 0), new byte[8])), 0, "array<u32>",
                "length 3 exceeds the 8 remaining bytes");
        // 2 strings need at least 8 bytes, 7 remain
        fails(() -> codec(array(Primitive.STRING)).decode(concat(b(2, 0, 0, 0), new byte[7])), 0, "array<string>",
                "exceeds the 7 remaining bytes");
    }

    @Test
    void zeroSizeElementsAreCountedAgainstTheLimit() {
        fails(() -> codec(array(UNIT)).decode(b(0xFF, 0xFF, 0xFF, 0xFF)), 0, "array<product>",
                "count 4294967295 of zero-size elements exceeds the limit of 65536");
        fails(() -> codec(array(UNIT)).skip(new BsatnReader(b(0xFF, 0xFF, 0xFF, 0xFF))), 0, "array<product>",
                "exceeds the limit of 65536");
        fails(() -> codec(array(UNIT)).decode(b(1, 0, 1, 0)), 0, "array<product>", "count 65537 of zero-size elements");
        // exactly at the limit is fine
        Value v = codec(array(UNIT)).decode(b(0, 0, 1, 0));
        assertEquals(65_536, ((Value.Array) v).elements().size());
        // a smaller limit
        ValueCodec strict = ValueCodec.compile(Typespace.EMPTY, array(product(element("e", UNIT))),
                new ProtocolLimits(1024, 10, 64));
        fails(() -> strict.decode(b(11, 0, 0, 0)), 0, "array<product>", "count 11 of zero-size elements exceeds the limit of 10");
    }

    /**
     * Arrays of zero-size arrays: each inner count is under the limit, but together they would make a 4-byte count
     * into 65,536 list entries. The limit bounds all zero-size elements of one decoded value.
     */
    @Test
    void nestedZeroSizeArraysCannotAmplifyTheInput() {
        int outer = 1000;
        byte[] wire = bytes(w -> {
            w.writeLength(outer);
            for (int i = 0; i < outer; i++) {
                w.writeLength(65_536);
            }
        });
        ValueCodec c = codec(array(array(UNIT)));
        long before = allocatedBytes();
        fails(() -> c.decode(wire), 8, "array<product>",
                "count 65536 of zero-size elements exceeds the limit of 65536 (131072 in all)");
        long allocated = allocatedBytes() - before;
        // one array at the limit costs about 12 MB of values; a thousand of them would cost 12 GB
        assertTrue(allocated < 32 << 20, "4 KB of input allocated " + allocated + " bytes");
        fails(() -> c.skip(new BsatnReader(wire)), 8, "array<product>", "exceeds the limit of 65536");
        // many small ones within the budget are fine
        byte[] ok = bytes(w -> {
            w.writeLength(100);
            for (int i = 0; i < 100; i++) {
                w.writeLength(600);
            }
        });
        assertEquals(100, ((Value.Array) c.decode(ok)).elements().size());
    }

    @Test
    void framesLargerThanTheLimit() {
        ProtocolLimits small = ProtocolLimits.DEFAULT.withMaxMessageBytes(64);
        byte[] big = frame(bytes(w -> w.writeU8(3).writeU8(1).writeI32(0).writeString("x".repeat(54))));
        assertEquals(65, big.length);
        fails(() -> new ServerFrameCodec(Subprotocol.V2_BSATN, small).decode(big), 0, "server frame",
                "frame of 65 bytes exceeds the limit of 64");
        assertEquals(1, new ServerFrameCodec(Subprotocol.V2_BSATN, small.withMaxMessageBytes(65)).decode(big).size());
        byte[] client = bytes(w -> w.writeU8(2).writeI32(0).writeString("y".repeat(60)));
        fails(() -> new ClientFrameCodec(Subprotocol.V3_BSATN, small).decode(client), 0, "client frame",
                "frame of 69 bytes exceeds the limit of 64");
        // the decompressed size counts too: a 2 KB body gzips into a small frame
        ServerMessage m = new ServerMessage.SubscriptionError(java.util.OptionalInt.empty(), 1, "z".repeat(2000));
        byte[] gzip = new ServerFrameCodec(Subprotocol.V2_BSATN).encode(List.of(m), Compression.GZIP);
        assertTrue(gzip.length < 100 && gzip[0] == 2);
        fails(() -> new ServerFrameCodec(Subprotocol.V2_BSATN, ProtocolLimits.DEFAULT.withMaxMessageBytes(1024))
                .decode(gzip), 1, "GZIP frame", "decompressed frame exceeds the limit of 1024 bytes");
        // and a single length against the limit even when the bytes are there
        ProtocolLimits eight = ProtocolLimits.DEFAULT.withMaxMessageBytes(8);
        byte[] nine = bytes(w -> w.writeString("123456789"));
        fails(() -> ValueCodec.compile(Typespace.EMPTY, Primitive.STRING, eight).decode(nine), 0, "string",
                "length 9 exceeds the limit of 8 bytes");
    }

    /**
     * A FixedSize(1) hint over 1 MiB announces a million rows; a row of 200 strings needs 800 bytes at least. The
     * decoder must not size its per-row tables by the announced count before checking it.
     */
    @Test
    void announcedRowCountCannotAmplifyTheInput() {
        List<AlgebraicType.Element> columns = new ArrayList<>();
        for (int c = 0; c < 200; c++) {
            columns.add(element("s" + c, Primitive.STRING));
        }
        RowDecoder decoder = RowDecoder.of("wide", Typespace.EMPTY, new AlgebraicType.Product(columns));
        BsatnRowList list = BsatnRowList.of(new RowSizeHint.FixedSize(1), new byte[1 << 20]);
        long before = allocatedBytes();
        fails(() -> decoder.decode(list), 0, "wide rows",
                "the size hint announces 1048576 rows, more than 1048576 bytes of rows can hold");
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 16 << 20, "1 MiB of rows allocated " + allocated + " bytes");
        // the same through RowOffsets: 100 offsets for 64 bytes
        long[] offsets = new long[100];
        fails(() -> decoder.decode(BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), new byte[64])), 0, "wide rows",
                "the size hint announces 100 rows, more than 64 bytes");
    }
}
