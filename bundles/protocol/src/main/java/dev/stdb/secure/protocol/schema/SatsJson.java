package dev.stdb.secure.protocol.schema;

import dev.stdb.secure.protocol.internal.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Path-aware reading of a parsed SATS-JSON tree (as produced by {@link Json}). Every failure is a
 * {@link SchemaException} whose message names the JSON path, e.g. {@code tables[2].product_type_ref}.
 */
final class SatsJson {

    private SatsJson() {
    }

    // ------------------------------------------------------------------ paths and errors

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    static String index(String path, int i) {
        return path + "[" + i + "]";
    }

    static SchemaException fail(String path, String problem) {
        return new SchemaException("invalid schema at " + (path.isEmpty() ? "(root)" : path) + ": " + problem);
    }

    static SchemaException fail(String path, String problem, Throwable cause) {
        return new SchemaException("invalid schema at " + (path.isEmpty() ? "(root)" : path) + ": " + problem, cause);
    }

    /** A short description of a JSON value for messages. */
    static String describe(Object node) {
        if (node == null || Json.isNull(node)) {
            return "null";
        } else if (node instanceof Map<?, ?>) {
            return "an object";
        } else if (node instanceof List<?>) {
            return "an array";
        } else if (node instanceof String s) {
            return "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
        } else if (node instanceof Boolean b) {
            return "the boolean " + b;
        } else if (node instanceof Number n) {
            String text = n instanceof BigDecimal d ? d.toString() : n.toString();
            return "the number " + (text.length() > 40 ? text.substring(0, 40) + "..." : text);
        }
        return "a " + node.getClass().getSimpleName();
    }

