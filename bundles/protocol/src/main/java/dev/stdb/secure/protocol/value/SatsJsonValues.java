package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.internal.Hex;
import dev.stdb.secure.protocol.internal.json.Json;
import dev.stdb.secure.protocol.internal.json.JsonException;
import dev.stdb.secure.protocol.internal.json.JsonWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.Typespace;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Converts between SATS-JSON and {@link Value}s of a known type, as the SpacetimeDB HTTP API uses it
 * (PROTOCOL.md §1.4, §1.5, §5.2): reducer and procedure arguments ({@code POST /v1/database/:db/call/:name}) in, SQL
 * result rows and procedure return values out.
 *
 * <h2>Reading ({@link #fromJson}, {@link #fromJsonTree})</h2>
 * What the server's typed SATS-JSON deserializer accepts ({@code crates/sats/src/de/serde.rs}, SpacetimeDB 2.8.3), plus
 * a few forms JavaScript clients send:
 * <ul>
 *   <li>product: a JSON object keyed by element name (every element required, no unknown keys) or a positional JSON
 *       array of exactly the element count; the unit product also as {@code {}};</li>
 *   <li>sum: a single-key object {@code {"<variant name>": payload}} (a key that is a number 0..255 is the tag), or
 *       {@code [tag, payload]} (tag a number, or a string as for the object key); unit payload {@code []};</li>
 *   <li>option: {@code {"some": x}} / {@code {"none": []}} and the sum forms above, and JSON {@code null} for none
 *       (the server accepts {@code null} for an option too);</li>
 *   <li>integers: JSON numbers that are integral and in range (exact: every digit of a u256 counts); for 64-bit and
 *       wider types also a decimal string ({@code "-12"}) or a {@code 0x}-prefixed hex string ({@code "0x1f"},
 *       {@code "-0x1f"}; the server's own form for i256/u256);</li>
 *   <li>f32/f64: JSON numbers (rounded to the nearest float; out of range is an error); bool; string (a lone
 *       surrogate escape is an error);</li>
 *   <li>{@code array<u8>}: a hex string without prefix (either case) or an array of numbers 0..255;</li>
 *   <li>Identity: a hex string (64 digits, optional {@code 0x}, or {@code 0x} and up to 64 digits),
 *       {@code {"__identity__": <u256>}} or {@code [<u256>]}; ConnectionId: likewise with 32 digits and
 *       {@code __connection_id__}; Timestamp: {@code {"__timestamp_micros_since_unix_epoch__": n}}, {@code [n]} or
 *       bare {@code n}; TimeDuration: {@code {"__time_duration_micros__": n}}, {@code [n]} or {@code n}; Uuid: the
 *       36-character string, {@code {"__uuid__": <u128>}} or {@code [<u128>]}.</li>
 * </ul>
 * Every error is a {@link ValueMismatchException} whose message starts with the JSON path, e.g.
 * {@code args.person.age: 300 is outside the range of u8 [0, 255]}. The values built are the ones
 * {@link ValueCodec} decodes (so BSATN round trips compare equal): {@link Value.Opt} for options, the special values
 * for Identity and friends, {@link Value.Bytes} for {@code array<u8>}.
 *
 * <h2>Writing ({@link #toJson})</h2>
 * What the server writes for SQL rows and procedure return values: it serializes the bare {@code AlgebraicValue}
 * without its type ({@code crates/sats/src/ser/impls.rs}), so
 * <ul>
 *   <li>every product is a positional array, the special ones included: Identity {@code ["0xc200…"]} (u256 as
 *       ethnum prints it: {@code 0x} and lower-case hex without leading zeros), ConnectionId and Uuid {@code [<u128>]},
 *       Timestamp and TimeDuration {@code [<i64>]};</li>
 *   <li>every sum, options included, is {@code [tag, payload]}; unit is {@code []};</li>
 *   <li>integers up to 128 bits are exact JSON numbers; i256/u256 are {@code "0x…"} / {@code "-0x…"} strings;</li>
 *   <li>floats as serde_json prints them ({@code null} when not finite); {@code array<u8>} a lower-case hex string.</li>
 * </ul>
 * Everything written here is read back by {@link #fromJson} to an equal value (non-finite floats and -0.0 aside).
 */
public final class SatsJsonValues {

    /** The path used in error messages when the caller names none. */
    private static final String ROOT = "value";

    private static final Pattern DECIMAL = Pattern.compile("-?[0-9]{1,80}");
    private static final Pattern HEX_INTEGER = Pattern.compile("-?0[xX][0-9a-fA-F]{1,64}");
    private static final Pattern UUID_TEXT = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private SatsJsonValues() {
    }

    // ------------------------------------------------------------------ reading

    /** Parses {@code json} and converts it to a value of {@code type}; errors are rooted at {@code value}. */
    public static Value fromJson(String json, AlgebraicType type, Typespace ts) {
        return fromJson(json, type, ts, ROOT);
    }

    /**
     * Parses {@code json} and converts it to a value of {@code type}.
     *
     * @param path the name of the whole value in error messages, e.g. {@code args} or a reducer name
     * @throws ValueMismatchException when the text is not JSON or does not fit the type
     * @throws dev.stdb.secure.protocol.schema.SchemaException when a type reference is outside the typespace
     */
    public static Value fromJson(String json, AlgebraicType type, Typespace ts, String path) {
        Objects.requireNonNull(json, "json");
        Object tree;
        try {
            tree = Json.parse(json);
        } catch (JsonException e) {
            throw new ValueMismatchException(path + ": not valid JSON: " + e.getMessage());
        }
        return fromJsonTree(tree, type, ts, path);
    }

    /** Converts a parsed JSON tree (as {@link Json#parse} returns it) to a value of {@code type}. */
    public static Value fromJsonTree(Object tree, AlgebraicType type, Typespace ts) {
        return fromJsonTree(tree, type, ts, ROOT);
    }

    /**
     * Converts a parsed JSON tree to a value of {@code type}. Besides what {@link Json#parse} returns, hand-built trees
     * may use Java {@code null} for JSON null and Integer/Long/BigInteger/Double/Float for numbers.
     *
     * @param path the name of the whole value in error messages
     * @throws ValueMismatchException naming the JSON path of the first problem
     */
    public static Value fromJsonTree(Object tree, AlgebraicType type, Typespace ts, String path) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ts, "ts");
        Objects.requireNonNull(path, "path");
        try {
            return new Reader(ts).read(tree, type, path);
        } catch (StackOverflowError e) {
            throw new ValueMismatchException(path + ": JSON nested too deeply");
        }
    }

    private static final class Reader {
        private final Typespace ts;

        Reader(Typespace ts) {
            this.ts = ts;
        }

        Value read(Object node, AlgebraicType type, String path) {
            AlgebraicType t = ts.resolve(type);
            if (t instanceof Primitive p) {
                return primitive(node, p, path);
            }
            if (t instanceof AlgebraicType.Array a) {
                return array(node, a, path);
            }
            if (t instanceof AlgebraicType.Product p) {
                SpecialType special = p.special();
                return special != null ? special(node, special, path) : product(node, p, path);
            }
            AlgebraicType.Sum s = (AlgebraicType.Sum) t;
            return s.isOption() ? option(node, s, path) : sum(node, s, path);
        }

        // -------------------------------------------------------------- scalars

        private Value primitive(Object node, Primitive p, String path) {
            switch (p) {
                case BOOL:
                    if (node instanceof Boolean b) {
                        return new Value.Bool(b);
                    }
                    throw expected(path, "bool (true or false)", node);
                case STRING:
                    return new Value.Str(string(node, path));
                case F32: {
                    BigDecimal d = number(node, path, "f32 (a number)");
                    float f = d == null ? ((Number) node).floatValue() : d.floatValue();
                    if (!Float.isFinite(f)) {
                        throw new ValueMismatchException(path + ": " + text(node) + " is outside the range of f32");
                    }
                    return new Value.F32(f);
                }
                case F64: {
                    BigDecimal d = number(node, path, "f64 (a number)");
                    double v = d == null ? ((Number) node).doubleValue() : d.doubleValue();
                    if (!Double.isFinite(v)) {
                        throw new ValueMismatchException(path + ": " + text(node) + " is outside the range of f64");
                    }
                    return new Value.F64(v);
                }
                default:
                    return integerValue(p, integer(node, p, path));
            }
        }

        /** A JSON number as an exact BigDecimal; null for a (finite) Double/Float of a hand-built tree. */
        private BigDecimal number(Object node, String path, String what) {
            if (node instanceof BigDecimal d) {
                return d;
            }
            if (node instanceof BigInteger b) {
                return new BigDecimal(b);
            }
            if (node instanceof Long || node instanceof Integer || node instanceof Short || node instanceof Byte) {
                return BigDecimal.valueOf(((Number) node).longValue());
            }
            if ((node instanceof Double d && Double.isFinite(d)) || (node instanceof Float f && Float.isFinite(f))) {
                return null;
            }
            throw expected(path, what, node);
        }

        private String string(Object node, String path) {
            if (!(node instanceof String s)) {
                throw expected(path, "string", node);
            }
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw new ValueMismatchException(path + ": the string has a lone surrogate (\\u"
                            + Integer.toHexString(c) + ") at index " + i + "; strings must be valid Unicode");
                }
            }
            return s;
        }

        private BigInteger integer(Object node, Primitive p, String path) {
            String name = typeName(p);
            boolean wide = p.size() >= 8;
            BigInteger v;
            if (node instanceof String s && wide) {
                v = integerText(s, p, path);
            } else {
                BigDecimal d = number(node, path, name + (wide
                        ? " (an integer, a decimal string or a 0x-prefixed hex string)" : " (an integer)"));
                if (d == null) {
                    d = new BigDecimal(node.toString()); // a finite Double/Float of a hand-built tree
                }
                v = integral(d, node, p, path);
            }
            BigInteger[] range = range(p);
            if (v.compareTo(range[0]) < 0 || v.compareTo(range[1]) > 0) {
                throw new ValueMismatchException(path + ": " + text(node) + " is outside the range of " + name
                        + " [" + range[0] + ", " + range[1] + "]");
            }
            return v;
        }

        private BigInteger integral(BigDecimal d, Object node, Primitive p, String path) {
            if (d.signum() == 0) {
                return BigInteger.ZERO;
            }
            // Digits before the point; checked before toBigInteger so 1e999999999 is not expanded.
            long intDigits = (long) d.precision() - d.scale();
            if (intDigits > 80) {
                throw new ValueMismatchException(path + ": " + text(node) + " is outside the range of " + typeName(p));
            }
            BigDecimal stripped = d.stripTrailingZeros();
            if (stripped.scale() > 0) {
                throw new ValueMismatchException(path + ": expected " + typeName(p) + " (an integer) but found "
                        + describe(node) + ", which is not an integer");
            }
            return stripped.toBigIntegerExact();
        }

        private BigInteger integerText(String s, Primitive p, String path) {
            if (DECIMAL.matcher(s).matches()) {
                return new BigInteger(s);
            }
            if (HEX_INTEGER.matcher(s).matches()) {
                boolean negative = s.startsWith("-");
                BigInteger v = new BigInteger(s.substring(negative ? 3 : 2), 16);
                return negative ? v.negate() : v;
            }
            throw new ValueMismatchException(path + ": expected " + typeName(p) + " but found " + describe(s)
                    + ", which is neither a decimal integer nor a 0x-prefixed hex integer");
        }

        // -------------------------------------------------------------- arrays

        private Value array(Object node, AlgebraicType.Array a, String path) {
            if (ts.resolve(a.element()) == Primitive.U8) {
                return bytes(node, path);
            }
            if (!(node instanceof List<?> list)) {
                throw expected(path, "an array", node);
            }
            List<Value> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(read(list.get(i), a.element(), path + "[" + i + "]"));
            }
            return new Value.Array(out);
        }

        private Value bytes(Object node, String path) {
            if (node instanceof String s) {
                if (s.length() % 2 != 0) {
                    throw new ValueMismatchException(path + ": expected array<u8> as a hex string but found "
                            + describe(s) + " of odd length " + s.length());
                }
                byte[] out = new byte[s.length() / 2];
                for (int i = 0; i < out.length; i++) {
                    int hi = Character.digit(s.charAt(2 * i), 16);
                    int lo = Character.digit(s.charAt(2 * i + 1), 16);
                    if (hi < 0 || lo < 0 || s.charAt(2 * i) > 'f' || s.charAt(2 * i + 1) > 'f') {
                        throw new ValueMismatchException(path + ": expected array<u8> as a hex string but found a "
                                + "non-hex character at index " + (hi < 0 ? 2 * i : 2 * i + 1));
                    }
                    out[i] = (byte) (hi << 4 | lo);
                }
                return new Value.Bytes(ByteString.copyOf(out));
            }
            if (node instanceof List<?> list) {
                byte[] out = new byte[list.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) integer(list.get(i), Primitive.U8, path + "[" + i + "]").intValue();
                }
                return new Value.Bytes(ByteString.copyOf(out));
            }
            throw expected(path, "array<u8> (a hex string or an array of numbers)", node);
        }

        // -------------------------------------------------------------- products

        private Value product(Object node, AlgebraicType.Product p, String path) {
            List<AlgebraicType.Element> elements = p.elements();
            List<String> names = new ArrayList<>(elements.size());
            for (AlgebraicType.Element e : elements) {
                names.add(e.name());
            }
            Value[] values = new Value[elements.size()];
            if (node instanceof List<?> list) {
                if (list.size() != elements.size()) {
                    throw new ValueMismatchException(path + ": expected " + elements.size() + " elements "
                            + names + " but found an array of " + list.size());
                }
                for (int i = 0; i < values.length; i++) {
                    values[i] = read(list.get(i), elements.get(i).type(), child(path, elements, i));
                }
            } else if (node instanceof Map<?, ?> map) {
                for (Object key : map.keySet()) {
                    if (!(key instanceof String k) || p.indexOf(k) < 0) {
                        throw new ValueMismatchException(path + ": no element named '" + key + "'; elements are "
                                + names);
                    }
                }
                for (int i = 0; i < values.length; i++) {
                    String name = elements.get(i).name();
                    if (name == null) {
                        throw new ValueMismatchException(path + ": element " + i + " has no name, so the value "
                                + "must be a positional JSON array, not an object");
                    }
                    if (!map.containsKey(name)) {
                        throw new ValueMismatchException(path + ": missing element '" + name + "'");
                    }
                    values[i] = read(map.get(name), elements.get(i).type(), child(path, elements, i));
                }
            } else {
                throw expected(path, elements.isEmpty() ? "the unit value []"
                        : "a product " + names + " (a JSON object or a positional array)", node);
            }
            return new Value.Product(names, Arrays.asList(values));
        }

        private static String child(String path, List<AlgebraicType.Element> elements, int i) {
            String name = elements.get(i).name();
            return path + "." + (name != null ? name : String.valueOf(i));
        }

        private Value special(Object node, SpecialType special, String path) {
            String field = special.fieldName();
            Object inner;
            String innerPath;
            if (node instanceof Map<?, ?> map) {
                if (map.size() != 1 || !map.containsKey(field)) {
                    throw new ValueMismatchException(path + ": expected " + specialName(special)
                            + " as {\"" + field + "\": ...} but found an object with keys " + map.keySet());
                }
                inner = map.get(field);
                innerPath = path + "." + field;
            } else if (node instanceof List<?> list) {
                if (list.size() != 1) {
                    throw new ValueMismatchException(path + ": expected " + specialName(special)
                            + " as a one-element array but found an array of " + list.size());
                }
                inner = list.get(0);
                innerPath = path + "[0]";
            } else {
                return bareSpecial(node, special, path);
            }
            BigInteger v = integer(inner, special.fieldType(), innerPath);
            return specialValue(special, v);
        }

        private Value bareSpecial(Object node, SpecialType special, String path) {
            switch (special) {
                case IDENTITY:
                    if (node instanceof String s) {
                        return new Value.IdentityValue(Identity.fromBigInteger(hexId(s, Identity.BYTES, special, path)));
                    }
                    break;
                case CONNECTION_ID:
                    if (node instanceof String s) {
                        return new Value.ConnectionIdValue(
                                ConnectionId.fromBigInteger(hexId(s, ConnectionId.BYTES, special, path)));
                    }
                    break;
                case UUID:
                    if (node instanceof String s) {
                        if (!UUID_TEXT.matcher(s).matches()) {
                            throw new ValueMismatchException(path + ": expected a Uuid string like "
                                    + "\"123e4567-e89b-12d3-a456-426614174000\" but found " + describe(s));
                        }
                        return new Value.UuidValue(UUID.fromString(s));
                    }
                    break;
                default: // TIMESTAMP, TIME_DURATION: a bare number of microseconds
                    if (!(node instanceof Map<?, ?>) && !(node instanceof List<?>)) {
                        return specialValue(special, integer(node, Primitive.I64, path));
                    }
            }
            throw expected(path, specialName(special) + " (" + specialForms(special) + ")", node);
        }

        /** 2*bytes hex digits with an optional 0x, or 0x and 1..2*bytes digits. */
        private static BigInteger hexId(String s, int bytes, SpecialType special, String path) {
            boolean prefixed = s.startsWith("0x") || s.startsWith("0X");
            String digits = prefixed ? s.substring(2) : s;
            boolean ok = !digits.isEmpty() && digits.length() <= 2 * bytes && (prefixed || digits.length() == 2 * bytes);
            for (int i = 0; ok && i < digits.length(); i++) {
                ok = Character.digit(digits.charAt(i), 16) >= 0 && digits.charAt(i) <= 'f';
            }
            if (!ok) {
                throw new ValueMismatchException(path + ": expected " + specialName(special) + " as " + 2 * bytes
                        + " hex digits (optionally 0x-prefixed) but found " + describe(s));
            }
            return new BigInteger(digits, 16);
        }

        // -------------------------------------------------------------- sums

        private record Chosen(int tag, Object payload) {
        }

        private Chosen variant(Object node, AlgebraicType.Sum s, String path) {
            if (node instanceof Map<?, ?> map) {
                if (map.size() != 1) {
                    throw new ValueMismatchException(path + ": expected a sum value (an object with exactly one key, "
                            + "the variant name) but found an object with " + map.size() + " keys; variants are "
                            + variantNames(s));
                }
                Map.Entry<?, ?> e = map.entrySet().iterator().next();
                return new Chosen(tag(String.valueOf(e.getKey()), s, path), e.getValue());
            }
            if (node instanceof List<?> list) {
                if (list.size() != 2) {
                    throw new ValueMismatchException(path + ": expected a sum value as [tag, payload] but found an "
                            + "array of " + list.size());
                }
                Object t = list.get(0);
                int tag;
                if (t instanceof String name) {
                    tag = tag(name, s, path);
                } else {
                    BigInteger n = integer(t, Primitive.U8, path + "[0]");
                    tag = checkTag(n.intValue(), s, path);
                }
                return new Chosen(tag, list.get(1));
            }
            throw expected(path, "a sum value ({\"<variant>\": payload} or [tag, payload]); variants are "
                    + variantNames(s), node);
        }

        /** As the server: a key that parses as u8 is a tag, anything else a variant name. */
        private static int tag(String key, AlgebraicType.Sum s, String path) {
            if (!key.isEmpty() && key.length() <= 3 && key.chars().allMatch(c -> c >= '0' && c <= '9')
                    && Integer.parseInt(key) <= 255) {
                return checkTag(Integer.parseInt(key), s, path);
            }
            int i = s.indexOf(key);
            if (i < 0) {
                throw new ValueMismatchException(path + ": no variant named '" + key + "'; variants are "
                        + variantNames(s));
            }
            return i;
        }

        private static int checkTag(int tag, AlgebraicType.Sum s, String path) {
            if (tag >= s.variants().size()) {
                throw new ValueMismatchException(path + ": variant " + tag + " does not exist; the sum has "
                        + s.variants().size() + " variants " + variantNames(s));
            }
            return tag;
        }

        private Value sum(Object node, AlgebraicType.Sum s, String path) {
            Chosen c = variant(node, s, path);
            AlgebraicType.Variant v = s.variants().get(c.tag());
            Value payload = read(c.payload(), v.type(), path + "." + (v.name() != null ? v.name() : c.tag()));
            return new Value.Sum(c.tag(), v.name(), payload);
        }

        private Value option(Object node, AlgebraicType.Sum s, String path) {
            if (node == null || Json.isNull(node)) {
                return Value.Opt.NONE;
            }
            Chosen c = variant(node, s, path);
            if (c.tag() == 1) {
                read(c.payload(), AlgebraicType.Product.UNIT, path + ".none");
                return Value.Opt.NONE;
            }
            return new Value.Opt(read(c.payload(), s.variants().get(0).type(), path));
        }
    }

    // ------------------------------------------------------------------ writing

    /**
     * The JSON the server writes for a value of {@code type} (SQL rows, procedure return values): see the class
     * comment.
     *
     * @throws ValueMismatchException when {@code value} is not a value of {@code type}
     */
    public static String toJson(Value value, AlgebraicType type, Typespace ts) {
        StringBuilder out = new StringBuilder();
        writeJson(out, value, type, ts, ROOT);
        return out.toString();
    }

    /**
     * The {@code rows} member of a SQL statement result: a JSON array with one positional array per row.
     *
     * @throws ValueMismatchException when a row is not a value of {@code rowType}
     */
    public static String rowsToJson(List<? extends Value> rows, AlgebraicType rowType, Typespace ts) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < rows.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            writeJson(out, rows.get(i), rowType, ts, "rows[" + i + "]");
        }
        return out.append(']').toString();
    }

    /** Appends the JSON of {@code value} (as {@link #toJson}); {@code path} names it in errors. */
    public static void writeJson(StringBuilder out, Value value, AlgebraicType type, Typespace ts, String path) {
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ts, "ts");
        try {
            new Writer(ts, out).write(value, type, path);
        } catch (StackOverflowError e) {
            throw new ValueMismatchException(path + ": value nested too deeply to write as JSON");
        }
    }

    private static final class Writer {
        private final Typespace ts;
        private final StringBuilder out;

        Writer(Typespace ts, StringBuilder out) {
            this.ts = ts;
            this.out = out;
        }

        void write(Value value, AlgebraicType type, String path) {
            AlgebraicType t = ts.resolve(type);
            if (t instanceof Primitive p) {
                primitive(value, p, path);
            } else if (t instanceof AlgebraicType.Array a) {
                array(value, a, path);
            } else if (t instanceof AlgebraicType.Product p) {
                SpecialType special = p.special();
                if (special != null) {
                    special(value, special, path);
                } else {
                    product(value, p, path);
                }
            } else {
                AlgebraicType.Sum s = (AlgebraicType.Sum) t;
                if (s.isOption()) {
                    option(value, s, path);
                } else {
                    sum(value, s, path);
                }
            }
        }

        private void primitive(Value value, Primitive p, String path) {
            switch (p) {
                case BOOL:
                    if (value instanceof Value.Bool b) {
                        out.append(b.value() ? "true" : "false");
                        return;
                    }
                    break;
                case STRING:
                    if (value instanceof Value.Str s) {
                        JsonWriter.string(out, s.value());
                        return;
                    }
                    break;
                case F32:
                    if (value instanceof Value.F32 f) {
                        JsonWriter.f32(out, f.value());
                        return;
                    }
                    break;
                case F64:
                    if (value instanceof Value.F64 f) {
                        JsonWriter.f64(out, f.value());
                        return;
                    }
                    if (value instanceof Value.F32 f) {
                        JsonWriter.f64(out, f.value());
                        return;
                    }
                    break;
                default: {
                    BigInteger v;
                    if (value instanceof Value.Int i) {
                        v = i.toBigInteger();
                    } else if (value instanceof Value.BigInt b) {
                        v = b.value();
                    } else {
                        break;
                    }
                    BigInteger[] range = range(p);
                    if (v.compareTo(range[0]) < 0 || v.compareTo(range[1]) > 0) {
                        throw new ValueMismatchException(path + ": " + v + " is outside the range of " + typeName(p)
                                + " [" + range[0] + ", " + range[1] + "]");
                    }
                    if (p.size() == 32) {
                        out.append(ethnumHex(v)).append('"');
                    } else {
                        out.append(v);
                    }
                    return;
                }
            }
            throw mismatch(path, typeName(p), value);
        }

        /** u256/i256 as ethnum's serde impl writes them: {@code "0x1f"}, {@code "-0x1f"} (opening quote included). */
        private static String ethnumHex(BigInteger v) {
            return (v.signum() < 0 ? "\"-0x" : "\"0x") + v.abs().toString(16);
        }

        private void array(Value value, AlgebraicType.Array a, String path) {
            if (ts.resolve(a.element()) == Primitive.U8) {
                if (value instanceof Value.Bytes b) {
                    out.append('"').append(b.value().toHex()).append('"');
                    return;
                }
                if (value instanceof Value.Array arr) {
                    byte[] bytes = new byte[arr.elements().size()];
                    for (int i = 0; i < bytes.length; i++) {
                        Value e = arr.elements().get(i);
                        if (!(e instanceof Value.Int n) || n.value() < 0 || n.value() > 255) {
                            throw mismatch(path + "[" + i + "]", "u8", e);
                        }
                        bytes[i] = (byte) n.value();
                    }
                    out.append('"').append(Hex.encode(bytes)).append('"');
                    return;
                }
                throw mismatch(path, "array<u8>", value);
            }
            if (!(value instanceof Value.Array arr)) {
                throw mismatch(path, "an array", value);
            }
            out.append('[');
            for (int i = 0; i < arr.elements().size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(arr.elements().get(i), a.element(), path + "[" + i + "]");
            }
            out.append(']');
        }

        private void product(Value value, AlgebraicType.Product p, String path) {
            if (!(value instanceof Value.Product v)) {
                throw mismatch(path, p.elements().isEmpty() ? "the unit value" : "a product", value);
            }
            List<AlgebraicType.Element> elements = p.elements();
            if (v.values().size() != elements.size()) {
                throw new ValueMismatchException(path + ": expected a product of " + elements.size()
                        + " elements but the value has " + v.values().size());
            }
            out.append('[');
            for (int i = 0; i < elements.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(v.values().get(i), elements.get(i).type(), Reader.child(path, elements, i));
            }
            out.append(']');
        }

        private void special(Value value, SpecialType special, String path) {
            String inner;
            if (special == SpecialType.IDENTITY && value instanceof Value.IdentityValue v) {
                inner = ethnumHex(v.value().toBigInteger()) + '"';
            } else if (special == SpecialType.CONNECTION_ID && value instanceof Value.ConnectionIdValue v) {
                inner = v.value().toBigInteger().toString();
            } else if (special == SpecialType.TIMESTAMP && value instanceof Value.TimestampValue v) {
                inner = Long.toString(v.value().micros());
            } else if (special == SpecialType.TIME_DURATION && value instanceof Value.TimeDurationValue v) {
                inner = Long.toString(v.value().micros());
            } else if (special == SpecialType.UUID && value instanceof Value.UuidValue v) {
                inner = uuidToU128(v.value()).toString();
            } else {
                throw mismatch(path, specialName(special), value);
            }
            out.append('[').append(inner).append(']');
        }

        private void sum(Value value, AlgebraicType.Sum s, String path) {
            if (!(value instanceof Value.Sum v)) {
                throw mismatch(path, "a sum value", value);
            }
            if (v.tag() < 0 || v.tag() >= s.variants().size()) {
                throw new ValueMismatchException(path + ": variant " + v.tag() + " does not exist; the sum has "
                        + s.variants().size() + " variants " + variantNames(s));
            }
            AlgebraicType.Variant variant = s.variants().get(v.tag());
            out.append('[').append(v.tag()).append(',');
            write(v.payload(), variant.type(),
                    path + "." + (variant.name() != null ? variant.name() : String.valueOf(v.tag())));
            out.append(']');
        }

        private void option(Value value, AlgebraicType.Sum s, String path) {
            Value some;
            if (value instanceof Value.Opt o) {
                some = o.value();
            } else if (value instanceof Value.Sum v && (v.tag() == 0 || v.tag() == 1)) {
                some = v.tag() == 0 ? v.payload() : null;
            } else {
                throw mismatch(path, "an option", value);
            }
            if (some == null) {
                out.append("[1,[]]");
            } else {
                out.append("[0,");
                write(some, s.variants().get(0).type(), path);
                out.append(']');
            }
        }
    }

    /** The u128 SATS stores for a UUID: its 128 bits, most significant first. */
    private static BigInteger uuidToU128(UUID u) {
        byte[] be = new byte[16];
        long hi = u.getMostSignificantBits();
        long lo = u.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            be[i] = (byte) (hi >>> (56 - 8 * i));
            be[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return new BigInteger(1, be);
    }

    // ------------------------------------------------------------------ shared

    private static Value integerValue(Primitive p, BigInteger v) {
        return p.size() <= 8 ? new Value.Int(p, v.longValue()) : new Value.BigInt(p, v);
    }

    private static Value specialValue(SpecialType special, BigInteger v) {
        return switch (special) {
            case IDENTITY -> new Value.IdentityValue(Identity.fromBigInteger(v));
            case CONNECTION_ID -> new Value.ConnectionIdValue(ConnectionId.fromBigInteger(v));
            case TIMESTAMP -> new Value.TimestampValue(new Timestamp(v.longValue()));
            case TIME_DURATION -> new Value.TimeDurationValue(new TimeDuration(v.longValue()));
            case UUID -> new Value.UuidValue(new UUID(v.shiftRight(64).longValue(), v.longValue()));
        };
    }

    private static final BigInteger[][] RANGES = new BigInteger[Primitive.values().length][];

    static {
        for (Primitive p : Primitive.values()) {
            if (p.isInteger()) {
                int bits = p.size() * 8;
                BigInteger min = p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
                BigInteger max = (p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1) : BigInteger.ONE.shiftLeft(bits))
                        .subtract(BigInteger.ONE);
                RANGES[p.ordinal()] = new BigInteger[] {min, max};
            }
        }
    }

    private static BigInteger[] range(Primitive p) {
        return RANGES[p.ordinal()];
    }

    private static String typeName(Primitive p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    private static String specialName(SpecialType special) {
        return switch (special) {
            case IDENTITY -> "Identity";
            case CONNECTION_ID -> "ConnectionId";
            case TIMESTAMP -> "Timestamp";
            case TIME_DURATION -> "TimeDuration";
            case UUID -> "Uuid";
        };
    }

    private static String specialForms(SpecialType special) {
        String field = "{\"" + special.fieldName() + "\": n}";
        return switch (special) {
            case IDENTITY, CONNECTION_ID -> "a hex string or " + field;
            case UUID -> "a UUID string or " + field;
            default -> "a number of microseconds or " + field;
        };
    }

    private static List<String> variantNames(AlgebraicType.Sum s) {
        List<String> names = new ArrayList<>(s.variants().size());
        for (AlgebraicType.Variant v : s.variants()) {
            names.add(v.name());
        }
        return names;
    }

    private static ValueMismatchException expected(String path, String what, Object node) {
        return new ValueMismatchException(path + ": expected " + what + " but found " + describe(node));
    }

    private static ValueMismatchException mismatch(String path, String what, Value value) {
        return new ValueMismatchException(path + ": expected " + what + ", got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }

    /** The number's text (shortened), for range messages. */
    private static String text(Object node) {
        String t = node instanceof BigDecimal d ? d.toString() : String.valueOf(node);
        return node instanceof String ? "\"" + shorten(t) + "\"" : shorten(t);
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    /** A short description of a JSON value for messages. */
    private static String describe(Object node) {
        if (node == null || Json.isNull(node)) {
            return "null";
        } else if (node instanceof Map<?, ?>) {
            return "an object";
        } else if (node instanceof List<?> l) {
            return "an array of " + l.size();
        } else if (node instanceof String s) {
            return "the string \"" + shorten(s) + "\"";
        } else if (node instanceof Boolean b) {
            return "the boolean " + b;
        } else if (node instanceof Number) {
            return "the number " + text(node);
        }
        return "a " + node.getClass().getSimpleName();
    }
}
