package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.schema.AlgebraicType;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A decoded SATS value, for columns and arguments whose type is only known at run time. Rows have typed getters
 * that avoid this model on the hot path; {@code Value} is for nested and generic data.
 */
public sealed interface Value {

    record Bool(boolean value) implements Value {
    }

    /** i8 to u64; a u64 keeps its 64 bits in {@code value} (read it with {@link Long#toUnsignedString(long)}). */
    record Int(AlgebraicType.Primitive type, long value) implements Value {
        public Int {
            Objects.requireNonNull(type, "type");
        }

        public BigInteger toBigInteger() {
            return type == AlgebraicType.Primitive.U64 && value < 0
                    ? new BigInteger(Long.toUnsignedString(value)) : BigInteger.valueOf(value);
        }
    }

    /** i128, u128, i256, u256. */
    record BigInt(AlgebraicType.Primitive type, BigInteger value) implements Value {
        public BigInt {
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(value, "value");
        }
    }

    record F32(float value) implements Value {
    }

    record F64(double value) implements Value {
    }

    record Str(String value) implements Value {
        public Str {
            Objects.requireNonNull(value, "value");
        }
    }

    /** {@code array<u8>}. */
    record Bytes(ByteString value) implements Value {
        public Bytes {
            Objects.requireNonNull(value, "value");
        }

        public Bytes(byte[] value) {
            this(ByteString.copyOf(value));
        }

        public int length() {
            return value.length();
        }
    }

    record Array(List<Value> elements) implements Value {
        public Array {
            elements = List.copyOf(elements);
        }
    }

    /** A product; {@code names} holds each element's name or null. */
    record Product(List<String> names, List<Value> values) implements Value {
        public Product {
            names = java.util.Collections.unmodifiableList(new ArrayList<>(names));
            values = List.copyOf(values);
            if (names.size() != values.size()) {
                throw new IllegalArgumentException(names.size() + " names for " + values.size() + " values");
            }
        }

        /** The element with this name. */
        public Value get(String name) {
            int i = names.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no element '" + name + "' in " + names);
            }
            return values.get(i);
        }

        public Value get(int index) {
            return values.get(index);
        }
    }

    /** A sum value: variant tag, its name (may be null) and payload (the unit product for unit variants). */
    record Sum(int tag, String name, Value payload) implements Value {
        public Sum {
            Objects.requireNonNull(payload, "payload");
        }
    }

    /** {@code Option<T>}: {@code value} is null for none. */
    record Opt(Value value) implements Value {
        public static final Opt NONE = new Opt(null);

        public boolean isPresent() {
            return value != null;
        }
    }

    record IdentityValue(Identity value) implements Value {
    }

    record ConnectionIdValue(ConnectionId value) implements Value {
    }

    record TimestampValue(Timestamp value) implements Value {
    }

    record TimeDurationValue(TimeDuration value) implements Value {
    }

    record UuidValue(UUID value) implements Value {
    }

    /** The unit value {@code ()}. */
    Product UNIT = new Product(List.of(), List.of());
}
