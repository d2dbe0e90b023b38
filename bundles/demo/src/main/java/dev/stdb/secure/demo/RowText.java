package dev.stdb.secure.demo;

import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.Value;

import java.util.StringJoiner;

/** Rows and values as one line of text: {@code {id=1, name=Ada Lovelace, age=36}}. */
public final class RowText {
    private RowText() {
    }

    /** {@code {id=1, name=Ada Lovelace, age=36}}. */
    public static String of(Row row) {
        return of(row.toValue());
    }

    /** A product as {@code {name=value, ...}}; unnamed elements by their position. */
    public static String of(Value.Product product) {
        StringJoiner joiner = new StringJoiner(", ", "{", "}");
        for (int i = 0; i < product.values().size(); i++) {
            String name = product.names().get(i);
            joiner.add((name != null ? name : Integer.toString(i)) + "=" + of(product.values().get(i)));
        }
        return joiner.toString();
    }

    /** One value: numbers and strings as they are (unsigned integers unsigned), options as their value or none. */
    public static String of(Value value) {
        if (value instanceof Value.Str s) {
            return s.value();
        } else if (value instanceof Value.Int i) {
            return i.toBigInteger().toString();
        } else if (value instanceof Value.BigInt b) {
            return b.value().toString();
        } else if (value instanceof Value.Bool b) {
            return Boolean.toString(b.value());
        } else if (value instanceof Value.F32 f) {
            return Float.toString(f.value());
        } else if (value instanceof Value.F64 f) {
            return Double.toString(f.value());
        } else if (value instanceof Value.Opt o) {
            return o.isPresent() ? of(o.value()) : "none";
        } else if (value instanceof Value.Product p) {
            return of(p);
        } else if (value instanceof Value.Array a) {
            StringJoiner joiner = new StringJoiner(", ", "[", "]");
            a.elements().forEach(e -> joiner.add(of(e)));
            return joiner.toString();
        } else if (value instanceof Value.Bytes b) {
            return "0x" + b.value().toHex();
        } else if (value instanceof Value.Sum s) {
            String name = s.name() != null ? s.name() : "#" + s.tag();
            return s.payload().equals(Value.UNIT) ? name : name + "(" + of(s.payload()) + ")";
        } else if (value instanceof Value.IdentityValue id) {
            return id.value().toHex();
        } else if (value instanceof Value.ConnectionIdValue id) {
            return id.value().toHex();
        } else if (value instanceof Value.TimestampValue t) {
            return t.value().toString();
        } else if (value instanceof Value.TimeDurationValue d) {
            return d.value().toString();
        } else if (value instanceof Value.UuidValue u) {
            return u.value().toString();
        }
        return String.valueOf(value);
    }
}
