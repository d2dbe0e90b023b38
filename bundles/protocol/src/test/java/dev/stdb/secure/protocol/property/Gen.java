package dev.stdb.secure.protocol.property;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.option;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;

/**
 * Random SATS types and values of those types, driven by a {@link Random} so a value can depend on its type. The
 * shared {@link #TS typespace} holds recursive types (a linked list, a tree) and reference chains.
 */
public final class Gen {
    private Gen() {
    }

    static final AlgebraicType.Product UNIT = AlgebraicType.Product.UNIT;

    /** Ref(0) list, Ref(1) point, Ref(2) shape, Ref(3) u8, Ref(4) option<string>, Ref(5) tree, Ref(6) -> Ref(3). */
    public static final Typespace TS = new Typespace(List.of(
            sum(variant("nil", UNIT), variant("cons", product(element("head", Primitive.U32),
                    element("tail", new AlgebraicType.Ref(0))))),
            product(element("x", Primitive.F64), element("y", Primitive.F64)),
            sum(variant("circle", Primitive.F32), variant("rect", new AlgebraicType.Ref(1)), variant("empty", UNIT)),
            Primitive.U8,
            option(Primitive.STRING),
            product(element("value", Primitive.I32), element("children", array(new AlgebraicType.Ref(5)))),
            new AlgebraicType.Ref(3)));

    static final int REFS = 7;
    static final int MAX_TYPE_DEPTH = 3;
    /** Beyond this value depth, sums take a unit variant, arrays are empty and options none (keeps recursion finite). */
    static final int MAX_VALUE_DEPTH = 10;

    /** A type and a value of it. */
    public record TypedValue(AlgebraicType type, Value value) {
    }

    public static TypedValue typedValue(Random r) {
        AlgebraicType t = type(r, 0);
        return new TypedValue(t, value(t, r, 0));
    }

    // ------------------------------------------------------------------ types

    static AlgebraicType type(Random r, int depth) {
        int k = depth >= MAX_TYPE_DEPTH ? r.nextInt(3) : r.nextInt(14);
        switch (k) {
            case 0:
            case 1:
                return primitive(r);
            case 2:
                return special(r);
            case 3:
                return new AlgebraicType.Ref(r.nextInt(REFS));
            case 4:
                return array(type(r, depth + 1));
            case 5: {
                int u = r.nextInt(3);
                return array(u == 0 ? Primitive.U8 : u == 1 ? new AlgebraicType.Ref(3) : new AlgebraicType.Ref(6));
            }
            case 6:
            case 7:
                return productType(r, depth, r.nextInt(5));
            case 8:
            case 9:
                return sumType(r, depth);
            case 10:
                return option(type(r, depth + 1));
            case 11:
                return AlgebraicType.result(type(r, depth + 1), type(r, depth + 1));
            case 12:
                return UNIT;
            default:
                return primitive(r);
        }
    }

    static Primitive primitive(Random r) {
        Primitive[] all = Primitive.values();
        return all[r.nextInt(all.length)];
    }

    static AlgebraicType.Product special(Random r) {
        switch (r.nextInt(5)) {
            case 0:
                return AlgebraicType.identity();
            case 1:
                return AlgebraicType.connectionId();
            case 2:
                return AlgebraicType.timestamp();
            case 3:
                return AlgebraicType.timeDuration();
            default:
                return AlgebraicType.uuid();
        }
    }

