package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.SpecialType;

import java.lang.reflect.RecordComponent;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The compiled node kinds. */
final class Nodes {
    private Nodes() {
    }

    // ------------------------------------------------------------------ scalars

    static final class PrimitiveNode extends Node {
        final Primitive type;
        private final BigInteger min;
        private final BigInteger max;

        PrimitiveNode(Primitive type) {
            super(type.name().toLowerCase(java.util.Locale.ROOT));
            this.type = type;
            if (type.isInteger()) {
                int bits = type.size() * 8;
                min = type.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
                max = (type.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1) : BigInteger.ONE.shiftLeft(bits))
                        .subtract(BigInteger.ONE);
            } else {
                min = null;
                max = null;
            }
        }

        @Override
        int fixedSize() {
            return type.size();
        }

        @Override
        int minSize() {
            return type.size();
        }

        @Override
        void skip(BsatnReader r, int depth) {
            if (type == Primitive.BOOL) {
                r.readBool(typeName);
            } else {
                r.skip(type.size(), typeName);
            }
        }

        @Override
        Value read(BsatnReader r, int depth) {
            return switch (type) {
                case BOOL -> new Value.Bool(r.readBool(typeName));
                case I8 -> new Value.Int(type, r.readI8(typeName));
                case U8 -> new Value.Int(type, r.readU8(typeName));
                case I16 -> new Value.Int(type, r.readI16(typeName));
                case U16 -> new Value.Int(type, r.readU16(typeName));
                case I32 -> new Value.Int(type, r.readI32(typeName));
                case U32 -> new Value.Int(type, r.readU32(typeName));
                case I64, U64 -> new Value.Int(type, r.readI64(typeName));
                case I128, U128, I256, U256 ->
                        new Value.BigInt(type, r.readBigInteger(type.size(), type.isSigned(), typeName));
                case F32 -> new Value.F32(r.readF32(typeName));
                case F64 -> new Value.F64(r.readF64(typeName));
                case STRING -> throw new IllegalStateException("strings have their own node");
            };
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            if (type == Primitive.BOOL) {
                if (value instanceof Value.Bool b) {
                    w.writeBool(b.value());
                } else if (value instanceof Boolean b) {
                    w.writeBool(b);
                } else {
                    throw mismatch(path, value);
                }
            } else if (type == Primitive.F32 || type == Primitive.F64) {
                double d;
                if (value instanceof Value.F32 f) {
                    d = f.value();
                } else if (value instanceof Value.F64 f) {
                    d = f.value();
                } else if (value instanceof Number n && !(value instanceof BigInteger)) {
                    d = n.doubleValue();
                } else {
                    throw mismatch(path, value);
                }
                if (type == Primitive.F32) {
                    w.writeF32(value instanceof Float f ? f : value instanceof Value.F32 f32 ? f32.value() : (float) d);
                } else {
                    w.writeF64(d);
                }
            } else {
                writeInteger(integerOf(value, path), w, path);
            }
        }

        private BigInteger integerOf(Object value, String path) {
            if (value instanceof Value.Int i) {
                return i.toBigInteger();
            }
            if (value instanceof Value.BigInt b) {
                return b.value();
            }
            if (value instanceof BigInteger b) {
                return b;
            }
            if (value instanceof Long || value instanceof Integer || value instanceof Short || value instanceof Byte) {
                return BigInteger.valueOf(((Number) value).longValue());
            }
            throw mismatch(path, value);
        }

