package dev.stdb.secure.protocol.internal.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/**
 * A small compact JSON writer (JDK only), the counterpart of {@link Json}: writes trees of {@link Map} (keys must be
 * strings; the map's iteration order is kept), {@link List}, {@link String}, {@link Number}, {@link Boolean} and
 * {@link Json#NULL} (or Java {@code null}).
 *
 * <p>Strings are escaped as serde_json does: {@code "} and {@code \}, the control characters U+0000..U+001F
 * ({@code \b \t \n \f \r}, others as <code>&#92;u00XX</code>); everything else, U+2028/U+2029 included, is
 * written as is, except lone surrogates, which are written as <code>&#92;uXXXX</code> escapes so the output stays
 * valid UTF-8 when encoded.
 *
 * <p>Numbers: integers ({@link Integer}, {@link Long}, {@link Short}, {@link Byte}, {@link BigInteger}) exactly;
 * {@link BigDecimal} exactly (possibly with an exponent, e.g. {@code 1E+3}); {@link Double} and {@link Float} as
 * serde_json prints them with Rust's {@code ryu}: the shortest digits that read back, laid out as {@code 1.0},
 * {@code 0.001}, {@code 1e-7}, {@code 1.5e30}, and {@code null} when not finite.
 */
public final class JsonWriter {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private JsonWriter() {
    }

    /** The compact JSON text of a tree. */
    public static String write(Object tree) {
        StringBuilder out = new StringBuilder();
        write(out, tree);
        return out.toString();
    }