    /** Elements named {@code f0..}, unnamed, or a mix. */
    static AlgebraicType.Product productType(Random r, int depth, int n) {
        int naming = r.nextInt(3);
        List<AlgebraicType.Element> elements = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = naming == 0 || (naming == 2 && r.nextBoolean()) ? "f" + i : null;
            elements.add(element(name, type(r, depth + 1)));
        }
        return new AlgebraicType.Product(elements);
    }

    /** Variants named {@code v0..} (never some/none/ok/err), some unit, some unnamed. */
    static AlgebraicType.Sum sumType(Random r, int depth) {
        int n = 1 + r.nextInt(4);
        boolean named = r.nextInt(4) != 0;
        List<AlgebraicType.Variant> variants = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            variants.add(variant(named ? "v" + i : null, r.nextInt(3) == 0 ? UNIT : type(r, depth + 1)));
        }
        return new AlgebraicType.Sum(variants);
    }

    // ------------------------------------------------------------------ values

    static Value value(AlgebraicType type, Random r, int depth) {
        if (type instanceof AlgebraicType.Ref ref) {
            return value(TS.types().get(ref.index()), r, depth);
        }
        if (type instanceof Primitive p) {
            return primitiveValue(p, r);
        }
        if (type instanceof AlgebraicType.Array a) {
            if (TS.resolve(a.element()) == Primitive.U8) {
                return new Value.Bytes(bytes(r, r.nextInt(4) == 0 ? 0 : r.nextInt(24)));
            }
            int n = depth >= MAX_VALUE_DEPTH ? 0 : r.nextInt(4);
            List<Value> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(value(a.element(), r, depth + 1));
            }
            return new Value.Array(items);
        }
        if (type instanceof AlgebraicType.Product p) {
            SpecialType special = p.special();
            if (special != null) {
                return specialValue(special, r);
            }
            List<String> names = new ArrayList<>();
            List<Value> values = new ArrayList<>();
            for (AlgebraicType.Element e : p.elements()) {
                names.add(e.name());
                values.add(value(e.type(), r, depth + 1));
            }
            return new Value.Product(names, values);
        }
        AlgebraicType.Sum s = (AlgebraicType.Sum) type;
        if (s.isOption()) {
            return depth >= MAX_VALUE_DEPTH || r.nextInt(3) == 0 ? Value.Opt.NONE
                    : new Value.Opt(value(s.variants().get(0).type(), r, depth + 1));
        }
        int tag = r.nextInt(s.variants().size());
        if (depth >= MAX_VALUE_DEPTH) {
            for (int i = 0; i < s.variants().size(); i++) {
                if (s.variants().get(i).type().equals(UNIT)) {
                    tag = i;
                    break;
                }
            }
        }
        AlgebraicType.Variant v = s.variants().get(tag);
        return new Value.Sum(tag, v.name(), value(v.type(), r, depth + 1));
    }

    static Value primitiveValue(Primitive p, Random r) {
        switch (p) {
            case BOOL:
                return new Value.Bool(r.nextBoolean());
            case I8:
                return new Value.Int(p, (byte) r.nextInt());
            case U8:
                return new Value.Int(p, r.nextInt(256));
            case I16:
                return new Value.Int(p, (short) r.nextInt());
            case U16:
                return new Value.Int(p, r.nextInt(65536));
            case I32:
                return new Value.Int(p, edgy(r) ? pick(r, 0, -1, Integer.MIN_VALUE, Integer.MAX_VALUE) : r.nextInt());
            case U32:
                return new Value.Int(p, edgy(r) ? pick(r, 0, 0xFFFF_FFFFL, 0x8000_0000L, Integer.MAX_VALUE)
                        : r.nextInt() & 0xFFFF_FFFFL);
            case I64:
            case U64:
                return new Value.Int(p, edgy(r) ? pick(r, 0, -1, Long.MIN_VALUE, Long.MAX_VALUE) : r.nextLong());
            case I128:
            case U128:
            case I256:
            case U256:
                return new Value.BigInt(p, bigInteger(p, r));
            case F32:
                return new Value.F32(f32(r));
            case F64:
                return new Value.F64(f64(r));
            default:
                return new Value.Str(string(r));
        }
    }

    private static boolean edgy(Random r) {
        return r.nextInt(5) == 0;
    }

    private static long pick(Random r, long... choices) {
        return choices[r.nextInt(choices.length)];
    }

    static BigInteger bigInteger(Primitive p, Random r) {
        int bits = p.size() * 8;
        BigInteger span = BigInteger.ONE.shiftLeft(bits);
        BigInteger min = p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
        BigInteger max = min.add(span).subtract(BigInteger.ONE);
        switch (r.nextInt(6)) {
            case 0:
                return min;
            case 1:
                return max;
            case 2:
                return p.isSigned() ? BigInteger.ONE.negate() : BigInteger.ZERO;
            case 3: {
                BigInteger small = new BigInteger(r.nextInt(bits), r);
                return p.isSigned() && r.nextBoolean() ? small.negate() : small;
            }
            default:
                return new BigInteger(bits, r).add(min);
        }
    }

    public static float f32(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return Float.NaN;
            case 1:
                return -0.0f;
            case 2:
                return 0.0f;
            case 3:
                return r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
            case 4:
                return r.nextBoolean() ? Float.MIN_VALUE : Float.MAX_VALUE;
            case 5:
                return r.nextFloat() * 1000 - 500;
            default:
                return Float.intBitsToFloat(r.nextInt());
        }
    }

    public static double f64(Random r) {
        switch (r.nextInt(10)) {
            case 0:
                return Double.NaN;
            case 1:
                return -0.0;
            case 2:
                return 0.0;
            case 3:
                return r.nextBoolean() ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
            case 4:
                return r.nextBoolean() ? Double.MIN_VALUE : -Double.MAX_VALUE;
            case 5:
                return r.nextGaussian() * 1e6;
            default:
                return Double.longBitsToDouble(r.nextLong());
        }
    }

    /** ASCII, 2-, 3- and 4-byte UTF-8 (never a lone surrogate). */
    static String string(Random r) {
        int n = r.nextInt(4) == 0 ? 0 : r.nextInt(12);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int cp;
            switch (r.nextInt(5)) {
                case 0:
                case 1:
                    cp = 0x20 + r.nextInt(0x5F);
                    break;
                case 2:
                    cp = r.nextBoolean() ? r.nextInt(0x80) : 0x80 + r.nextInt(0x780);
                    break;
                case 3:
                    cp = 0x800 + r.nextInt(0xF800 - 0x800);
                    if (cp >= 0xD800 && cp <= 0xDFFF) {
                        cp = r.nextBoolean() ? 0xFFFF : 0xE000;
                    }
                    break;
                default:
                    cp = r.nextInt(3) == 0 ? 0x10FFFF : 0x10000 + r.nextInt(0x100000);
            }
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    static Value specialValue(SpecialType special, Random r) {
        switch (special) {
            case IDENTITY:
                return new Value.IdentityValue(Identity.fromBigInteger(new BigInteger(256, r)));
            case CONNECTION_ID:
                return new Value.ConnectionIdValue(ConnectionId.fromBigInteger(new BigInteger(128, r)));
            case TIMESTAMP:
                return new Value.TimestampValue(new Timestamp(r.nextLong()));
            case TIME_DURATION:
                return new Value.TimeDurationValue(new TimeDuration(r.nextLong()));
            default:
                return new Value.UuidValue(new UUID(r.nextLong(), r.nextLong()));
        }
    }
}
