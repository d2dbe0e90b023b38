package dev.stdb.secure.protocol.internal.json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A small, strict RFC 8259 JSON parser (JDK only).
 *
 * <p>Values map to Java as follows:
 * <ul>
 *   <li>object → unmodifiable {@code Map<String, Object>} keeping the key order of the text (a {@link LinkedHashMap});
 *       a key that occurs twice in one object is an error;</li>
 *   <li>array → unmodifiable {@code List<Object>};</li>
 *   <li>string → {@link String} (escaped lone surrogates are kept, as Java strings allow them);</li>
 *   <li>number → {@link BigDecimal}, exact: integers of any size (u256/i256 included) keep every digit;</li>
 *   <li>{@code true}/{@code false} → {@link Boolean};</li>
 *   <li>{@code null} → the {@link #NULL} sentinel (never Java {@code null}, so a map lookup can tell a missing key
 *       from a JSON null).</li>
 * </ul>
 *
 * <p>Strict: only the four JSON whitespace characters, no comments, no trailing commas, no leading zeros, no
 * {@code NaN}, no unescaped control characters in strings, only the escapes of RFC 8259 §7, nothing after the value
 * (a byte order mark is not skipped either). Hardened by {@link JsonLimits}: input size, nesting depth, number length.
 * Every error is a {@link JsonException} naming the character offset and what was expected.
 */
public final class Json {

    /** The JSON {@code null} value. */
    public static final Object NULL = JsonNull.INSTANCE;

    private enum JsonNull {
        INSTANCE;

        @Override
        public String toString() {
            return "null";
        }
    }

    private Json() {
    }

    /** Whether {@code value} is JSON {@code null}. */
    public static boolean isNull(Object value) {
        return value == NULL;
    }

    /** Parses one JSON text with {@link JsonLimits#DEFAULT}. */
    public static Object parse(CharSequence text) {
        return parse(text, JsonLimits.DEFAULT);
    }

    /** Parses one JSON text. */
    public static Object parse(CharSequence text, JsonLimits limits) {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(limits, "limits");
        if (text.length() > limits.maxInputChars()) {
            throw new JsonException("input of " + text.length() + " characters exceeds the limit of "
                    + limits.maxInputChars() + " characters", limits.maxInputChars());
        }
        return new Parser(text.toString(), limits).parseDocument();
    }

    /**
     * Reads at most {@code maxBytes} bytes of strict UTF-8 from {@code in} (to its end; the stream is not closed)
     * and parses them with {@link JsonLimits#DEFAULT} but an input limit of {@code maxBytes}.
     *
     * @throws JsonException        when the stream holds more than {@code maxBytes} bytes, is not valid UTF-8, or is
     *                              not valid JSON
     * @throws UncheckedIOException when reading fails
     */
    public static Object parse(InputStream in, int maxBytes) {
        return parse(in, maxBytes, JsonLimits.DEFAULT);
    }

