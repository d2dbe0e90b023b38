package dev.stdb.secure.protocol.value;

import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.BOOL;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.F32;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.F64;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I128;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I16;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I256;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I32;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I64;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.I8;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.STRING;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U128;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U16;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U256;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U32;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U64;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U8;
import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.option;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.result;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.internal.json.Json;
import dev.stdb.secure.protocol.property.Gen;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.Typespace;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class SatsJsonValuesTest {

    private static final AlgebraicType.Product UNIT = AlgebraicType.Product.UNIT;
    private static final AlgebraicType.Ref LIST = new AlgebraicType.Ref(0);
    private static final AlgebraicType.Ref STATUS = new AlgebraicType.Ref(1);
    private static final AlgebraicType.Ref BYTE = new AlgebraicType.Ref(2);
    private static final AlgebraicType.Ref PERSON = new AlgebraicType.Ref(3);

    /** Ref(0) a recursive list, Ref(1) a status enum, Ref(2) u8, Ref(3) a person. */
    private static final Typespace TS = new Typespace(List.of(
            sum(variant("nil", UNIT), variant("cons", product(element("head", I32), element("tail", LIST)))),
            sum(variant("online", UNIT), variant("away", UNIT), variant("busy", STRING)),
            U8,
            product(element("name", STRING), element("age", U8))));

    /** One column of every kind. */
    private static final AlgebraicType.Product ROW = product(
            element("b", BOOL), element("i8", I8), element("u8", U8), element("i16", I16), element("u16", U16),
            element("i32", I32), element("u32", U32), element("i64", I64), element("u64", U64),
            element("i128", I128), element("u128", U128), element("i256", I256), element("u256", U256),
            element("f32", F32), element("f64", F64), element("s", STRING), element("bytes", array(U8)),
            element("refBytes", array(BYTE)), element("ints", array(I32)), element("person", PERSON),
            element("pair", product(element(null, U16), element(null, STRING))), element("status", STATUS),
            element("unnamedSum", sum(variant(null, U8), variant(null, UNIT))),
            element("nick", option(STRING)), element("none", option(I32)), element("result", result(U32, STRING)),
            element("list", LIST), element("id", AlgebraicType.identity()),
            element("conn", AlgebraicType.connectionId()), element("ts", AlgebraicType.timestamp()),
            element("dur", AlgebraicType.timeDuration()), element("uuid", AlgebraicType.uuid()),
            element("unit", UNIT));

    private static final String MAX_U256_HEX = "f".repeat(64);
    private static final String IDENTITY_HEX = "c2000000000000000000000000000000000000000000000000000000000000ab";
    private static final String UUID_TEXT = "123e4567-e89b-12d3-a456-426614174000";
    private static final String TEXT = "he said \"hi\"\n\\ \u0001\t\u007f \u2028 \uD83D\uDE00 é";

    /** The row in the forms a JS client would send: names, bare specials, strings for wide integers. */
    private static final String NAMED_ROW_JSON = "{"
            + "\"b\":true,\"i8\":-128,\"u8\":255,\"i16\":-32768,\"u16\":65535,\"i32\":-2147483648,"
            + "\"u32\":4294967295,\"i64\":\"-9223372036854775808\",\"u64\":18446744073709551615,"
            + "\"i128\":-170141183460469231731687303715884105728,"
            + "\"u128\":\"340282366920938463463374607431768211455\",\"i256\":\"-0x1\","
            + "\"u256\":\"0x" + MAX_U256_HEX + "\",\"f32\":1.5,\"f64\":0.1,"
            + "\"s\":\"he said \\\"hi\\\"\\n\\\\ \\u0001\\t\u007f \u2028 \\ud83d\\ude00 é\","
            + "\"bytes\":\"00FF10\",\"refBytes\":[1,2],\"ints\":[1,-2,3],\"person\":{\"age\":30,\"name\":\"Ann\"},"
            + "\"pair\":[7,\"x\"],\"status\":{\"busy\":\"coding\"},\"unnamedSum\":[0,5],"
            + "\"nick\":{\"some\":\"annie\"},\"none\":{\"none\":[]},\"result\":{\"err\":\"bad\"},"
            + "\"list\":{\"cons\":{\"head\":1,\"tail\":{\"cons\":{\"head\":2,\"tail\":{\"nil\":[]}}}}},"
            + "\"id\":\"" + IDENTITY_HEX + "\",\"conn\":\"0x0000000000000000000000000000002a\","
            + "\"ts\":{\"__timestamp_micros_since_unix_epoch__\":1700000000000000},\"dur\":5000000,"
            + "\"uuid\":\"" + UUID_TEXT + "\",\"unit\":[]}";

    private static String uuidU128() {
        return new BigInteger(UUID_TEXT.replace("-", ""), 16).toString();
    }

    /** What the server writes for that row. */
    private static String expectedRowJson() {
        return "[true,-128,255,-32768,65535,-2147483648,4294967295,-9223372036854775808,18446744073709551615,"
                + "-170141183460469231731687303715884105728,340282366920938463463374607431768211455,\"-0x1\","
                + "\"0x" + MAX_U256_HEX + "\",1.5,0.1,"
                + "\"he said \\\"hi\\\"\\n\\\\ \\u0001\\t\u007f \u2028 \uD83D\uDE00 é\","
                + "\"00ff10\",\"0102\",[1,-2,3],[\"Ann\",30],[7,\"x\"],[2,\"coding\"],[0,5],[0,\"annie\"],[1,[]],"
                + "[1,\"bad\"],[1,[1,[1,[2,[0,[]]]]]],[\"0x" + IDENTITY_HEX + "\"],[42],[1700000000000000],[5000000],"
                + "[" + uuidU128() + "],[]]";
    }

    private static Value roundTripBsatn(Value v, AlgebraicType type) {
        ValueCodec codec = ValueCodec.compile(TS, type);
        Value decoded = codec.decode(codec.encode(v));
        assertEquals(v, decoded, "JSON value -> BSATN -> value");
        return decoded;
    }

    private static ValueMismatchException fails(String json, AlgebraicType type, String path) {
        return assertThrows(ValueMismatchException.class, () -> SatsJsonValues.fromJson(json, type, TS, path));
    }

    private static void assertMessage(String expectedStart, ValueMismatchException e) {
        assertTrue(e.getMessage().startsWith(expectedStart),
                () -> "expected a message starting with <" + expectedStart + "> but was <" + e.getMessage() + ">");
    }

    // ------------------------------------------------------------------ every kind

    @Test
    void rowOfEveryKindReadsAsTheValueTheBsatnDecoderProduces() {
        Value v = SatsJsonValues.fromJson(NAMED_ROW_JSON, ROW, TS);
        roundTripBsatn(v, ROW);
        Value.Product row = assertInstanceOf(Value.Product.class, v);
        assertEquals(new Value.Int(U64, -1L), row.get("u64"));
        assertEquals(new Value.BigInt(U256, BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE)), row.get("u256"));
        assertEquals(new Value.BigInt(I256, BigInteger.ONE.negate()), row.get("i256"));
        assertEquals(new Value.F32(1.5f), row.get("f32"));
        assertEquals(new Value.Str(TEXT), row.get("s"));
        assertEquals(new Value.Bytes(new byte[] {0, (byte) 0xff, 0x10}), row.get("bytes"));
        assertEquals(new Value.Bytes(new byte[] {1, 2}), row.get("refBytes"));
        assertEquals(new Value.Opt(new Value.Str("annie")), row.get("nick"));
        assertEquals(Value.Opt.NONE, row.get("none"));
        assertEquals(new Value.Sum(1, "err", new Value.Str("bad")), row.get("result"));
        assertEquals(new Value.Sum(2, "busy", new Value.Str("coding")), row.get("status"));
        assertEquals(new Value.Sum(0, null, new Value.Int(U8, 5)), row.get("unnamedSum"));
        assertEquals(new Value.IdentityValue(Identity.fromHex(IDENTITY_HEX)), row.get("id"));
        assertEquals(new Value.ConnectionIdValue(ConnectionId.fromBigInteger(BigInteger.valueOf(42))), row.get("conn"));
        assertEquals(new Value.TimestampValue(new Timestamp(1_700_000_000_000_000L)), row.get("ts"));
        assertEquals(new Value.TimeDurationValue(new TimeDuration(5_000_000L)), row.get("dur"));
        assertEquals(new Value.UuidValue(UUID.fromString(UUID_TEXT)), row.get("uuid"));
        assertEquals(Value.UNIT, row.get("unit"));
        assertEquals(new Value.Product(List.of("name", "age"), List.of(new Value.Str("Ann"), new Value.Int(U8, 30))),
                row.get("person"));
    }

    @Test
    void toJsonWritesTheServersUntypedFormForARowOfEveryKind() {
        Value v = SatsJsonValues.fromJson(NAMED_ROW_JSON, ROW, TS);
        String json = SatsJsonValues.toJson(v, ROW, TS);
        assertEquals(expectedRowJson(), json);
        Json.parse(json); // valid JSON
        assertEquals(v, SatsJsonValues.fromJson(json, ROW, TS), "the server form reads back");
        assertEquals("[" + json + "," + json + "]", SatsJsonValues.rowsToJson(List.of(v, v), ROW, TS));
        assertEquals("[]", SatsJsonValues.rowsToJson(List.of(), ROW, TS));
    }

    @Test
    void positionalAndTaggedFormsReadTheSame() {
        Value named = SatsJsonValues.fromJson("{\"name\":\"Ann\",\"age\":30}", PERSON, TS);
        assertEquals(named, SatsJsonValues.fromJson("[\"Ann\",30]", PERSON, TS));
        Value busy = SatsJsonValues.fromJson("{\"busy\":\"x\"}", STATUS, TS);
        assertEquals(busy, SatsJsonValues.fromJson("{\"2\":\"x\"}", STATUS, TS));
        assertEquals(busy, SatsJsonValues.fromJson("[2,\"x\"]", STATUS, TS));
        assertEquals(busy, SatsJsonValues.fromJson("[\"busy\",\"x\"]", STATUS, TS));
        assertEquals(new Value.Sum(0, "online", Value.UNIT), SatsJsonValues.fromJson("{\"online\":[]}", STATUS, TS));
        assertEquals(new Value.Sum(0, "online", Value.UNIT), SatsJsonValues.fromJson("{\"online\":{}}", STATUS, TS));
        AlgebraicType opt = option(U32);
        assertEquals(new Value.Opt(new Value.Int(U32, 5)), SatsJsonValues.fromJson("{\"some\":5}", opt, TS));
        assertEquals(new Value.Opt(new Value.Int(U32, 5)), SatsJsonValues.fromJson("[0,5]", opt, TS));
        assertEquals(new Value.Opt(new Value.Int(U32, 5)), SatsJsonValues.fromJson("{\"0\":5}", opt, TS));
        assertEquals(Value.Opt.NONE, SatsJsonValues.fromJson("[1,[]]", opt, TS));
        assertEquals(Value.Opt.NONE, SatsJsonValues.fromJson("{\"none\":[]}", opt, TS));
        assertEquals(Value.Opt.NONE, SatsJsonValues.fromJson("null", opt, TS), "the server takes null for none");
        assertEquals(new Value.Opt(Value.Opt.NONE), SatsJsonValues.fromJson("{\"some\":null}", option(opt), TS));
    }

    @Test
    void specialTypesAcceptEveryDocumentedForm() {
        AlgebraicType id = AlgebraicType.identity();
        Value expected = new Value.IdentityValue(Identity.fromHex(IDENTITY_HEX));
        for (String json : List.of("\"" + IDENTITY_HEX + "\"", "\"0x" + IDENTITY_HEX.toUpperCase() + "\"",
                "{\"__identity__\":\"0x" + IDENTITY_HEX + "\"}", "[\"0x" + IDENTITY_HEX + "\"]",
                "{\"__identity__\":" + new BigInteger(IDENTITY_HEX, 16) + "}",
                "{\"__identity__\":\"" + new BigInteger(IDENTITY_HEX, 16) + "\"}")) {
            assertEquals(expected, SatsJsonValues.fromJson(json, id, TS), json);
        }
        assertEquals(new Value.IdentityValue(Identity.fromBigInteger(BigInteger.valueOf(0xab))),
                SatsJsonValues.fromJson("\"0xab\"", id, TS));
        assertEquals("[\"0xab\"]", SatsJsonValues.toJson(
                new Value.IdentityValue(Identity.fromBigInteger(BigInteger.valueOf(0xab))), id, TS),
                "u256 as ethnum writes it: no leading zeros");

        AlgebraicType conn = AlgebraicType.connectionId();
        Value c = new Value.ConnectionIdValue(ConnectionId.fromBigInteger(BigInteger.valueOf(0x1234)));
        for (String json : List.of("\"00000000000000000000000000001234\"", "\"0x1234\"",
                "{\"__connection_id__\":4660}", "[4660]", "{\"__connection_id__\":\"0x1234\"}")) {
            assertEquals(c, SatsJsonValues.fromJson(json, conn, TS), json);
        }

        AlgebraicType ts = AlgebraicType.timestamp();
        Value t = new Value.TimestampValue(new Timestamp(-5));
        for (String json : List.of("-5", "\"-5\"", "[-5]", "{\"__timestamp_micros_since_unix_epoch__\":-5}")) {
            assertEquals(t, SatsJsonValues.fromJson(json, ts, TS), json);
        }
        AlgebraicType dur = AlgebraicType.timeDuration();
        Value d = new Value.TimeDurationValue(new TimeDuration(7));
        for (String json : List.of("7", "[7]", "{\"__time_duration_micros__\":7}")) {
            assertEquals(d, SatsJsonValues.fromJson(json, dur, TS), json);
        }
        AlgebraicType uuid = AlgebraicType.uuid();
        Value u = new Value.UuidValue(UUID.fromString(UUID_TEXT));
        for (String json : List.of("\"" + UUID_TEXT + "\"", "\"" + UUID_TEXT.toUpperCase() + "\"",
                "{\"__uuid__\":" + uuidU128() + "}", "[" + uuidU128() + "]",
                "{\"__uuid__\":\"0x" + UUID_TEXT.replace("-", "") + "\"}")) {
            assertEquals(u, SatsJsonValues.fromJson(json, uuid, TS), json);
        }
        roundTripBsatn(u, uuid);
    }

    @Test
    void integersAcceptIntegralNumbersAndWideStrings() {
        assertEquals(new Value.Int(U8, 3), SatsJsonValues.fromJson("3.0", U8, TS));
        assertEquals(new Value.Int(U32, 100), SatsJsonValues.fromJson("1e2", U32, TS));
        assertEquals(new Value.Int(I64, Long.MIN_VALUE), SatsJsonValues.fromJson("\"-9223372036854775808\"", I64, TS));
        assertEquals(new Value.Int(U64, -1), SatsJsonValues.fromJson("\"0xffffffffffffffff\"", U64, TS));
        assertEquals(new Value.BigInt(I128, BigInteger.valueOf(-31)), SatsJsonValues.fromJson("\"-0x1F\"", I128, TS));
        assertEquals(new Value.Int(I32, 0), SatsJsonValues.fromJson("-0", I32, TS));
        assertEquals(new Value.F64(3.0), SatsJsonValues.fromJson("3", F64, TS));
        assertEquals(new Value.F32(0.1f), SatsJsonValues.fromJson("0.1", F32, TS));
        assertEquals(new Value.F64(1e300), SatsJsonValues.fromJson("1e300", F64, TS));
    }

    @Test
    void handBuiltTreesMayUseJavaNumbersAndNull() {
        Map<String, Object> person = new LinkedHashMap<>();
        person.put("name", "Bo");
        person.put("age", 7);
        assertEquals(new Value.Product(List.of("name", "age"), List.of(new Value.Str("Bo"), new Value.Int(U8, 7))),
                SatsJsonValues.fromJsonTree(person, PERSON, TS));
        assertEquals(new Value.F64(2.5), SatsJsonValues.fromJsonTree(2.5, F64, TS));
        assertEquals(new Value.Int(U64, 9), SatsJsonValues.fromJsonTree(9L, U64, TS));
        assertEquals(Value.Opt.NONE, SatsJsonValues.fromJsonTree(null, option(STRING), TS));
        assertEquals(Value.Opt.NONE, SatsJsonValues.fromJsonTree(Json.NULL, option(STRING), TS));
    }

    // ------------------------------------------------------------------ errors

    private static final AlgebraicType.Product ARGS = product(element("person", PERSON),
            element("items", array(product(element("sku", STRING), element("qty", U16)))),
            element("status", STATUS), element("nick", option(STRING)), element("id", AlgebraicType.identity()),
            element("data", array(U8)), element("when", AlgebraicType.timestamp()), element("big", U64),
            element("ratio", F32), element("uuid", AlgebraicType.uuid()));

    private static String args(String person, String items, String status, String nick, String id, String data,
                               String when, String big, String ratio, String uuid) {
        return "{\"person\":" + person + ",\"items\":" + items + ",\"status\":" + status + ",\"nick\":" + nick
                + ",\"id\":" + id + ",\"data\":" + data + ",\"when\":" + when + ",\"big\":" + big
                + ",\"ratio\":" + ratio + ",\"uuid\":" + uuid + "}";
    }

    private static final String PERSON_OK = "{\"name\":\"Ann\",\"age\":30}";
    private static final String ITEMS_OK = "[{\"sku\":\"a\",\"qty\":1}]";
    private static final String ID_OK = "\"" + IDENTITY_HEX + "\"";
    private static final String UUID_OK = "\"" + UUID_TEXT + "\"";

    private static String argsWith(int field, String json) {
        String[] f = {PERSON_OK, ITEMS_OK, "{\"online\":[]}", "{\"none\":[]}", ID_OK, "\"\"", "0", "0", "0", UUID_OK};
        f[field] = json;
        return args(f[0], f[1], f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]);
    }

    @Test
    void validArgumentsRead() {
        Value v = SatsJsonValues.fromJson(argsWith(0, PERSON_OK), ARGS, TS, "args");
        roundTripBsatn(v, ARGS);
    }

    @Test
    void errorsNameTheJsonPath() {
        assertMessage("args.person.age: 300 is outside the range of u8",
                fails(argsWith(0, "{\"name\":\"Ann\",\"age\":300}"), ARGS, "args"));
        assertMessage("args.person.age: -1 is outside the range of u8",
                fails(argsWith(0, "[\"Ann\",-1]"), ARGS, "args"));
        assertMessage("args.person.age: expected u8 (an integer) but found the number 1.5, which is not an integer",
                fails(argsWith(0, "{\"name\":\"Ann\",\"age\":1.5}"), ARGS, "args"));
        assertMessage("args.person.age: expected u8 (an integer) but found the string \"30\"",
                fails(argsWith(0, "{\"name\":\"Ann\",\"age\":\"30\"}"), ARGS, "args"));
        assertMessage("args.person: missing element 'age'",
                fails(argsWith(0, "{\"name\":\"Ann\"}"), ARGS, "args"));
        assertMessage("args.person: no element named 'agee'; elements are [name, age]",
                fails(argsWith(0, "{\"name\":\"Ann\",\"agee\":3}"), ARGS, "args"));
        assertMessage("args.person: expected 2 elements [name, age] but found an array of 3",
                fails(argsWith(0, "[\"Ann\",3,4]"), ARGS, "args"));
        assertMessage("args.person.name: expected string but found the number 5",
                fails(argsWith(0, "{\"name\":5,\"age\":3}"), ARGS, "args"));
        assertMessage("args.person: expected a product [name, age] (a JSON object or a positional array) but found "
                + "the boolean true", fails(argsWith(0, "true"), ARGS, "args"));
        assertMessage("args.items[1].qty: 70000 is outside the range of u16",
                fails(argsWith(1, "[{\"sku\":\"a\",\"qty\":1},{\"sku\":\"b\",\"qty\":70000}]"), ARGS, "args"));
        assertMessage("args.items: expected an array but found an object",
                fails(argsWith(1, "{}"), ARGS, "args"));
        assertMessage("args.status: no variant named 'gone'; variants are [online, away, busy]",
                fails(argsWith(2, "{\"gone\":[]}"), ARGS, "args"));
        assertMessage("args.status: variant 3 does not exist; the sum has 3 variants",
                fails(argsWith(2, "[3,[]]"), ARGS, "args"));
        assertMessage("args.status: expected a sum value (an object with exactly one key, the variant name) but "
                + "found an object with 2 keys", fails(argsWith(2, "{\"online\":[],\"away\":[]}"), ARGS, "args"));
        assertMessage("args.status.busy: expected string but found the number 1",
                fails(argsWith(2, "{\"busy\":1}"), ARGS, "args"));
        assertMessage("args.status.online: expected the unit value [] but found the number 0",
                fails(argsWith(2, "{\"online\":0}"), ARGS, "args"));
        assertMessage("args.status: expected a sum value", fails(argsWith(2, "\"online\""), ARGS, "args"));
        assertMessage("args.status: expected a sum value as [tag, payload] but found an array of 1",
                fails(argsWith(2, "[0]"), ARGS, "args"));
        assertMessage("args.nick: expected string but found the number 3",
                fails(argsWith(3, "{\"some\":3}"), ARGS, "args"));
        assertMessage("args.nick: no variant named 'maybe'", fails(argsWith(3, "{\"maybe\":3}"), ARGS, "args"));
        assertMessage("args.nick: expected string but found the boolean true",
                fails(argsWith(3, "[0,true]"), ARGS, "args"));
        assertMessage("args.id: expected Identity as 64 hex digits (optionally 0x-prefixed) but found the string",
                fails(argsWith(4, "\"c200\""), ARGS, "args"));
        assertMessage("args.id: expected Identity as {\"__identity__\": ...} but found an object with keys [x]",
                fails(argsWith(4, "{\"x\":1}"), ARGS, "args"));
        assertMessage("args.id.__identity__: expected u256 (an integer, a decimal string or a 0x-prefixed hex string) "
                + "but found the boolean true", fails(argsWith(4, "{\"__identity__\":true}"), ARGS, "args"));
        assertMessage("args.id: expected Identity (a hex string or {\"__identity__\": n}) but found the number 5",
                fails(argsWith(4, "5"), ARGS, "args"));
        assertMessage("args.data: expected array<u8> as a hex string but found the string \"abc\" of odd length 3",
                fails(argsWith(5, "\"abc\""), ARGS, "args"));
        assertMessage("args.data: expected array<u8> as a hex string but found a non-hex character at index 1",
                fails(argsWith(5, "\"0g\""), ARGS, "args"));
        assertMessage("args.data[1]: 256 is outside the range of u8", fails(argsWith(5, "[1,256]"), ARGS, "args"));
        assertMessage("args.when.__timestamp_micros_since_unix_epoch__: 9223372036854775808 is outside the range of i64",
                fails(argsWith(6, "{\"__timestamp_micros_since_unix_epoch__\":9223372036854775808}"), ARGS, "args"));
        assertMessage("args.big: expected u64 but found the string \"12x\", which is neither a decimal integer nor a "
                + "0x-prefixed hex integer", fails(argsWith(7, "\"12x\""), ARGS, "args"));
        assertMessage("args.big: 1E+100 is outside the range of u64",
                fails(argsWith(7, "1e100"), ARGS, "args"));
        assertMessage("args.big: 1E+999999999 is outside the range of u64",
                fails(argsWith(7, "1e999999999"), ARGS, "args"));
        assertMessage("args.ratio: 1E+39 is outside the range of f32", fails(argsWith(8, "1e39"), ARGS, "args"));
        assertMessage("args.ratio: expected f32 (a number) but found null", fails(argsWith(8, "null"), ARGS, "args"));
        assertMessage("args.uuid: expected a Uuid string like", fails(argsWith(9, "\"123\""), ARGS, "args"));
        assertMessage("args: missing element 'uuid'", fails("{\"person\":" + PERSON_OK
                + ",\"items\":[],\"status\":[0,[]],\"nick\":null,\"id\":" + ID_OK + ",\"data\":[],\"when\":0,"
                + "\"big\":0,\"ratio\":0}", ARGS, "args"));
        assertMessage("args: not valid JSON", fails("{\"person\":", ARGS, "args"));
        assertMessage("value.", assertThrows(ValueMismatchException.class,
                () -> SatsJsonValues.fromJson(argsWith(0, "1"), ARGS, TS)));
    }

    @Test
    void stringsMustBeValidUnicode() {
        assertMessage("value: the string has a lone surrogate (\\ud83d) at index 1",
                fails("\"a\\ud83d\"", STRING, "value"));
        assertMessage("value: the string has a lone surrogate (\\ude00) at index 0",
                fails("\"\\ude00\\ud83d\"", STRING, "value"));
        assertEquals(new Value.Str("\uD83D\uDE00"), SatsJsonValues.fromJson("\"\\ud83d\\ude00\"", STRING, TS));
    }

    @Test
    void unnamedElementsNeedThePositionalForm() {
        AlgebraicType pair = product(element(null, U8), element("b", U8));
        assertMessage("value: element 0 has no name", fails("{\"b\":1}", pair, "value"));
        assertEquals(new Value.Product(java.util.Arrays.asList(null, "b"),
                List.of(new Value.Int(U8, 1), new Value.Int(U8, 2))), SatsJsonValues.fromJson("[1,2]", pair, TS));
    }

    @Test
    void brokenTypeReferencesAreSchemaErrors() {
        assertThrows(SchemaException.class, () -> SatsJsonValues.fromJson("1", new AlgebraicType.Ref(9), TS));
    }

    @Test
    void toJsonRejectsValuesOfTheWrongType() {
        ValueMismatchException e = assertThrows(ValueMismatchException.class,
                () -> SatsJsonValues.toJson(new Value.Str("x"), PERSON, TS));
        assertMessage("value: expected a product, got Str", e);
        e = assertThrows(ValueMismatchException.class, () -> SatsJsonValues.toJson(
                new Value.Product(List.of("name", "age"), List.of(new Value.Str("A"), new Value.Int(U8, 300))),
                PERSON, TS));
        assertMessage("value.age: 300 is outside the range of u8", e);
        e = assertThrows(ValueMismatchException.class, () -> SatsJsonValues.toJson(
                new Value.Sum(5, null, Value.UNIT), STATUS, TS));
        assertMessage("value: variant 5 does not exist", e);
        e = assertThrows(ValueMismatchException.class, () -> SatsJsonValues.rowsToJson(
                List.of(Value.UNIT), PERSON, TS));
        assertMessage("rows[0]: expected a product of 2 elements but the value has 0", e);
        e = assertThrows(ValueMismatchException.class, () -> SatsJsonValues.toJson(
                new Value.Int(U64, 1), AlgebraicType.timestamp(), TS));
        assertMessage("value: expected Timestamp, got Int", e);
    }

    // ------------------------------------------------------------------ JSON text details

    @Test
    void stringsAreEscapedAsSerdeJsonDoes() {
        String all = "\"\\/\b\f\n\r\t\u0000\u001f\u0020\u007f\u0080\u2028\u2029\uFFFF\uD83D\uDE00";
        String json = SatsJsonValues.toJson(new Value.Str(all), STRING, TS);
        assertEquals("\"\\\"\\\\/\\b\\f\\n\\r\\t\\u0000\\u001f \u007f\u0080\u2028\u2029\uFFFF\uD83D\uDE00\"", json);
        assertEquals(new Value.Str(all), SatsJsonValues.fromJson(json, STRING, TS));
    }

    @Test
    void floatsAreLaidOutAsSerdeJsonDoes() {
        String[][] f64 = {{"1.0", "1.0"}, {"0.1", "0.1"}, {"-2.5", "-2.5"}, {"1e15", "1000000000000000.0"},
            {"1e16", "1e16"}, {"1.5e16", "1.5e16"}, {"123456.789", "123456.789"}, {"0.001", "0.001"},
            {"0.0001", "0.0001"}, {"0.00001", "0.00001"}, {"1e-6", "1e-6"}, {"1.25e-7", "1.25e-7"},
            {"1e300", "1e300"}, {"0", "0.0"}, {"5e-324", "5e-324"}, {"1.7976931348623157e308", "1.7976931348623157e308"}};
        for (String[] c : f64) {
            assertEquals(c[1], SatsJsonValues.toJson(SatsJsonValues.fromJson(c[0], F64, TS), F64, TS), c[0]);
        }
        assertEquals("-0.0", SatsJsonValues.toJson(new Value.F64(-0.0), F64, TS));
        assertEquals("null", SatsJsonValues.toJson(new Value.F64(Double.NaN), F64, TS));
        assertEquals("null", SatsJsonValues.toJson(new Value.F64(Double.NEGATIVE_INFINITY), F64, TS));
        assertEquals("null", SatsJsonValues.toJson(new Value.F32(Float.POSITIVE_INFINITY), F32, TS));
        assertEquals("0.1", SatsJsonValues.toJson(new Value.F32(0.1f), F32, TS));
        assertEquals("1e13", SatsJsonValues.toJson(new Value.F32(1e13f), F32, TS));
        assertEquals("1000000000000.0", SatsJsonValues.toJson(new Value.F32(1e12f), F32, TS));
        assertEquals("3.4028235e38", SatsJsonValues.toJson(new Value.F32(Float.MAX_VALUE), F32, TS));
        assertEquals("0.000001", SatsJsonValues.toJson(new Value.F32(1e-6f), F32, TS));
        assertEquals("1e-7", SatsJsonValues.toJson(new Value.F32(1e-7f), F32, TS));
        assertEquals("1e-45", SatsJsonValues.toJson(new Value.F32(Float.MIN_VALUE), F32, TS));
        assertEquals("2e-323", SatsJsonValues.toJson(new Value.F64(2e-323), F64, TS));
        assertEquals("-1.0", SatsJsonValues.toJson(new Value.F64(-1), F64, TS));
    }

    // ------------------------------------------------------------------ random round trips

    @Test
    void randomValuesRoundTripThroughJsonAndBsatn() {
        Random r = new Random(20260822);
        for (int i = 0; i < 3000; i++) {
            Gen.TypedValue tv = Gen.typedValue(r);
            AlgebraicType type = tv.type();
            Value v = jsonFloats(tv.value(), r);
            String json;
            try {
                json = SatsJsonValues.toJson(v, type, Gen.TS);
            } catch (RuntimeException e) {
                throw new AssertionError("toJson failed for " + type + " / " + v, e);
            }
            Value back = SatsJsonValues.fromJson(json, type, Gen.TS);
            assertEquals(v, back, () -> "JSON " + json + " of " + type);
            ValueCodec codec = ValueCodec.compile(Gen.TS, type);
            assertEquals(v, codec.decode(codec.encode(back)), () -> "BSATN of " + json);
            assertEquals(json, SatsJsonValues.toJson(back, type, Gen.TS));
        }
    }

    /**
     * {@code v} with every float JSON cannot carry (NaN, an infinity, -0.0) drawn again from {@link Gen} until it is
     * one JSON can carry; everything else is left as it is.
     */
    private static Value jsonFloats(Value v, Random r) {
        if (v instanceof Value.F32 f && !jsonFloat(f.value())) {
            float g;
            do {
                g = Gen.f32(r);
            } while (!jsonFloat(g));
            return new Value.F32(g);
        }
        if (v instanceof Value.F64 d && !jsonFloat(d.value())) {
            double g;
            do {
                g = Gen.f64(r);
            } while (!jsonFloat(g));
            return new Value.F64(g);
        }
        if (v instanceof Value.Array a) {
            return new Value.Array(a.elements().stream().map(e -> jsonFloats(e, r)).toList());
        }
        if (v instanceof Value.Product p) {
            return new Value.Product(p.names(), p.values().stream().map(e -> jsonFloats(e, r)).toList());
        }
        if (v instanceof Value.Sum s) {
            return new Value.Sum(s.tag(), s.name(), jsonFloats(s.payload(), r));
        }
        if (v instanceof Value.Opt o && o.isPresent()) {
            return new Value.Opt(jsonFloats(o.value(), r));
        }
        return v;
    }

    private static boolean jsonFloat(double d) {
        return Double.isFinite(d) && !(d == 0 && 1 / d < 0);
    }
}
