package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import dev.stdb.secure.protocol.value.ValueMismatchException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Java values that do not fit the schema type: a ValueMismatchException naming the path and the type. */
class EncodingMismatchTest {

    private static ValueCodec codec(AlgebraicType type) {
        return ValueCodec.compile(Typespace.EMPTY, type);
    }

    private static void mismatch(Executable run, String... mentions) {
        ValueMismatchException e = assertThrows(ValueMismatchException.class, run);
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), () -> "'" + e.getMessage() + "' should mention " + m);
        }
    }

    /** Nothing is left half-written in a shared writer by a value that fails... at least nothing is claimed. */
    private static void encodeFails(AlgebraicType type, Object value, String... mentions) {
        mismatch(() -> codec(type).encode(value), mentions);
        mismatch(() -> codec(type).write(value, new BsatnWriter(), "args.x"),
                java.util.stream.Stream.concat(java.util.stream.Stream.of("args.x"),
                        java.util.Arrays.stream(mentions).filter(m -> !m.startsWith("value"))).toArray(String[]::new));
    }

    @Test
    void integersOutOfRange() {
        encodeFails(Primitive.U8, 256, "value: 256 is outside the range of u8 [0, 255]");
        encodeFails(Primitive.U8, -1, "value: -1 is outside the range of u8");
        encodeFails(Primitive.I8, -129, "value: -129 is outside the range of i8 [-128, 127]");
        encodeFails(Primitive.I8, 128L, "128 is outside the range of i8");
        encodeFails(Primitive.U16, 65_536, "outside the range of u16 [0, 65535]");
        encodeFails(Primitive.I32, 1L << 31, "2147483648 is outside the range of i32");
        encodeFails(Primitive.U32, -1, "-1 is outside the range of u32 [0, 4294967295]");
        encodeFails(Primitive.U64, -1L, "value: -1 is outside the range of u64 [0, 18446744073709551615]");
        encodeFails(Primitive.I64, BigInteger.ONE.shiftLeft(63), "9223372036854775808 is outside the range of i64");
        encodeFails(Primitive.U128, BigInteger.ONE.shiftLeft(128), "value: " + BigInteger.ONE.shiftLeft(128)
                + " is outside the range of u128");
        encodeFails(Primitive.I128, BigInteger.ONE.shiftLeft(127), "outside the range of i128");
        encodeFails(Primitive.U256, BigInteger.ONE.negate(), "-1 is outside the range of u256");
        encodeFails(Primitive.I256, BigInteger.ONE.shiftLeft(255), "outside the range of i256");
        // a u64 Value with its top bit set is 2^64-1, not -1: too big for an i64 or a u32
        encodeFails(Primitive.I64, new Value.Int(Primitive.U64, -1L), "18446744073709551615 is outside the range of i64");
        encodeFails(Primitive.U32, new Value.Int(Primitive.U64, -1L), "outside the range of u32");
        // the extremes themselves are fine
        assertEquals(8, codec(Primitive.U64).encode(new Value.Int(Primitive.U64, -1L)).length);
        assertEquals(16, codec(Primitive.U128).encode(BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE)).length);
        assertEquals(1, codec(Primitive.I8).encode(-128).length);
    }

    @Test
    void wrongJavaTypes() {
        encodeFails(Primitive.STRING, 42, "value: expected string, got Integer");
        encodeFails(Primitive.STRING, null, "value: expected string, got null");
        encodeFails(Primitive.BOOL, "true", "value: expected bool, got String");
        encodeFails(Primitive.U32, 1.5, "value: expected u32, got Double");
        encodeFails(Primitive.F64, "1.5", "value: expected f64, got String");
        encodeFails(array(Primitive.U8), "bytes", "value: expected array<u8>, got String");
        encodeFails(array(Primitive.STRING), "x", "value: expected array<string>, got String");
        encodeFails(AlgebraicType.identity(), "c200", "value: expected Identity, got String");
        encodeFails(AlgebraicType.timestamp(), 5L, "value: expected Timestamp, got Long");
        encodeFails(AlgebraicType.uuid(), Identity.fromBigInteger(BigInteger.TEN), "value: expected Uuid, got Identity");
    }

    private static final AlgebraicType.Product PERSON = product(element("name", Primitive.STRING),
            element("age", Primitive.U8), element("nick", AlgebraicType.option(Primitive.STRING)));

    @Test
    void productFieldsMissingOrUnknown() {
        encodeFails(PERSON, Map.of("name", "Ada"), "value: missing element 'age'");
        Map<String, Object> extra = new LinkedHashMap<>();
        extra.put("name", "Ada");
        extra.put("age", 36);
        extra.put("email", "ada@example.org");
        encodeFails(PERSON, extra, "value: no element named 'email'", "[name, age, nick]");
        // an option may be left out
        assertEquals(4 + 3 + 1 + 1, codec(PERSON).encode(Map.of("name", "Ada", "age", 36)).length);
        encodeFails(PERSON, List.of("Ada", 36), "value: expected 3 elements [name, age, nick], got 2");
        encodeFails(PERSON, "Ada", "value: expected product, got String");
        // the path of a nested field
        AlgebraicType team = product(element("lead", PERSON), element("members", array(PERSON)));
        encodeFails(team, Map.of("lead", Map.of("name", "Ada", "age", 300), "members", List.of()),
                "value.lead.age: 300 is outside the range of u8");
        encodeFails(team, Map.of("lead", Map.of("name", "Ada", "age", 3),
                        "members", List.of(Map.of("name", "Bob", "age", 4), Map.of("name", 7, "age", 5))),
                "value.members[1].name: expected string, got Integer");
        record Person(String name, int age, String nick) {
        }
        record Misnamed(String title, int age, String nick) {
        }
        assertEquals(4 + 3 + 1 + 1, codec(PERSON).encode(new Person("Ada", 36, null)).length);
        encodeFails(PERSON, new Misnamed("Dr", 36, null), "value: record component 0 is 'title' but the schema element is 'name'");
    }

    private static final AlgebraicType.Sum SHAPE = sum(variant("circle", Primitive.F32), variant("square", Primitive.F32),
            variant("empty", AlgebraicType.Product.UNIT));

    enum Shapes {
        circle, triangle
    }

    @Test
    void unknownSumVariants() {
        encodeFails(SHAPE, Map.of("hexagon", 1.0f), "value: no variant named 'hexagon' in sum[circle, square, empty]");
        encodeFails(SHAPE, Shapes.triangle, "value: no variant named 'triangle' in sum[circle, square, empty]");
        encodeFails(SHAPE, new Value.Sum(3, "other", Value.UNIT), "value: variant 3 does not exist in sum[circle, square, empty]");
        encodeFails(SHAPE, "circle", "value: expected sum[circle, square, empty]", "got String");
        encodeFails(SHAPE, Map.of("circle", "big"), "value.circle: expected f32, got String");
        assertEquals(1, codec(SHAPE).encode(Map.of("empty", List.of())).length);
        assertEquals(5, codec(SHAPE).encode(Map.of("circle", 2.5f)).length);
    }

    @Test
    void optionPayloadsAreCheckedToo() {
        encodeFails(AlgebraicType.option(Primitive.U8), 300, "value: 300 is outside the range of u8");
        encodeFails(AlgebraicType.option(Primitive.U8), java.util.Optional.of("x"), "value: expected u8, got String");
        assertEquals(1, codec(AlgebraicType.option(Primitive.U8)).encode(java.util.Optional.empty()).length);
    }
}