        private void writeInteger(BigInteger v, BsatnWriter w, String path) {
            if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                throw new ValueMismatchException(path + ": " + v + " is outside the range of " + typeName
                        + " [" + min + ", " + max + "]");
            }
            switch (type.size()) {
                case 1 -> w.writeU8(v.intValue());
                case 2 -> w.writeI16(v.intValue());
                case 4 -> w.writeI32(v.intValue());
                case 8 -> w.writeI64(v.longValue());
                default -> w.writeBigInteger(v, type.size());
            }
        }
    }

    static final class StringNode extends Node {
        StringNode() {
            super("string");
        }

        @Override
        int fixedSize() {
            return -1;
        }

        @Override
        int minSize() {
            return 4;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            r.skipString(typeName);
        }

        @Override
        Value read(BsatnReader r, int depth) {
            return new Value.Str(r.readString(typeName));
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            if (value instanceof Value.Str s) {
                w.writeString(s.value());
            } else if (value instanceof CharSequence s) {
                w.writeString(s.toString());
            } else {
                throw mismatch(path, value);
            }
        }
    }

    /** {@code array<u8>}, kept as bytes rather than a list of numbers. */
    static final class BytesNode extends Node {
        private static final PrimitiveNode U8 = new PrimitiveNode(Primitive.U8);

        BytesNode() {
            super("array<u8>");
        }

        @Override
        int fixedSize() {
            return -1;
        }

        @Override
        int minSize() {
            return 4;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            r.readSlice(typeName);
        }

        @Override
        Value read(BsatnReader r, int depth) {
            return new Value.Bytes(r.readByteString(typeName));
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            if (value instanceof byte[] b) {
                w.writeBytes(b);
            } else if (value instanceof Value.Bytes b) {
                w.writeBytes(b.value());
            } else if (value instanceof Value.Array || value instanceof Collection<?> || value instanceof Object[]) {
                List<?> items = value instanceof Value.Array a ? a.elements()
                        : value instanceof Object[] arr ? Arrays.asList(arr) : new ArrayList<>((Collection<?>) value);
                w.writeLength(items.size());
                for (int i = 0; i < items.size(); i++) {
                    U8.write(items.get(i), w, path + "[" + i + "]");
                }
            } else {
                throw mismatch(path, value);
            }
        }
    }

    /** Identity, ConnectionId, Timestamp, TimeDuration and Uuid: single-field products with a Java type of their own. */
    static final class SpecialNode extends Node {
        final SpecialType special;

        SpecialNode(SpecialType special) {
            super(switch (special) {
                case IDENTITY -> "Identity";
                case CONNECTION_ID -> "ConnectionId";
                case TIMESTAMP -> "Timestamp";
                case TIME_DURATION -> "TimeDuration";
                case UUID -> "Uuid";
            });
            this.special = special;
        }

        @Override
        int fixedSize() {
            return special.fieldType().size();
        }

        @Override
        int minSize() {
            return fixedSize();
        }

        @Override
        void skip(BsatnReader r, int depth) {
            r.skip(fixedSize(), typeName);
        }

        @Override
        Value read(BsatnReader r, int depth) {
            return switch (special) {
                case IDENTITY -> new Value.IdentityValue(r.readIdentity(typeName));
                case CONNECTION_ID -> new Value.ConnectionIdValue(r.readConnectionId(typeName));
                case TIMESTAMP -> new Value.TimestampValue(r.readTimestamp(typeName));
                case TIME_DURATION -> new Value.TimeDurationValue(r.readTimeDuration(typeName));
                case UUID -> new Value.UuidValue(uuid(r.readBigInteger(16, false, typeName)));
            };
        }

        static UUID uuid(BigInteger u128) {
            return new UUID(u128.shiftRight(64).longValue(), u128.longValue());
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            switch (special) {
                case IDENTITY -> w.writeIdentity(value instanceof Value.IdentityValue v ? v.value() : as(Identity.class, value, path));
                case CONNECTION_ID -> w.writeConnectionId(value instanceof Value.ConnectionIdValue v
                        ? v.value() : as(ConnectionId.class, value, path));
                case TIMESTAMP -> w.writeTimestamp(value instanceof Value.TimestampValue v ? v.value()
                        : value instanceof Instant i ? Timestamp.of(i) : as(Timestamp.class, value, path));
                case TIME_DURATION -> w.writeTimeDuration(value instanceof Value.TimeDurationValue v ? v.value()
                        : value instanceof Duration d ? TimeDuration.of(d) : as(TimeDuration.class, value, path));
                case UUID -> {
                    UUID u = value instanceof Value.UuidValue v ? v.value() : as(UUID.class, value, path);
                    w.writeI64(u.getLeastSignificantBits()).writeI64(u.getMostSignificantBits());
                }
            }
        }

        private <T> T as(Class<T> type, Object value, String path) {
            if (type.isInstance(value)) {
                return type.cast(value);
            }
            throw mismatch(path, value);
        }
    }

    // ------------------------------------------------------------------ composites

    static final class ArrayNode extends Node {
        final Node element;

        ArrayNode(Node element) {
            super("array<" + element.typeName + ">");
            this.element = element;
        }

        @Override
        int fixedSize() {
            return -1;
        }

        @Override
        int minSize() {
            return 4;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            int n = r.readLength(element.minSize(), typeName);
            int fixed = element.fixedSize();
            if (fixed >= 0 && needsNoCheck(element)) {
                r.skip(n * fixed, typeName);
                return;
            }
            for (int i = 0; i < n; i++) {
                element.skip(r, depth + 1);
            }
        }

        /**
         * Whether any bytes of the element's size are a valid value, so a run of elements can be skipped unread: not
         * for bools and sums (their bytes are checked) nor for products holding one.
         */
        private static boolean needsNoCheck(Node node) {
            if (node instanceof PrimitiveNode p) {
                return p.type != Primitive.BOOL;
            }
            if (node instanceof ProductNode p) {
                for (Node e : p.elements) {
                    if (!needsNoCheck(e)) {
                        return false;
                    }
                }
                return true;
            }
            return node instanceof SpecialNode;
        }

        @Override
        Value read(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            int n = r.readLength(element.minSize(), typeName);
            List<Value> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(element.read(r, depth + 1));
            }
            return new Value.Array(out);
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            List<?> items;
            if (value instanceof Value.Array a) {
                items = a.elements();
            } else if (value instanceof Collection<?> c) {
                items = new ArrayList<>(c);
            } else if (value instanceof Object[] arr) {
                items = Arrays.asList(arr);
            } else {
                throw mismatch(path, value);
            }
            w.writeLength(items.size());
            for (int i = 0; i < items.size(); i++) {
                element.write(items.get(i), w, path + "[" + i + "]");
            }
        }
    }

    static final class ProductNode extends Node {
        final String[] names;
        Node[] elements;

        ProductNode(String[] names) {
            super("product");
            this.names = names;
        }

        @Override
        int fixedSize() {
            int total = 0;
            for (Node e : elements) {
                int s = e.fixedSize();
                if (s < 0) {
                    return -1;
                }
                total += s;
            }
            return total;
        }

        @Override
        int minSize() {
            int total = 0;
            for (Node e : elements) {
                total += e.minSize();
            }
            return total;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            for (Node e : elements) {
                e.skip(r, depth + 1);
            }
        }

        @Override
        Value read(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            Value[] values = new Value[elements.length];
            for (int i = 0; i < elements.length; i++) {
                values[i] = elements[i].read(r, depth + 1);
            }
            return new Value.Product(Arrays.asList(names), Arrays.asList(values));
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            if (value instanceof Value.Product p) {
                checkArity(p.values().size(), path);
                for (int i = 0; i < elements.length; i++) {
                    elements[i].write(p.values().get(i), w, child(path, i));
                }
            } else if (value instanceof Map<?, ?> map) {
                for (Object key : map.keySet()) {
                    if (!Arrays.asList(names).contains(key)) {
                        throw new ValueMismatchException(path + ": no element named '" + key + "'; elements are "
                                + Arrays.toString(names));
                    }
                }
                for (int i = 0; i < elements.length; i++) {
                    if (!map.containsKey(names[i]) && !(elements[i] instanceof OptionNode)) {
                        throw new ValueMismatchException(path + ": missing element '" + names[i] + "'");
                    }
                    elements[i].write(map.get(names[i]), w, child(path, i));
                }
            } else if (value instanceof List<?> list) {
                checkArity(list.size(), path);
                for (int i = 0; i < elements.length; i++) {
                    elements[i].write(list.get(i), w, child(path, i));
                }
            } else if (value instanceof Object[] arr) {
                write(Arrays.asList(arr), w, path);
            } else if (value != null && value.getClass().isRecord()) {
                writeRecord(value, w, path);
            } else {
                throw mismatch(path, value);
            }
        }

        private void writeRecord(Object record, BsatnWriter w, String path) {
            RecordComponent[] components = record.getClass().getRecordComponents();
            checkArity(components.length, path);
            for (int i = 0; i < elements.length; i++) {
                RecordComponent c = components[i];
                if (names[i] != null && !names[i].equals(c.getName())) {
                    throw new ValueMismatchException(path + ": record component " + i + " is '" + c.getName()
                            + "' but the schema element is '" + names[i] + "'");
                }
                Object v;
                try {
                    java.lang.reflect.Method accessor = c.getAccessor();
                    accessor.trySetAccessible(); // records need not be public: nested private or local records
                    v = accessor.invoke(record);
                } catch (ReflectiveOperationException e) {
                    throw new ValueMismatchException(path + ": cannot read record component '" + c.getName() + "': " + e);
                }
                elements[i].write(v, w, child(path, i));
            }
        }

        private void checkArity(int given, String path) {
            if (given != elements.length) {
                throw new ValueMismatchException(path + ": expected " + elements.length + " elements "
                        + Arrays.toString(names) + ", got " + given);
            }
        }

        private String child(String path, int i) {
            return path + "." + (names[i] != null ? names[i] : String.valueOf(i));
        }
    }

    static final class SumNode extends Node {
        final String[] names;
        Node[] payloads;

        SumNode(String[] names) {
            super("sum" + Arrays.toString(names));
            this.names = names;
        }

        @Override
        int fixedSize() {
            int size = -2;
            for (Node p : payloads) {
                int s = p.fixedSize();
                if (s < 0 || (size != -2 && s != size)) {
                    return -1;
                }
                size = s;
            }
            return size < 0 ? -1 : 1 + size;
        }

        @Override
        int minSize() {
            int min = Integer.MAX_VALUE;
            for (Node p : payloads) {
                min = Math.min(min, p.minSize());
            }
            return 1 + (payloads.length == 0 ? 0 : min);
        }

        @Override
        void skip(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            payloads[r.readTag(payloads.length, typeName)].skip(r, depth + 1);
        }

        @Override
        Value read(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            int tag = r.readTag(payloads.length, typeName);
            return new Value.Sum(tag, names[tag], payloads[tag].read(r, depth + 1));
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            int tag;
            Object payload;
            if (value instanceof Value.Sum s) {
                tag = s.tag();
                payload = s.payload();
            } else if (value instanceof Enum<?> e) {
                tag = indexOf(e.name(), path);
                payload = Value.UNIT;
            } else if (value instanceof Map<?, ?> m && m.size() == 1) {
                Map.Entry<?, ?> only = m.entrySet().iterator().next();
                tag = indexOf(String.valueOf(only.getKey()), path);
                payload = only.getValue();
            } else {
                throw new ValueMismatchException(path + ": expected " + typeName
                        + " as a Value.Sum, an enum constant or a single-entry map {variant: payload}, got "
                        + (value == null ? "null" : value.getClass().getSimpleName()));
            }
            if (tag < 0 || tag >= payloads.length) {
                throw new ValueMismatchException(path + ": variant " + tag + " does not exist in " + typeName);
            }
            w.writeU8(tag);
            payloads[tag].write(payload == null ? Value.UNIT : payload, w, path + "." + names[tag]);
        }

        private int indexOf(String name, String path) {
            for (int i = 0; i < names.length; i++) {
                if (name.equals(names[i])) {
                    return i;
                }
            }
            throw new ValueMismatchException(path + ": no variant named '" + name + "' in " + typeName);
        }
    }

    /** {@code Option<T>}: some is tag 0, none tag 1. Java null and {@link Optional} map onto it. */
    static final class OptionNode extends Node {
        Node some;

        OptionNode() {
            super("option");
        }

        @Override
        int fixedSize() {
            return -1;
        }

        @Override
        int minSize() {
            return 1;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            if (r.readOptionTag(typeName)) {
                some.skip(r, depth + 1);
            }
        }

        @Override
        Value read(BsatnReader r, int depth) {
            checkDepth(r, depth, typeName);
            return r.readOptionTag(typeName) ? new Value.Opt(some.read(r, depth + 1)) : Value.Opt.NONE;
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            Object inner = value;
            if (value instanceof Value.Opt o) {
                inner = o.value();
            } else if (value instanceof Optional<?> o) {
                inner = o.orElse(null);
            }
            if (inner == null) {
                w.writeU8(1);
            } else {
                w.writeU8(0);
                some.write(inner, w, path);
            }
        }
    }

    /** A typespace reference whose node is still being compiled: how recursive types close their loop. */
    static final class RefNode extends Node {
        Node target;

        RefNode(int index) {
            super("ref " + index);
        }

        @Override
        int fixedSize() {
            return -1;
        }

        @Override
        int minSize() {
            return 0;
        }

        @Override
        void skip(BsatnReader r, int depth) {
            target.skip(r, depth);
        }

        @Override
        Value read(BsatnReader r, int depth) {
            return target.read(r, depth);
        }

        @Override
        void write(Object value, BsatnWriter w, String path) {
            target.write(value, w, path);
        }
    }
}
