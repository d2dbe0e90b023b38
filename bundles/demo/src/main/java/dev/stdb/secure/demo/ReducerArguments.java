package dev.stdb.secure.demo;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.Typespace;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Reducer arguments from one line of text, read by the types of the reducer's parameters in the module's schema:
 * {@code Ada Lovelace,36} for {@code add_person(name: string, age: u8)}.
 *
 * <p>Arguments are separated by commas and trimmed. An argument in double quotes is taken verbatim (commas and
 * blanks included; {@code ""} inside stands for one quote). Each is read by its parameter's type: integers of every
 * width (range-checked), {@code f32}/{@code f64}, {@code bool} ({@code true} or {@code false}), {@code string}, and
 * options of these (an empty argument is {@code none}). Other types (identities, arrays, products) cannot be written
 * as text here and are refused with the parameter's name.
 */
public final class ReducerArguments {
    private ReducerArguments() {
    }

    /**
     * The arguments of {@code reducer}, in declaration order, as the Java values
     * {@link dev.stdb.secure.core.Connection#callReducer(String, Object...)} encodes: String, Boolean, Long or
     * BigInteger, Float or Double, and null for an empty option.
     *
     * @throws IllegalArgumentException naming the reducer, the parameter and what was wrong (the reducer is not in the
     *                                  module, the count differs, or an argument does not fit its type)
     */
    public static Object[] parse(ModuleSchema schema, String reducer, String text) {
        ReducerDef def = schema.reducer(reducer).orElseThrow(() -> new IllegalArgumentException(
                "no reducer named '" + reducer + "' in the module; reducers: " + reducerNames(schema)));
        List<AlgebraicType.Element> params = def.params().elements();
        List<String> fields = split(text);
        if (fields.size() != params.size()) {
            throw new IllegalArgumentException(signature(schema, reducer) + " takes " + params.size() + " argument"
                    + (params.size() == 1 ? "" : "s") + ", got " + fields.size() + ": '" + (text == null ? "" : text)
                    + "'");
        }
        Object[] args = new Object[params.size()];
        for (int i = 0; i < args.length; i++) {
            AlgebraicType.Element param = params.get(i);
            String name = param.name() != null ? param.name() : "#" + i;
            args[i] = convert(schema.typespace(), param.type(), fields.get(i),
                    reducer + "." + name);
        }
        return args;
    }

    /** {@code add_person(name: string, age: u8)}, for messages. */
    public static String signature(ModuleSchema schema, String reducer) {
        ReducerDef def = schema.reducer(reducer).orElseThrow(() -> new IllegalArgumentException(
                "no reducer named '" + reducer + "' in the module; reducers: " + reducerNames(schema)));
        StringJoiner joiner = new StringJoiner(", ", reducer + "(", ")");
        List<AlgebraicType.Element> params = def.params().elements();
        for (int i = 0; i < params.size(); i++) {
            AlgebraicType.Element p = params.get(i);
            joiner.add((p.name() != null ? p.name() : "#" + i) + ": " + typeName(schema.typespace(), p.type()));
        }
        return joiner.toString();
    }

