package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.SchemaParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.*;

/** Rows and reducer arguments decoded and encoded by a real module schema (the quickstart-chat fixture). */
class SchemaRowsTest {
    private static ModuleSchema schema;
    private static final Identity ALICE = Identity.fromHex("c20035600353a2e93544d898c6ed0eac323e200c0468300f22958f8b472a265d");
    private static final Identity BOB = Identity.fromHex("c2000e9c6bea96ed193403b2bc12b1fa4e8ec2970024252762dbf8a7ddda7157");

    @BeforeAll
    static void load() throws IOException {
        try (InputStream in = SchemaRowsTest.class.getResourceAsStream("/schema/quickstart-chat.v9.json")) {
            schema = SchemaParser.parse(in, 1 << 20);
        }
    }

    /** Encodes rows with the schema and wraps them the way the server does, with a RowOffsets hint. */
    static BsatnRowList rows(String table, List<Map<String, Object>> values) {
        ValueCodec codec = ValueCodec.compile(schema.typespace(), schema.rowType(schema.requireTable(table)));
        BsatnWriter w = new BsatnWriter();
        long[] offsets = new long[values.size()];
        for (int i = 0; i < values.size(); i++) {
            offsets[i] = w.size();
            codec.write(values.get(i), w, table);
        }
        return BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), w.toByteArray());
    }

    private static Map<String, Object> user(Identity id, String name, boolean online) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("identity", id);
        m.put("name", Optional.ofNullable(name));
        m.put("online", online);
        return m;
    }

    @Test
    void userRowsReadByColumnNameAndKeyedByPrimaryKey() {
        RowDecoder decoder = RowDecoder.forTable(schema, "user");
        assertTrue(decoder.hasPrimaryKey());
        RowList list = decoder.decode(rows("user", List.of(user(ALICE, "alice", true), user(BOB, null, false))));
        assertEquals(2, list.size());
        Row alice = list.get(0);
        assertEquals(ALICE, alice.getIdentity("identity"));
        assertEquals(new Value.Opt(new Value.Str("alice")), alice.get("name"));
        assertTrue(alice.getBool("online"));
        assertEquals(Value.Opt.NONE, list.get(1).get("name"));
        assertFalse(list.get(1).getBool("online"));

        // The same user, renamed: same primary key, different row.
        Row renamed = decoder.decode(rows("user", List.of(user(ALICE, "alicia", false)))).get(0);
        assertEquals(alice.key(), renamed.key());
        assertEquals(alice.key().hashCode(), renamed.key().hashCode());
        assertNotEquals(alice, renamed);
        assertNotEquals(alice.key(), list.get(1).key());
        byte[] identityWire = new byte[32];
        ALICE.toWire(identityWire, 0);
        assertArrayEquals(identityWire, alice.key().toBytes(), "the key is the primary key's bytes");
        assertEquals(alice.key(), alice.key().compact());
    }

    @Test
    void detachedRowsKeepTheirValuesAndKeysButNotTheFrame() {
        RowDecoder decoder = RowDecoder.forTable(schema, "user");
        BsatnRowList frame = rows("user", List.of(user(BOB, "bob", true), user(ALICE, "alice", false)));
        Row original = decoder.decode(frame).get(1);
        Row detached = original.detach();
        assertEquals(original, detached);
        assertEquals(original.key(), detached.key());
        assertEquals(ALICE, detached.getIdentity("identity"));
        assertEquals(0, detached.index());
        java.util.Arrays.fill(frame.buffer(), (byte) 0);  // the frame is reused or garbage now
        assertEquals(ALICE, detached.getIdentity("identity"));
        assertEquals(new Value.Opt(new Value.Str("alice")), detached.get("name"));
    }

    @Test
    void tableWithoutPrimaryKeyIsKeyedByWholeRow() {
        RowDecoder decoder = RowDecoder.forTable(schema, "message");
        assertFalse(decoder.hasPrimaryKey());
        Map<String, Object> hello = Map.of("sender", ALICE, "sent", new Timestamp(1_700_000_000_000_000L), "text", "hello");
        Map<String, Object> again = Map.of("sender", ALICE, "sent", new Timestamp(1_700_000_000_000_001L), "text", "hello");
        RowList list = decoder.decode(rows("message", List.of(hello, again, hello)));
        assertEquals(list.get(0).key(), list.get(2).key());
        assertNotEquals(list.get(0).key(), list.get(1).key());
        assertArrayEquals(list.get(0).toBytes(), list.get(0).key().toBytes());
        assertEquals("hello", list.get(1).getString("text"));
        assertEquals(1_700_000_000_000_001L, list.get(1).getTimestamp("sent").micros());
    }

    @Test
    void enumColumnThroughTypespaceReference() {
        RowDecoder decoder = RowDecoder.forTable(schema, "user_status");
        List<String> columns = decoder.columnNames();
        assertTrue(columns.contains("status"), columns.toString());
        Map<String, Object> row = new LinkedHashMap<>();
        for (String c : columns) {
            row.put(c, switch (c) {
                case "identity" -> BOB;
                case "status" -> Map.of("doNotDisturb", List.of());
                case "since" -> new Timestamp(42);
                default -> throw new AssertionError("fixture changed: column " + c);
            });
        }
        Row r = decoder.decode(rows("user_status", List.of(row))).get(0);
        Value.Sum status = (Value.Sum) r.get("status");
        assertEquals("doNotDisturb", status.name());
        assertEquals(2, status.tag());
    }

    @Test
    void typedGetterOnAColumnOfAnotherTypeNamesTheColumn() {
        Row r = RowDecoder.forTable(schema, "user").decode(rows("user", List.of(user(ALICE, "a", true)))).get(0);
        ValueMismatchException e = assertThrows(ValueMismatchException.class, () -> r.getString("online"));
        assertTrue(e.getMessage().contains("user.online"), e.getMessage());
        ValueMismatchException unknown = assertThrows(ValueMismatchException.class, () -> r.getBool("nope"));
        assertTrue(unknown.getMessage().contains("no column 'nope'"), unknown.getMessage());
    }

    @Test
    void reducerArgumentsEncodePositionallyAndByName() {
        ReducerCodec reducers = new ReducerCodec(schema);
        byte[] positional = reducers.encodeArgs("send_message", "hi there");
        byte[] named = reducers.encodeArgs("send_message", Map.of("text", "hi there"));
        assertArrayEquals(new BsatnWriter().writeString("hi there").toByteArray(), positional);
        assertArrayEquals(positional, named);
        assertEquals(new Value.Str("hi there"), reducers.decodeArgs("send_message", named).get("text"));
    }

    @Test
    void reducerArgumentErrorsNameReducerAndParameter() {
        ReducerCodec reducers = new ReducerCodec(schema);
        ValueMismatchException wrongType = assertThrows(ValueMismatchException.class, () -> reducers.encodeArgs("send_message", 42));
        assertTrue(wrongType.getMessage().startsWith("send_message.text: expected string"), wrongType.getMessage());
        ValueMismatchException arity = assertThrows(ValueMismatchException.class, () -> reducers.encodeArgs("send_message", "a", "b"));
        assertTrue(arity.getMessage().contains("expected 1 elements"), arity.getMessage());
        SchemaException lifecycle = assertThrows(SchemaException.class, () -> reducers.encodeArgs("init"));
        assertTrue(lifecycle.getMessage().contains("cannot be called by clients"), lifecycle.getMessage());
        SchemaException unknown = assertThrows(SchemaException.class, () -> reducers.encodeArgs("nope"));
        assertTrue(unknown.getMessage().contains("send_message"), "lists the reducers: " + unknown.getMessage());
    }

    @Test
    void javaRecordsEncodeAsProducts() {
        record SendMessage(String text) {
        }
        ValueCodec codec = ValueCodec.compile(schema.typespace(), schema.requireReducer("send_message").params());
        assertArrayEquals(new ReducerCodec(schema).encodeArgs("send_message", "x"), codec.encode(new SendMessage("x")));
    }

    @Test
    void reducerErrorDecodesAsStringByDefault() {
        Value err = new ReducerCodec(schema).decodeError("set_name", new BsatnWriter().writeString("name taken").toByteArray());
        assertEquals(new Value.Str("name taken"), err);
    }

    @Test
    void manyRowsWithLongStringsSurviveWriterGrowth() {
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            many.add(Map.of("sender", BOB, "sent", new Timestamp(i), "text", "m".repeat(i)));
        }
        RowList list = RowDecoder.forTable(schema, "message").decode(rows("message", many));
        for (int i = 0; i < 500; i++) {
            assertEquals(i, list.get(i).getString("text").length());
            assertEquals(i, list.get(i).getTimestamp("sent").micros());
        }
    }
}