    /** As {@link #parse(InputStream, int)}, with the given depth and number limits. */
    public static Object parse(InputStream in, int maxBytes, JsonLimits limits) {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(limits, "limits");
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must be >= 0, was " + maxBytes);
        }
        byte[] bytes = readAtMost(in, maxBytes);
        String text = decodeUtf8(bytes);
        // UTF-8 never has more chars than bytes, so maxBytes bounds the text as well.
        return parse(text, limits.withMaxInputChars(Math.max(maxBytes, 0)));
    }

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    private static byte[] readAtMost(InputStream in, int maxBytes) {
        byte[] buf = new byte[(int) Math.min(8192L, (long) maxBytes + 1)];
        int len = 0;
        try {
            while (true) {
                if (len == buf.length) {
                    if (len > maxBytes || len >= MAX_ARRAY) {
                        break;
                    }
                    long grown = Math.min(Math.min((long) buf.length * 2, (long) maxBytes + 1), MAX_ARRAY);
                    buf = Arrays.copyOf(buf, (int) grown);
                }
                int n = in.read(buf, len, buf.length - len);
                if (n < 0) {
                    break;
                }
                len += n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not read the JSON input", e);
        }
        if (len > maxBytes || len >= MAX_ARRAY) {
            throw JsonException.withMessage("input exceeds the limit of " + maxBytes + " bytes (at byte offset "
                    + maxBytes + ")", maxBytes);
        }
        return len == buf.length ? buf : Arrays.copyOf(buf, len);
    }

    private static String decodeUtf8(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            throw JsonException.withMessage("invalid UTF-8 at byte offset " + in.position() + " (at offset "
                    + out.position() + ")", out.position());
        }
        out.flip();
        return out.toString();
    }

    // ------------------------------------------------------------------ parser

    private static final class Parser {
        private final String s;
        private final int len;
        private final JsonLimits limits;
        private int pos;

        Parser(String s, JsonLimits limits) {
            this.s = s;
            this.len = s.length();
            this.limits = limits;
        }

        Object parseDocument() {
            Object value = parseValue(0);
            skipWhitespace();
            if (pos < len) {
                throw new JsonException("unexpected " + describe(pos) + " after the JSON value; expected end of input",
                        pos);
            }
            return value;
        }

        private Object parseValue(int depth) {
            skipWhitespace();
            if (pos >= len) {
                throw expected("a JSON value");
            }
            char c = s.charAt(pos);
            switch (c) {
                case '{':
                    return parseObject(depth + 1);
                case '[':
                    return parseArray(depth + 1);
                case '"':
                    return parseString();
                case 't':
                    return literal("true", Boolean.TRUE);
                case 'f':
                    return literal("false", Boolean.FALSE);
                case 'n':
                    return literal("null", NULL);
                default:
                    if (c == '-' || (c >= '0' && c <= '9')) {
                        return parseNumber();
                    }
                    throw expected("a JSON value");
            }
        }

        private void checkDepth(int depth) {
            if (depth > limits.maxDepth()) {
                throw new JsonException("nesting deeper than " + limits.maxDepth() + " levels", pos);
            }
        }

        private Map<String, Object> parseObject(int depth) {
            checkDepth(depth);
            pos++; // '{'
            Map<String, Object> map = new LinkedHashMap<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == '}') {
                pos++;
                return Collections.unmodifiableMap(map);
            }
            while (true) {
                skipWhitespace();
                if (pos >= len || s.charAt(pos) != '"') {
                    throw expected("'\"' starting an object key");
                }
                int keyOffset = pos;
                String key = parseString();
                if (map.containsKey(key)) {
                    throw new JsonException("duplicate key " + quote(key) + " in object", keyOffset);
                }
                skipWhitespace();
                if (pos >= len || s.charAt(pos) != ':') {
                    throw expected("':' after an object key");
                }
                pos++;
                map.put(key, parseValue(depth));
                skipWhitespace();
                if (pos < len && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < len && s.charAt(pos) == '}') {
                    pos++;
                    return Collections.unmodifiableMap(map);
                } else {
                    throw expected("',' or '}' in object");
                }
            }
        }

        private List<Object> parseArray(int depth) {
            checkDepth(depth);
            pos++; // '['
            List<Object> list = new ArrayList<>();
            skipWhitespace();
            if (pos < len && s.charAt(pos) == ']') {
                pos++;
                return Collections.unmodifiableList(list);
            }
            while (true) {
                list.add(parseValue(depth));
                skipWhitespace();
                if (pos < len && s.charAt(pos) == ',') {
                    pos++;
                } else if (pos < len && s.charAt(pos) == ']') {
                    pos++;
                    return Collections.unmodifiableList(list);
                } else {
                    throw expected("',' or ']' in array");
                }
            }
        }

        private String parseString() {
            int start = pos;
            pos++; // opening quote
            StringBuilder sb = null;
            int runStart = pos;
            while (true) {
                if (pos >= len) {
                    throw new JsonException("unterminated string (opened at offset " + start
                            + "); expected '\"' but reached end of input", pos);
                }
                char c = s.charAt(pos);
                if (c == '"') {
                    String result = sb == null ? s.substring(runStart, pos) : sb.append(s, runStart, pos).toString();
                    pos++;
                    return result;
                }
                if (c < 0x20) {
                    throw new JsonException("unescaped control character " + codePoint(c)
                            + " in string; expected it escaped (e.g. \\n or \\u" + hex4(c) + ")", pos);
                }
                if (c != '\\') {
                    pos++;
                    continue;
                }
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(s, runStart, pos);
                int escapeOffset = pos;
                pos++;
                if (pos >= len) {
                    throw new JsonException("unterminated string (opened at offset " + start
                            + "); expected an escape character but reached end of input", pos);
                }
                char e = s.charAt(pos);
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        int value = 0;
                        for (int i = 1; i <= 4; i++) {
                            int digit = pos + i < len ? hexValue(s.charAt(pos + i)) : -1;
                            if (digit < 0) {
                                throw new JsonException("invalid \\u escape; expected 4 hex digits after \\u",
                                        escapeOffset);
                            }
                            value = value * 16 + digit;
                        }
                        sb.append((char) value); // lone surrogates are kept, as in Java strings
                        pos += 4;
                    }
                    default -> throw new JsonException("invalid escape '\\" + printable(e)
                            + "'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX", escapeOffset);
                }
                pos++;
                runStart = pos;
            }
        }

        private BigDecimal parseNumber() {
            int start = pos;
            if (s.charAt(pos) == '-') {
                pos++;
            }
            if (pos < len && s.charAt(pos) == '0') {
                pos++;
            } else if (pos < len && s.charAt(pos) >= '1' && s.charAt(pos) <= '9') {
                skipDigits();
            } else {
                throw expected("a digit");
            }
            if (pos < len && s.charAt(pos) == '.') {
                pos++;
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw expected("a digit after the decimal point");
                }
                skipDigits();
            }
            if (pos < len && (s.charAt(pos) == 'e' || s.charAt(pos) == 'E')) {
                pos++;
                if (pos < len && (s.charAt(pos) == '+' || s.charAt(pos) == '-')) {
                    pos++;
                }
                if (pos >= len || !isDigit(s.charAt(pos))) {
                    throw expected("a digit in the exponent");
                }
                skipDigits();
            }
            if (pos - start > limits.maxNumberChars()) {
                throw new JsonException("number literal of " + (pos - start) + " characters exceeds the limit of "
                        + limits.maxNumberChars() + " characters", start);
            }
            try {
                return new BigDecimal(s.substring(start, pos));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new JsonException("number out of range (exponent too large)", start);
            }
        }

        private static int hexValue(char c) {
            if (c >= '0' && c <= '9') {
                return c - '0';
            }
            if (c >= 'a' && c <= 'f') {
                return c - 'a' + 10;
            }
            if (c >= 'A' && c <= 'F') {
                return c - 'A' + 10;
            }
            return -1;
        }

        private void skipDigits() {
            while (pos < len && isDigit(s.charAt(pos))) {
                pos++;
            }
        }

        private static boolean isDigit(char c) {
            return c >= '0' && c <= '9';
        }

        private Object literal(String word, Object value) {
            if (!s.startsWith(word, pos)) {
                throw expected("a JSON value");
            }
            pos += word.length();
            return value;
        }

        private void skipWhitespace() {
            while (pos < len) {
                char c = s.charAt(pos);
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    pos++;
                } else {
                    return;
                }
            }
        }

        private JsonException expected(String what) {
            return new JsonException("expected " + what + " but found " + describe(pos), pos);
        }

        private String describe(int at) {
            if (at >= len) {
                return "end of input";
            }
            char c = s.charAt(at);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == '\uFEFF') {
                return "character " + codePoint(c);
            }
            return "'" + c + "'";
        }
    }

    private static String codePoint(char c) {
        return "U+" + hex4(c);
    }

    private static String hex4(char c) {
        String h = Integer.toHexString(c).toUpperCase(java.util.Locale.ROOT);
        return "0000".substring(h.length()) + h;
    }

    private static String printable(char c) {
        return c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? codePoint(c) : String.valueOf(c);
    }

    private static String quote(String key) {
        String shown = key.length() > 64 ? key.substring(0, 64) + "..." : key;
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                sb.append("\\u").append(hex4(c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