    /** Appends the compact JSON text of a tree. */
    public static void write(StringBuilder out, Object node) {
        if (node == null || Json.isNull(node)) {
            out.append("null");
        } else if (node instanceof String s) {
            string(out, s);
        } else if (node instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (node instanceof Double d) {
            f64(out, d);
        } else if (node instanceof Float f) {
            f32(out, f);
        } else if (node instanceof BigDecimal d) {
            out.append(d.toString());
        } else if (node instanceof BigInteger || node instanceof Long || node instanceof Integer
                || node instanceof Short || node instanceof Byte) {
            out.append(node.toString());
        } else if (node instanceof Map<?, ?> map) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys must be strings, got "
                            + (e.getKey() == null ? "null" : e.getKey().getClass().getName()));
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                string(out, key);
                out.append(':');
                write(out, e.getValue());
            }
            out.append('}');
        } else if (node instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else {
            throw new IllegalArgumentException("cannot write a " + node.getClass().getName() + " as JSON");
        }
    }

    /** Appends {@code s} as a quoted, escaped JSON string. */
    public static void string(StringBuilder out, String s) {
        out.append('"');
        int n = s.length();
        int start = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            String escape = null;
            if (c == '"') {
                escape = "\\\"";
            } else if (c == '\\') {
                escape = "\\\\";
            } else if (c < 0x20) {
                escape = switch (c) {
                    case '\b' -> "\\b";
                    case '\t' -> "\\t";
                    case '\n' -> "\\n";
                    case '\f' -> "\\f";
                    case '\r' -> "\\r";
                    default -> unicodeEscape(c);
                };
            } else if (Character.isHighSurrogate(c)) {
                if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++; // a valid pair: written as is
                    continue;
                }
                escape = unicodeEscape(c);
            } else if (Character.isLowSurrogate(c)) {
                escape = unicodeEscape(c); // lone: a valid pair's low half was skipped above
            }
            if (escape != null) {
                out.append(s, start, i).append(escape);
                start = i + 1;
            }
        }
        out.append(s, start, n).append('"');
    }

    private static String unicodeEscape(char c) {
        return "\\u" + HEX[(c >> 12) & 0xf] + HEX[(c >> 8) & 0xf] + HEX[(c >> 4) & 0xf] + HEX[c & 0xf];
    }

    /** Appends an f64 as serde_json (ryu's {@code format64}) writes it; {@code null} when not finite. */
    public static void f64(StringBuilder out, double d) {
        if (!Double.isFinite(d)) {
            out.append("null");
        } else if (d == 0) {
            out.append(1 / d < 0 ? "-0.0" : "0.0");
        } else {
            floating(out, shortest(d), 16, -5);
        }
    }

    /** Appends an f32 as serde_json (ryu's {@code format32}) writes it; {@code null} when not finite. */
    public static void f32(StringBuilder out, float f) {
        if (!Float.isFinite(f)) {
            out.append("null");
        } else if (f == 0) {
            out.append(1 / f < 0 ? "-0.0" : "0.0");
        } else {
            floating(out, shortest(f), 13, -6);
        }
    }

    /** The shortest decimal that reads back as {@code d}, the closest to it among those (what ryu computes). */
    static BigDecimal shortest(double d) {
        BigDecimal exact = new BigDecimal(d);
        for (int p = 1; p <= 17; p++) {
            BigDecimal c = pick(exact, p, x -> x.doubleValue() == d);
            if (c != null) {
                return c;
            }
        }
        return new BigDecimal(Double.toString(d)); // not reached: 17 digits always read back
    }

    /** The shortest decimal that reads back as {@code f}, the closest to it among those. */
    static BigDecimal shortest(float f) {
        BigDecimal exact = new BigDecimal(f);
        for (int p = 1; p <= 9; p++) {
            BigDecimal c = pick(exact, p, x -> x.floatValue() == f);
            if (c != null) {
                return c;
            }
        }
        return new BigDecimal(Float.toString(f)); // not reached: 9 digits always read back
    }

    /**
     * The {@code p}-digit decimal nearest to {@code exact} if it reads back, else a {@code p}-digit neighbour that
     * does (near a power of two the interval that reads back is lopsided), else null.
     */
    private static BigDecimal pick(BigDecimal exact, int p, java.util.function.Predicate<BigDecimal> readsBack) {
        BigDecimal nearest = exact.round(new java.math.MathContext(p, java.math.RoundingMode.HALF_EVEN));
        if (readsBack.test(nearest)) {
            return nearest;
        }
        BigDecimal up = nearest.add(nearest.ulp());
        BigDecimal down = nearest.subtract(nearest.ulp());
        boolean upOk = up.precision() <= p && readsBack.test(up);
        boolean downOk = down.precision() <= p && down.signum() == exact.signum() && readsBack.test(down);
        if (upOk && downOk) {
            return up.subtract(exact).abs().compareTo(exact.subtract(down).abs()) <= 0 ? up : down;
        }
        return upOk ? up : downOk ? down : null;
    }

    /**
     * Lays out a non-zero decimal as ryu's {@code format64}/{@code format32} do: plain {@code 123.0}, {@code 1.25},
     * {@code 0.0001} while the decimal exponent is within bounds, else {@code 1e30} / {@code 1.5e-7}.
     */
    private static void floating(StringBuilder out, BigDecimal value, int maxPlain, int minSmall) {
        BigDecimal d = value;
        if (d.signum() < 0) {
            out.append('-');
            d = d.negate();
        }
        d = d.stripTrailingZeros();
        String digits = d.unscaledValue().toString();
        int length = digits.length();
        int k = -d.scale(); // value = digits * 10^k
        int kk = length + k; // 10^(kk-1) <= value < 10^kk
        if (k >= 0 && kk <= maxPlain) {
            out.append(digits);
            for (int i = 0; i < k; i++) {
                out.append('0');
            }
            out.append(".0");
        } else if (kk > 0 && kk <= maxPlain) {
            out.append(digits, 0, kk).append('.').append(digits, kk, length);
        } else if (kk > minSmall && kk <= 0) {
            out.append("0.");
            for (int i = kk; i < 0; i++) {
                out.append('0');
            }
            out.append(digits);
        } else {
            out.append(digits.charAt(0));
            if (length > 1) {
                out.append('.').append(digits, 1, length);
            }
            out.append('e').append(kk - 1);
        }
    }
}
