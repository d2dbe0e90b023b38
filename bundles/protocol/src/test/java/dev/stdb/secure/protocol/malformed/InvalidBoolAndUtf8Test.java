package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.HexFormat;
import java.util.stream.Stream;

import static dev.stdb.secure.protocol.malformed.Malformed.b;
import static dev.stdb.secure.protocol.malformed.Malformed.bytes;
import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.malformed.Malformed.frame;
import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** A bool byte other than 0/1 and ill-formed UTF-8, in values, messages and rows, at the exact bad byte. */
class InvalidBoolAndUtf8Test {

    private static ValueCodec codec(AlgebraicType type) {
        return ValueCodec.compile(Typespace.EMPTY, type);
    }

    private static BsatnRowList rows(long[] offsets, byte[] data) {
        return BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), data);
    }

    // ------------------------------------------------------------------ bool

    @Test
    void invalidBoolInAValue() {
        fails(() -> codec(Primitive.BOOL).decode(b(2)), 0, "bool", "invalid bool value 0x2");
        fails(() -> codec(Primitive.BOOL).decode(b(0xFF)), 0, "bool", "invalid bool value 0xff");
        ValueCodec pair = codec(product(element("n", Primitive.U16), element("ok", Primitive.BOOL)));
        fails(() -> pair.decode(b(1, 0, 2)), 2, "bool", "invalid bool value 0x2");
        fails(() -> pair.skip(new BsatnReader(b(1, 0, 2))), 2, "bool", "invalid bool value 0x2");
    }

    /** Arrays of fixed-size elements are skipped in bulk only when every byte pattern is valid. */
    @Test
    void invalidBoolOrTagInsideArraysOfFixedSizeElements() {
        byte[] bools = b(3, 0, 0, 0, 0, 1, 2);
        for (AlgebraicType t : new AlgebraicType[]{array(Primitive.BOOL), array(product(element("flag", Primitive.BOOL))),
                array(product(element("a", Primitive.I8), element("flag", Primitive.BOOL)))}) {
            byte[] bad = t.equals(array(Primitive.BOOL)) || t.equals(array(product(element("flag", Primitive.BOOL))))
                    ? bools : b(1, 0, 0, 0, 9, 2);
            long at = bad.length - 1;
            fails(() -> codec(t).decode(bad), at, "bool", "invalid bool value 0x2");
            fails(() -> codec(t).skip(new BsatnReader(bad)), at, "bool", "invalid bool value 0x2");
        }
        AlgebraicType sums = array(sum(variant("a", Primitive.U8), variant("b", Primitive.I8)));
        byte[] badTag = b(2, 0, 0, 0, 0, 7, 5, 7);
        fails(() -> codec(sums).decode(badTag), 6, "sum[a, b]", "unknown tag 5");
        fails(() -> codec(sums).skip(new BsatnReader(badTag)), 6, "sum[a, b]", "unknown tag 5");
    }

    @Test
    void invalidBoolInARow() {
        AlgebraicType.Product rowType = product(element("id", Primitive.U32), element("online", Primitive.BOOL));
        RowDecoder decoder = RowDecoder.of("user", Typespace.EMPTY, rowType);
        byte[] data = b(1, 0, 0, 0, 1, 2, 0, 0, 0, 5);
        fails(() -> decoder.decode(rows(new long[]{0, 5}, data)), 9, "user.online (bool)", "invalid bool value 0x5");
        fails(() -> decoder.decode(BsatnRowList.of(new RowSizeHint.FixedSize(5), data)), 9, "user.online",
                "invalid bool value 0x5");
    }

    /** A bool nested in a column's value is still reported with the table and column. */
    @Test
    void invalidBoolNestedInARowColumn() {
        AlgebraicType.Product rowType = product(element("id", Primitive.U32),
                element("flags", array(product(element("on", Primitive.BOOL)))),
                element("maybe", AlgebraicType.option(Primitive.BOOL)));
        RowDecoder decoder = RowDecoder.of("user", Typespace.EMPTY, rowType);
        byte[] badArray = b(1, 0, 0, 0, 2, 0, 0, 0, 1, 3, 1);
        fails(() -> decoder.decode(rows(new long[]{0}, badArray)), 9, "user.flags", "invalid bool value 0x3");
        byte[] badOption = b(1, 0, 0, 0, 0, 0, 0, 0, 0, 9);
        fails(() -> decoder.decode(rows(new long[]{0}, badOption)), 9, "user.maybe", "invalid bool value 0x9");
        fails(() -> decoder.decode(rows(new long[]{0}, badOption)), 9, "bool", "invalid bool value 0x9");
    }

    // ------------------------------------------------------------------ UTF-8

    /** Ill-formed sequences and where the bad sequence starts within them. */
    static Stream<Object[]> badUtf8() {
        return Stream.of(
                new Object[]{"overlong NUL", b(0xC0, 0x80), 0},
                new Object[]{"overlong C1", b(0xC1, 0xBF), 0},
                new Object[]{"lone continuation", b(0x80), 0},
                new Object[]{"continuation after ASCII", b('a', 0xBF), 1},
                new Object[]{"UTF-16 surrogate", b(0xED, 0xA0, 0x80), 0},
                new Object[]{"low surrogate", b(0xED, 0xBF, 0xBF), 0},
                new Object[]{"truncated 2-byte", b(0xC3), 0},
                new Object[]{"truncated 3-byte", b(0xE2, 0x82), 0},
                new Object[]{"truncated 4-byte", b(0xF0, 0x9F, 0x98), 0},
                new Object[]{"3-byte with bad continuation", b(0xE2, 0x28, 0xA1), 0},
                new Object[]{"overlong 3-byte", b(0xE0, 0x80, 0xAF), 0},
                new Object[]{"overlong 4-byte", b(0xF0, 0x80, 0x80, 0xAF), 0},
                new Object[]{"above U+10FFFF", b(0xF4, 0x90, 0x80, 0x80), 0},
                new Object[]{"F5 lead", b(0xF5, 0x80, 0x80, 0x80), 0},
                new Object[]{"FF byte", b(0xFF), 0});
    }

    private static byte[] withContext(byte[] bad) {
        return concat("ok é ".getBytes(java.nio.charset.StandardCharsets.UTF_8), bad, b('!'));
    }

    private static final int CONTEXT = "ok é ".getBytes(java.nio.charset.StandardCharsets.UTF_8).length;

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void invalidUtf8InAValue(String name, byte[] bad, int badAt) {
        byte[] s = withContext(bad);
        byte[] wire = bytes(w -> w.writeBytes(s));
        fails(() -> codec(Primitive.STRING).decode(wire), 4 + CONTEXT + badAt, "string", "invalid UTF-8 byte 0x"
                + HexFormat.of().toHexDigits(s[CONTEXT + badAt]));
        fails(() -> codec(Primitive.STRING).skip(new BsatnReader(wire)), 4 + CONTEXT + badAt, "string", "invalid UTF-8");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void invalidUtf8InMessages(String name, byte[] bad, int badAt) {
        byte[] s = withContext(bad);
        // InitialConnection{identity (32), connection_id (16), token}: the token's bytes start at 53
        byte[] initial = bytes(w -> w.writeU8(0).writeRaw(new byte[48], 0, 48).writeBytes(s));
        fails(() -> Malformed.V2.decode(frame(initial)), 53 + CONTEXT + badAt, "ServerMessage.InitialConnection.token",
                "invalid UTF-8 byte");
        // SubscriptionError{none, query_set_id, error}: error bytes start at 10
        byte[] error = bytes(w -> w.writeU8(3).writeU8(1).writeI32(4).writeBytes(s));
        fails(() -> Malformed.V2.decode(frame(error)), 10 + CONTEXT + badAt, "ServerMessage.SubscriptionError.error",
                "invalid UTF-8 byte");
        // a table name inside a TransactionUpdate: string bytes start at 17
        byte[] tx = bytes(w -> w.writeU8(4).writeLength(1).writeI32(1).writeLength(1).writeBytes(s).writeLength(0));
        fails(() -> Malformed.V2.decode(frame(tx)), 17 + CONTEXT + badAt, "ServerMessage.TransactionUpdate.TableUpdate.table_name",
                "invalid UTF-8 byte");
        // client: OneOffQuery{request_id, query}: bytes start at 9; Subscribe's second query string
        byte[] query = bytes(w -> w.writeU8(2).writeI32(1).writeBytes(s));
        fails(() -> new ClientFrameCodec(Subprotocol.V3_BSATN).decode(query), 9 + CONTEXT + badAt,
                "ClientMessage.OneOffQuery.query_string", "invalid UTF-8 byte");
        byte[] subscribe = bytes(w -> w.writeU8(0).writeI32(1).writeI32(2).writeLength(2).writeString("SELECT 1")
                .writeBytes(s));
        fails(() -> new ClientFrameCodec(Subprotocol.V2_BSATN).decode(subscribe), 29 + CONTEXT + badAt,
                "ClientMessage.Subscribe.query_strings", "invalid UTF-8 byte");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUtf8")
    void invalidUtf8InARowColumn(String name, byte[] bad, int badAt) {
        byte[] s = withContext(bad);
        AlgebraicType.Product rowType = product(element("id", Primitive.U32), element("name", Primitive.STRING),
                element("nick", AlgebraicType.option(Primitive.STRING)));
        RowDecoder decoder = RowDecoder.of("person", Typespace.EMPTY, rowType);
        // row 0 is valid; row 1 has the bad name
        byte[] row0 = bytes(w -> w.writeI32(1).writeString("Ada").writeU8(1));
        byte[] row1 = bytes(w -> w.writeI32(2).writeBytes(s).writeU8(1));
        byte[] data = concat(row0, row1);
        fails(() -> decoder.decode(rows(new long[]{0, row0.length}, data)), row0.length + 8 + CONTEXT + badAt,
                "person.name (string)", "invalid UTF-8 byte");
        // the bad string in a nested column (option<string>)
        byte[] row2 = bytes(w -> w.writeI32(3).writeString("Bob").writeU8(0).writeBytes(s));
        byte[] nested = concat(row0, row2);
        fails(() -> decoder.decode(rows(new long[]{0, row0.length}, nested)), row0.length + 4 + 7 + 1 + 4 + CONTEXT + badAt,
                "person.nick", "invalid UTF-8 byte");
        // the same row inside a message: offsets in the row decoder are relative to the row data
        assertEquals(2, decoder.decode(rows(new long[]{0, row0.length}, concat(row0, row0))).size());
    }
}
