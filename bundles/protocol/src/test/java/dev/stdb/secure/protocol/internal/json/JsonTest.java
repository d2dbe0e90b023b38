package dev.stdb.secure.protocol.internal.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> obj(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> arr(Object o) {
        return (List<Object>) o;
    }

    private static JsonException error(String json) {
        return assertThrows(JsonException.class, () -> Json.parse(json));
    }

    private static void assertError(String json, int offset, String messagePart) {
        JsonException e = error(json);
        assertEquals(offset, e.offset(), () -> "offset for " + json + ": " + e.getMessage());
        assertTrue(e.getMessage().contains(messagePart), () -> "message for " + json + ": " + e.getMessage());
        assertTrue(e.getMessage().contains("offset " + offset), e::getMessage);
    }

    // ------------------------------------------------------------------ values

    @Test
    void parsesAllValueKinds() {
        Map<String, Object> m = obj(Json.parse(
                " {\"s\": \"x\", \"n\": -12.5e1, \"t\": true, \"f\": false, \"z\": null, \"a\": [1, [], {}], \"o\": {}}\n"));
        assertEquals("x", m.get("s"));
        assertEquals(0, new BigDecimal("-125").compareTo((BigDecimal) m.get("n")));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertSame(Json.NULL, m.get("z"));
        assertTrue(Json.isNull(m.get("z")));
        assertEquals("null", Json.NULL.toString());
        assertEquals(List.of(new BigDecimal("1"), List.of(), Map.of()), m.get("a"));
        assertEquals(Map.of(), m.get("o"));
        assertEquals(Boolean.TRUE, Json.parse("true"));
        assertEquals("", Json.parse("\"\""));
        assertSame(Json.NULL, Json.parse("null"));
    }

    @Test
    void keepsKeyOrderAndIsImmutable() {
        Map<String, Object> m = obj(Json.parse("{\"z\":1,\"a\":2,\"m\":3,\"b\":4}"));
        assertTrue(m instanceof Map);
        assertEquals(List.of("z", "a", "m", "b"), new ArrayList<>(m.keySet()));
        assertThrows(UnsupportedOperationException.class, () -> m.put("x", 1));
        List<Object> l = arr(Json.parse("[3,1,2]"));
        assertThrows(UnsupportedOperationException.class, () -> l.add(1));
    }

    @Test
    void keepsBigIntegersExact() {
        String u128Max = "340282366920938463463374607431768211455";
        String u256Max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
        String i256Min = "-57896044618658097711785492504343953926634992332820282019728792003956564819968";
        List<Object> l = arr(Json.parse("[" + u128Max + "," + u256Max + "," + i256Min + ", 18446744073709551615, -0]"));
        assertEquals(new BigInteger(u128Max), ((BigDecimal) l.get(0)).toBigIntegerExact());
        assertEquals(new BigInteger(u256Max), ((BigDecimal) l.get(1)).toBigIntegerExact());
        assertEquals(new BigInteger(i256Min), ((BigDecimal) l.get(2)).toBigIntegerExact());
        assertEquals(new BigInteger("18446744073709551615"), ((BigDecimal) l.get(3)).toBigIntegerExact());
        assertEquals(0, ((BigDecimal) l.get(4)).signum());
    }

    @Test
    void parsesNumberForms() {
        List<Object> l = arr(Json.parse("[0, -0.0, 1.25, 1e3, 1E+3, 25e-1, 0.5E-0]"));
        String[] expected = {"0", "0", "1.25", "1000", "1000", "2.5", "0.5"};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(0, new BigDecimal(expected[i]).compareTo((BigDecimal) l.get(i)), "element " + i);
        }
        assertEquals(new BigDecimal("1.25"), l.get(2)); // exact, scale kept
    }

    @Test
    void decodesEscapes() {
        assertEquals("\"\\/\b\f\n\r\t", Json.parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\""));
        assertEquals("A\u00e9\u4e2d", Json.parse("\"\\u0041\\u00E9\\u4e2d\""));
        assertEquals("plain é 中 \uD83D\uDE00 text", Json.parse("\"plain é 中 \uD83D\uDE00 text\""));
    }

    @Test
    void decodesSurrogatePairsAndKeepsLoneSurrogates() {
        String pair = (String) Json.parse("\"\\uD83D\\uDE00\"");
        assertEquals(0x1F600, pair.codePointAt(0));
        assertEquals(2, pair.length());
        String lone = (String) Json.parse("\"a\\uD800b\"");
        assertEquals("a\uD800b", lone);
        String loneLow = (String) Json.parse("\"\\uDC00\"");
        assertEquals("\uDC00", loneLow);
    }

    // ------------------------------------------------------------------ errors name the offset

    @Test
    void rejectsTrailingGarbage() {
        assertError("{\"a\":1} x", 8, "unexpected 'x' after the JSON value");
        assertError("[1,2]]", 5, "after the JSON value");
        assertError("1 2", 2, "after the JSON value");
        assertError("01", 1, "after the JSON value");
        assertError("nullx", 4, "after the JSON value");
    }

    @Test
    void rejectsDuplicateKeys() {
        assertError("{\"a\":1,\"b\":2,\"a\":3}", 13, "duplicate key \"a\"");
        assertError("{\"o\":{\"k\":1, \"k\":1}}", 13, "duplicate key \"k\"");
        // the same key in different objects is fine
        assertEquals(2, obj(Json.parse("{\"a\":{\"a\":1},\"b\":{\"a\":2}}")).size());
    }

    @Test
    void rejectsUnterminatedStrings() {
        JsonException e = error("[\"abc");
        assertEquals(5, e.offset());
        assertTrue(e.getMessage().contains("unterminated string (opened at offset 1)"), e.getMessage());
        assertError("\"abc\\", 5, "unterminated string");
        assertError("{\"key", 5, "unterminated string");
    }

    @Test
    void rejectsControlCharactersAndBadEscapes() {
        assertError("\"a\nb\"", 2, "unescaped control character U+000A");
        assertError("\"a\u0000\"", 2, "unescaped control character U+0000");
        assertError("\"tab\there\"", 4, "U+0009");
        assertError("\"x\\q\"", 2, "invalid escape '\\q'");
        assertError("\"x\\'\"", 2, "invalid escape");
        assertError("\"\\u12G4\"", 1, "invalid \\u escape");
        assertError("\"\\u12\"", 1, "invalid \\u escape");
        assertError("\"\\u٣٣٣٣\"", 1, "invalid \\u escape"); // non-ASCII digits are not hex digits
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "''|0|expected a JSON value but found end of input",
            "'   '|3|expected a JSON value but found end of input",
            "'[1,]'|3|expected a JSON value but found ']'",
            "'[1 2]'|3|expected ',' or ']' in array",
            "'{\"a\" 1}'|5|expected ':' after an object key",
            "'{\"a\":1,}'|7|expected '\"' starting an object key",
            "'{,}'|1|expected '\"' starting an object key",
            "'{\"a\":1 \"b\":2}'|7|expected ',' or '}' in object",
            "'-'|1|expected a digit",
            "'-a'|1|expected a digit",
            "'1.'|2|expected a digit after the decimal point",
            "'1.e5'|2|expected a digit after the decimal point",
            "'1e'|2|expected a digit in the exponent",
            "'1e+'|3|expected a digit in the exponent",
            "'.5'|0|expected a JSON value",
            "'+1'|0|expected a JSON value",
            "'tru'|0|expected a JSON value",
            "'True'|0|expected a JSON value",
            "'NaN'|0|expected a JSON value",
            "'Infinity'|0|expected a JSON value",
            "'''a'''|0|expected a JSON value",
            "'[1] // c'|4|after the JSON value",
            "'/* c */ 1'|0|expected a JSON value",
            "'[1,\u00a02]'|3|expected a JSON value",
    })
    void rejectsMalformedInput(String json, int offset, String message) {
        assertError(json, offset, message);
    }

    @Test
    void rejectsByteOrderMark() {
        assertError("\uFEFF{}", 0, "character U+FEFF");
    }

    @Test
    void rejectsNumbersOutOfRange() {
        assertError("[1e9999999999]", 1, "number out of range");
    }

    // ------------------------------------------------------------------ limits

    @Test
    void depthLimitDefaultsTo512() {
        assertEquals(512, JsonLimits.DEFAULT.maxDepth());
        String ok = "[".repeat(512) + "]".repeat(512);
        Object v = Json.parse(ok);
        for (int i = 0; i < 511; i++) {
            v = arr(v).get(0);
        }
        assertEquals(List.of(), v);
        assertError("[".repeat(513) + "]".repeat(513), 512, "nesting deeper than 512 levels");
        // objects count as well
        String objects = "{\"a\":".repeat(513) + "1" + "}".repeat(513);
        JsonException e = error(objects);
        assertEquals(5 * 512, e.offset());
        assertTrue(e.getMessage().contains("nesting deeper than 512 levels"));
    }

    @Test
    void hostileNestingDoesNotOverflowTheStack() {
        assertError("[".repeat(1_000_000), 512, "nesting deeper than 512 levels");
        assertError("{\"a\":[".repeat(300_000), 6 * 256, "nesting deeper"); // depth 513 is the 257th object
    }

    @Test
    void depthLimitIsConfigurable() {
        JsonLimits three = JsonLimits.DEFAULT.withMaxDepth(3);
        assertEquals(List.of(List.of(List.of())), Json.parse("[[[]]]", three));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("[[[[]]]]", three));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("nesting deeper than 3 levels"), e.getMessage());
        assertEquals("x", Json.parse("\"x\"", JsonLimits.DEFAULT.withMaxDepth(0)));
        assertThrows(JsonException.class, () -> Json.parse("[]", JsonLimits.DEFAULT.withMaxDepth(0)));
        assertThrows(IllegalArgumentException.class, () -> JsonLimits.DEFAULT.withMaxDepth(100_000));
        assertThrows(IllegalArgumentException.class, () -> JsonLimits.DEFAULT.withMaxDepth(-1));
    }

    @Test
    void inputSizeLimit() {
        JsonLimits ten = JsonLimits.DEFAULT.withMaxInputChars(10);
        assertEquals("12345678", Json.parse("\"12345678\"", ten));
        JsonException e = assertThrows(JsonException.class, () -> Json.parse("\"123456789\"", ten));
        assertEquals(10, e.offset());
        assertTrue(e.getMessage().contains("exceeds the limit of 10 characters"), e.getMessage());
    }

    @Test
    void numberLengthLimit() {
        String digits = "9".repeat(JsonLimits.DEFAULT_MAX_NUMBER_CHARS);
        assertEquals(new BigInteger(digits), ((BigDecimal) Json.parse(digits)).toBigIntegerExact());
        JsonException e = error("[1, " + digits + "9]");
        assertEquals(4, e.offset());
        assertTrue(e.getMessage().contains("exceeds the limit of " + JsonLimits.DEFAULT_MAX_NUMBER_CHARS), e.getMessage());
        JsonLimits small = JsonLimits.DEFAULT.withMaxNumberChars(3);
        assertEquals(new BigDecimal("-12"), Json.parse("-12", small));
        assertThrows(JsonException.class, () -> Json.parse("1234", small));
    }

    // ------------------------------------------------------------------ streams

    private static InputStream utf8(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void parsesUtf8Streams() {
        Map<String, Object> m = obj(Json.parse(utf8("{\"k\":\"é中\uD83D\uDE00\"}"), 100));
        assertEquals("é中\uD83D\uDE00", m.get("k"));
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("a", new BigDecimal("1"));
        assertEquals(expected, Json.parse(utf8("{\"a\":1}"), 7)); // exactly at the limit
    }

    @Test
    void streamSizeLimit() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(utf8("{\"a\":12}"), 7));
        assertEquals(7, e.offset());
        assertTrue(e.getMessage().contains("exceeds the limit of 7 bytes"), e.getMessage());
        // a stream that never ends is cut off at the limit
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                return ' ';
            }
        };
        JsonException big = assertThrows(JsonException.class, () -> Json.parse(endless, 100_000));
        assertEquals(100_000, big.offset());
    }

    @Test
    void rejectsMalformedUtf8() {
        byte[] bytes = {'"', 'a', 'b', (byte) 0xC3, '"'}; // truncated 2-byte sequence
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(new ByteArrayInputStream(bytes), 100));
        assertEquals(3, e.offset());
        assertTrue(e.getMessage().contains("invalid UTF-8 at byte offset 3"), e.getMessage());
        byte[] surrogate = {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'}; // encoded U+D800 is not UTF-8
        assertThrows(JsonException.class, () -> Json.parse(new ByteArrayInputStream(surrogate), 100));
    }

    @Test
    void readFailuresAreUncheckedIo() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("boom");
            }
        };
        assertThrows(UncheckedIOException.class, () -> Json.parse(failing, 10));
    }
}