    /**
     * Splits one line at commas outside double quotes; unquoted arguments are trimmed. A blank line has no arguments.
     *
     * @throws IllegalArgumentException for an unterminated quote or text after a closing quote
     */
    public static List<String> split(String text) {
        List<String> fields = new ArrayList<>();
        if (text == null || text.isBlank()) {
            return fields;
        }
        int i = 0;
        int n = text.length();
        while (true) {
            while (i < n && isBlank(text.charAt(i))) {
                i++;
            }
            if (i < n && text.charAt(i) == '"') {
                StringBuilder quoted = new StringBuilder();
                int open = i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated quote at position " + (open + 1) + " of '"
                                + text + "'");
                    }
                    char c = text.charAt(i++);
                    if (c == '"') {
                        if (i < n && text.charAt(i) == '"') {
                            quoted.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        quoted.append(c);
                    }
                }
                while (i < n && isBlank(text.charAt(i))) {
                    i++;
                }
                if (i < n && text.charAt(i) != ',') {
                    throw new IllegalArgumentException("expected ',' after the quoted argument at position "
                            + (open + 1) + " of '" + text + "'");
                }
                fields.add(quoted.toString());
            } else {
                int comma = text.indexOf(',', i);
                int end = comma < 0 ? n : comma;
                fields.add(text.substring(i, end).trim());
                i = end;
            }
            if (i >= n) {
                return fields;
            }
            i++; // the comma
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static Object convert(Typespace typespace, AlgebraicType declared, String text, String path) {
        AlgebraicType type = typespace.resolve(declared);
        if (type instanceof AlgebraicType.Primitive p) {
            return primitive(p, text, path);
        }
        if (type instanceof AlgebraicType.Sum sum && sum.isOption()) {
            return text.isEmpty() ? null : convert(typespace, sum.variants().get(0).type(), text, path);
        }
        throw new IllegalArgumentException(path + " is of type " + typeName(typespace, declared)
                + ", which cannot be given as text; use a reducer whose parameters are integers, floats, bools, "
                + "strings or options of them");
    }

    private static Object primitive(AlgebraicType.Primitive p, String text, String path) {
        switch (p) {
            case STRING:
                return text;
            case BOOL:
                if (text.equalsIgnoreCase("true")) {
                    return Boolean.TRUE;
                }
                if (text.equalsIgnoreCase("false")) {
                    return Boolean.FALSE;
                }
                throw new IllegalArgumentException(path + ": expected true or false for bool, got '" + text + "'");
            case F32:
                try {
                    return Float.parseFloat(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(path + ": expected a number for f32, got '" + text + "'");
                }
            case F64:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(path + ": expected a number for f64, got '" + text + "'");
                }
            default:
                return integer(p, text, path);
        }
    }

    private static Object integer(AlgebraicType.Primitive p, String text, String path) {
        String name = p.name().toLowerCase(Locale.ROOT);
        BigInteger value;
        try {
            value = new BigInteger(text.startsWith("+") ? text.substring(1) : text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(path + ": expected an integer for " + name + ", got '" + text + "'");
        }
        int bits = p.size() * 8;
        BigInteger min = p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).subtract(BigInteger.ONE)
                : BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new IllegalArgumentException(path + ": " + text + " is out of range for " + name + " (" + min + " to "
                    + max + ")");
        }
        return value.bitLength() < 64 ? (Object) value.longValue() : value;
    }

    /** {@code u8}, {@code string}, {@code option<string>}, {@code array<u8>}, {@code Identity}, {@code product}... */
    static String typeName(Typespace typespace, AlgebraicType declared) {
        AlgebraicType type;
        try {
            type = typespace.resolve(declared);
        } catch (RuntimeException e) {
            return "an unresolvable type";
        }
        if (type instanceof AlgebraicType.Primitive p) {
            return p.name().toLowerCase(Locale.ROOT);
        }
        if (type instanceof AlgebraicType.Array a) {
            return "array<" + typeName(typespace, a.element()) + ">";
        }
        if (type instanceof AlgebraicType.Sum s) {
            return s.isOption() ? "option<" + typeName(typespace, s.variants().get(0).type()) + ">" : "sum";
        }
        AlgebraicType.Product product = (AlgebraicType.Product) type;
        SpecialType special = product.special();
        if (special != null) {
            switch (special) {
                case IDENTITY:
                    return "Identity";
                case CONNECTION_ID:
                    return "ConnectionId";
                case TIMESTAMP:
                    return "Timestamp";
                case TIME_DURATION:
                    return "TimeDuration";
                default:
                    return "Uuid";
            }
        }
        return "product";
    }

    private static String reducerNames(ModuleSchema schema) {
        StringJoiner names = new StringJoiner(", ");
        for (ReducerDef r : schema.reducers()) {
            if (r.clientCallable()) {
                names.add(r.name());
            }
        }
        return names.length() == 0 ? "(none)" : names.toString();
    }
}
