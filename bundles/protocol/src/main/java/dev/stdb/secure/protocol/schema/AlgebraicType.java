package dev.stdb.secure.protocol.schema;

import java.util.List;
import java.util.Objects;

/**
 * The SATS type model (PROTOCOL.md §5.1): what BSATN bytes mean. Types are plain values; {@link Ref}s are resolved
 * against a {@link Typespace}.
 */
public sealed interface AlgebraicType
        permits AlgebraicType.Ref, AlgebraicType.Sum, AlgebraicType.Product, AlgebraicType.Array, AlgebraicType.Primitive {

    /** A reference into the module's typespace ({@code typespace.types[index]}); types may be recursive. */
    record Ref(int index) implements AlgebraicType {
        public Ref {
            if (index < 0) {
                throw new IllegalArgumentException("type reference must be >= 0, was " + index);
            }
        }
    }

    /** A tagged union; on the wire a u8 variant index followed by that variant's payload. */
    record Sum(List<Variant> variants) implements AlgebraicType {
        public Sum {
            variants = List.copyOf(variants);
            if (variants.size() > 256) {
                throw new IllegalArgumentException("a sum type has at most 256 variants, got " + variants.size());
            }
        }

        /** Index of the variant with this name, or -1. */
        public int indexOf(String name) {
            for (int i = 0; i < variants.size(); i++) {
                if (name.equals(variants.get(i).name())) {
                    return i;
                }
            }
            return -1;
        }

        /** {@code Option<T>}: variants {@code some: T} then {@code none: ()} (some is tag 0). */
        public boolean isOption() {
            return variants.size() == 2
                    && "some".equals(variants.get(0).name())
                    && "none".equals(variants.get(1).name())
                    && variants.get(1).type().equals(Product.UNIT);
        }

        /** {@code Result<T, E>}: variants {@code ok: T} then {@code err: E}. */
        public boolean isResult() {
            return variants.size() == 2 && "ok".equals(variants.get(0).name()) && "err".equals(variants.get(1).name());
        }
    }

    /** A variant of a sum; {@code name} may be null. */
    record Variant(String name, AlgebraicType type) {
        public Variant {
            Objects.requireNonNull(type, "type");
        }
    }

    /** A struct or tuple; on the wire its elements back to back, no names and no padding. */
    record Product(List<Element> elements) implements AlgebraicType {
        /** The unit type {@code ()}: zero bytes on the wire. */
        public static final Product UNIT = new Product(List.of());

        public Product {
            elements = List.copyOf(elements);
        }

        /** Index of the element with this name, or -1. */
        public int indexOf(String name) {
            for (int i = 0; i < elements.size(); i++) {
                if (name.equals(elements.get(i).name())) {
                    return i;
                }
            }
            return -1;
        }

        /** The special product this is recognised as on the wire (Identity, Timestamp, ...), or null. */
        public SpecialType special() {
            return SpecialType.of(this);
        }
    }

    /** A named or unnamed element of a product; {@code name} may be null. */
    record Element(String name, AlgebraicType type) {
        public Element {
            Objects.requireNonNull(type, "type");
        }
    }

    /** {@code array<T>}: u32 element count then the elements. */
    record Array(AlgebraicType element) implements AlgebraicType {
        public Array {
            Objects.requireNonNull(element, "element");
        }
    }

    /** The built-in scalar types, with their fixed BSATN size (-1 for the variable-length string). */
    enum Primitive implements AlgebraicType {
        BOOL(1), I8(1), U8(1), I16(2), U16(2), I32(4), U32(4), I64(8), U64(8),
        I128(16), U128(16), I256(32), U256(32), F32(4), F64(8), STRING(-1);

        private final int size;

        Primitive(int size) {
            this.size = size;
        }

        /** Bytes on the wire, or -1 when variable (string). */
        public int size() {
            return size;
        }

        /** Whether the value is an integer (signed or unsigned). */
        public boolean isInteger() {
            return this != BOOL && this != F32 && this != F64 && this != STRING;
        }

        /** Whether an integer type is signed. */
        public boolean isSigned() {
            return switch (this) {
                case I8, I16, I32, I64, I128, I256 -> true;
                default -> false;
            };
        }
    }

    // ------------------------------------------------------------------ factories

    static Product product(Element... elements) {
        return new Product(List.of(elements));
    }

    static Element element(String name, AlgebraicType type) {
        return new Element(name, type);
    }

    static Sum sum(Variant... variants) {
        return new Sum(List.of(variants));
    }

    static Variant variant(String name, AlgebraicType type) {
        return new Variant(name, type);
    }

    static Array array(AlgebraicType element) {
        return new Array(element);
    }

    static Sum option(AlgebraicType some) {
        return sum(variant("some", some), variant("none", Product.UNIT));
    }

    static Sum result(AlgebraicType ok, AlgebraicType err) {
        return sum(variant("ok", ok), variant("err", err));
    }

    static Product identity() {
        return product(element(SpecialType.IDENTITY.fieldName(), Primitive.U256));
    }

    static Product connectionId() {
        return product(element(SpecialType.CONNECTION_ID.fieldName(), Primitive.U128));
    }

    static Product timestamp() {
        return product(element(SpecialType.TIMESTAMP.fieldName(), Primitive.I64));
    }

    static Product timeDuration() {
        return product(element(SpecialType.TIME_DURATION.fieldName(), Primitive.I64));
    }

    static Product uuid() {
        return product(element(SpecialType.UUID.fieldName(), Primitive.U128));
    }
}