    // ------------------------------------------------------------------ JSON shapes

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object node, String path) {
        if (node instanceof Map<?, ?> map) {
            return (Map<String, Object>) map;
        }
        throw fail(path, "expected an object but found " + describe(node));
    }

    @SuppressWarnings("unchecked")
    static List<Object> array(Object node, String path) {
        if (node instanceof List<?> list) {
            return (List<Object>) list;
        }
        throw fail(path, "expected an array but found " + describe(node));
    }

    static String string(Object node, String path) {
        if (node instanceof String s) {
            return s;
        }
        throw fail(path, "expected a string but found " + describe(node));
    }

    static boolean bool(Object node, String path) {
        if (node instanceof Boolean b) {
            return b;
        }
        throw fail(path, "expected a boolean but found " + describe(node));
    }

    /** The value of a required field; {@code path} is the object's path. */
    static Object field(Map<String, Object> object, String key, String path) {
        Object value = object.get(key);
        if (value == null) {
            throw fail(child(path, key), "missing field '" + key + "'");
        }
        return value;
    }

    /** An integer in {@code [0, max]}; {@code typeName} (u16, u32) is for the message. */
    static long unsigned(Object node, String path, long max, String typeName) {
        BigDecimal d;
        if (node instanceof BigDecimal bd) {
            d = bd;
        } else if (node instanceof Integer || node instanceof Long || node instanceof Short || node instanceof Byte) {
            d = BigDecimal.valueOf(((Number) node).longValue());
        } else if (node instanceof BigInteger bi) {
            d = new BigDecimal(bi);
        } else {
            throw fail(path, "expected a " + typeName + " (an integer in 0.." + max + ") but found " + describe(node));
        }
        long value;
        try {
            // longValueExact rejects fractions and huge magnitudes without expanding e.g. 1e999999999.
            value = d.longValueExact();
        } catch (ArithmeticException e) {
            throw fail(path, "expected a " + typeName + " (an integer in 0.." + max + ") but found " + describe(node));
        }
        if (value < 0 || value > max) {
            throw fail(path, "expected a " + typeName + " (an integer in 0.." + max + ") but found " + describe(node));
        }
        return value;
    }

    static int u16(Object node, String path) {
        return (int) unsigned(node, path, 0xFFFF, "u16");
    }

    /** A u32 that must also fit a Java int (as used for typespace indexes). */
    static int u32Index(Object node, String path) {
        long v = unsigned(node, path, 0xFFFF_FFFFL, "u32");
        if (v > Integer.MAX_VALUE) {
            throw fail(path, "index " + v + " is too large");
        }
        return (int) v;
    }

    /**
     * A SATS sum value in its named form: an object with exactly one key, the variant name, whose value is the
     * payload.
     */
    static Map.Entry<String, Object> variant(Object node, String path) {
        if (node instanceof Map<?, ?> map && map.size() == 1) {
            Map.Entry<?, ?> e = map.entrySet().iterator().next();
            if (e.getKey() instanceof String key && e.getValue() != null) {
                return Map.entry(key, e.getValue());
            }
        }
        throw fail(path, "expected a sum value (an object with exactly one key, the variant name) but found "
                + (node instanceof Map<?, ?> map ? "an object with " + map.size() + " keys" : describe(node)));
    }

    /** A unit payload: {@code []} (what the server emits) or {@code {}}. */
    static void unit(Object node, String path) {
        if ((node instanceof List<?> l && l.isEmpty()) || (node instanceof Map<?, ?> m && m.isEmpty())) {
            return;
        }
        throw fail(path, "expected the unit value [] but found " + describe(node));
    }

    /** A SATS {@code Option}: {@code {"some": x}} gives x, {@code {"none": []}} gives Java null. */
    static Object option(Object node, String path) {
        Map.Entry<String, Object> v;
        try {
            v = variant(node, path);
        } catch (SchemaException e) {
            throw fail(path, "expected an option ({\"some\": value} or {\"none\": []}) but found "
                    + describe(node));
        }
        switch (v.getKey()) {
            case "some":
                return v.getValue();
            case "none":
                unit(v.getValue(), child(path, "none"));
                return null;
            default:
                throw fail(path, "expected an option ({\"some\": value} or {\"none\": []}) but found variant '"
                        + v.getKey() + "'");
        }
    }

    static String optionalString(Object node, String path) {
        Object some = option(node, path);
        return some == null ? null : string(some, child(path, "some"));
    }

    // ------------------------------------------------------------------ AlgebraicType

    private static final Map<String, AlgebraicType.Primitive> PRIMITIVES = new HashMap<>();

    static {
        for (AlgebraicType.Primitive p : AlgebraicType.Primitive.values()) {
            String name = switch (p) {
                case BOOL -> "Bool";
                case STRING -> "String";
                default -> p.name(); // I8 ... U256, F32, F64
            };
            PRIMITIVES.put(name, p);
        }
    }

    /**
     * Reads SATS-JSON {@code AlgebraicType}s. With a known typespace size every {@code Ref} is range-checked;
     * with {@code typespaceSize < 0} references are not checked.
     */
    static final class TypeReader {
        private final int typespaceSize;

        TypeReader(int typespaceSize) {
            this.typespaceSize = typespaceSize;
        }

        AlgebraicType type(Object node, String path) {
            Map.Entry<String, Object> v = variant(node, path);
            String tag = v.getKey();
            String p = child(path, tag);
            Object payload = v.getValue();
            switch (tag) {
                case "Ref": {
                    int index = u32Index(payload, p);
                    if (typespaceSize >= 0 && index >= typespaceSize) {
                        throw fail(p, "type reference " + index + " is outside the typespace of " + typespaceSize
                                + " types");
                    }
                    return new AlgebraicType.Ref(index);
                }
                case "Sum":
                    return sumType(payload, p);
                case "Product":
                    return productType(payload, p);
                case "Array":
                    return new AlgebraicType.Array(type(payload, p));
                default: {
                    AlgebraicType.Primitive prim = PRIMITIVES.get(tag);
                    if (prim == null) {
                        throw fail(path, "unknown type variant '" + tag + "'; expected one of Ref, Sum, Product, "
                                + "Array, String, Bool, I8, U8, I16, U16, I32, U32, I64, U64, I128, U128, I256, U256, "
                                + "F32, F64");
                    }
                    unit(payload, p);
                    return prim;
                }
            }
        }

        /** A SATS {@code ProductType}: {@code {"elements": [{"name": option<string>, "algebraic_type": ...}]}}. */
        AlgebraicType.Product productType(Object node, String path) {
            Map<String, Object> obj = object(node, path);
            String ep = child(path, "elements");
            List<Object> elements = array(field(obj, "elements", path), ep);
            AlgebraicType.Element[] out = new AlgebraicType.Element[elements.size()];
            for (int i = 0; i < out.length; i++) {
                String p = index(ep, i);
                Map<String, Object> e = object(elements.get(i), p);
                String name = optionalString(field(e, "name", p), child(p, "name"));
                AlgebraicType t = type(field(e, "algebraic_type", p), child(p, "algebraic_type"));
                out[i] = new AlgebraicType.Element(name, t);
            }
            return new AlgebraicType.Product(List.of(out));
        }

        /** A SATS {@code SumType}: {@code {"variants": [{"name": option<string>, "algebraic_type": ...}]}}. */
        AlgebraicType.Sum sumType(Object node, String path) {
            Map<String, Object> obj = object(node, path);
            String vp = child(path, "variants");
            List<Object> variants = array(field(obj, "variants", path), vp);
            if (variants.size() > 256) {
                throw fail(vp, "a sum type has at most 256 variants, found " + variants.size());
            }
            AlgebraicType.Variant[] out = new AlgebraicType.Variant[variants.size()];
            for (int i = 0; i < out.length; i++) {
                String p = index(vp, i);
                Map<String, Object> e = object(variants.get(i), p);
                String name = optionalString(field(e, "name", p), child(p, "name"));
                AlgebraicType t = type(field(e, "algebraic_type", p), child(p, "algebraic_type"));
                out[i] = new AlgebraicType.Variant(name, t);
            }
            return new AlgebraicType.Sum(List.of(out));
        }
    }
}
