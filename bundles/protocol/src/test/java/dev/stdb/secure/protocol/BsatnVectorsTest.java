package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.stdb.secure.protocol.Vectors.*;
import static dev.stdb.secure.protocol.schema.AlgebraicType.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every BSATN vector of the official SDK, decoded and re-encoded byte for byte. */
class BsatnVectorsTest {

    private static final Sum SHAPE = sum(variant("Empty", Product.UNIT), variant("Circle", Primitive.U32),
            variant("Label", Primitive.STRING),
            variant("Rect", product(element("w", Primitive.U16), element("h", Primitive.U16))));

    /** The vector's type, from its name (the file describes types in prose). */
    static AlgebraicType typeOf(String name) {
        if (name.startsWith("bool")) return Primitive.BOOL;
        if (name.startsWith("string")) return Primitive.STRING;
        if (name.startsWith("bytes")) return array(Primitive.U8);
        if (name.startsWith("array_u32")) return array(Primitive.U32);
        if (name.equals("array_string")) return array(Primitive.STRING);
        if (name.equals("array_array_u8")) return array(array(Primitive.U8));
        if (name.startsWith("option_u32")) return option(Primitive.U32);
        if (name.startsWith("option_string")) return option(Primitive.STRING);
        if (name.startsWith("result")) return result(Primitive.U32, Primitive.STRING);
        if (name.equals("product_person")) return product(element("id", Primitive.U32), element("name", Primitive.STRING),
                element("active", Primitive.BOOL), element("score", option(Primitive.F64)));
        if (name.equals("product_unit")) return Product.UNIT;
        if (name.startsWith("sum_")) return SHAPE;
        if (name.equals("identity")) return identity();
        if (name.equals("connection_id")) return connectionId();
        if (name.equals("timestamp")) return timestamp();
        if (name.equals("time_duration")) return timeDuration();
        return Primitive.valueOf(name.substring(0, name.indexOf('_')).toUpperCase(java.util.Locale.ROOT));
    }

    /** The expected {@link Value} for a JSON value of the vectors' conventions. */
    static Value expected(AlgebraicType type, Object json) {
        if (type instanceof Primitive p) {
            return switch (p) {
                case BOOL -> new Value.Bool((Boolean) json);
                case STRING -> new Value.Str((String) json);
                case F32 -> new Value.F32(((BigDecimal) json).floatValue());
                case F64 -> new Value.F64(((BigDecimal) json).doubleValue());
                case I128, U128, I256, U256 -> new Value.BigInt(p, integer(json));
                default -> new Value.Int(p, integer(json).longValue());
            };
        }
        if (type instanceof AlgebraicType.Array a) {
            if (a.element() == Primitive.U8) {
                if (json instanceof Map) {
                    return new Value.Bytes(bytes(json));
                }
                List<Object> items = list(json);
                byte[] b = new byte[items.size()];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) int32(items.get(i));
                }
                return new Value.Bytes(b);
            }
            List<Value> out = new ArrayList<>();
            for (Object item : list(json)) {
                out.add(expected(a.element(), item));
            }
            return new Value.Array(out);
        }
        if (type instanceof Sum s && s.isOption()) {
            return json == null || dev.stdb.secure.protocol.internal.json.Json.isNull(json)
                    ? Value.Opt.NONE : new Value.Opt(expected(s.variants().get(0).type(), json));
        }
        if (type instanceof Sum s && s.isResult()) {
            Map<String, Object> m = map(json);
            int tag = m.containsKey("ok") ? 0 : 1;
            return new Value.Sum(tag, s.variants().get(tag).name(), expected(s.variants().get(tag).type(), m.values().iterator().next()));
        }
        if (type instanceof Sum s) {
            Map<String, Object> m = map(json);
            int tag = s.indexOf((String) m.get("tag"));
            AlgebraicType payload = s.variants().get(tag).type();
            return new Value.Sum(tag, (String) m.get("tag"), m.containsKey("value") ? expected(payload, m.get("value")) : Value.UNIT);
        }
        Product p = (Product) type;
        if (p.special() != null) {
            Map<String, Object> m = map(json);
            return switch (p.special()) {
                case IDENTITY -> new Value.IdentityValue(Identity.fromHex((String) m.get("$identity")));
                case CONNECTION_ID -> new Value.ConnectionIdValue(ConnectionId.fromHex((String) m.get("$connectionId")));
                case TIMESTAMP -> new Value.TimestampValue(new Timestamp(integer(m.get("$timestampMicros")).longValueExact()));
                case TIME_DURATION -> new Value.TimeDurationValue(new TimeDuration(integer(m.get("$durationMicros")).longValueExact()));
                case UUID -> throw new AssertionError("no uuid vector");
            };
        }
        Map<String, Object> m = map(json);
        List<String> names = new ArrayList<>();
        List<Value> values = new ArrayList<>();
        for (Element e : p.elements()) {
            names.add(e.name());
            values.add(expected(e.type(), m.get(e.name())));
        }
        return new Value.Product(names, values);
    }

    @TestFactory
    Stream<DynamicTest> everyBsatnVectorBothWays() {
        List<Map<String, Object>> vectors = section("bsatn");
        assertEquals(43, vectors.size(), "vector count changed: update this test");
        return vectors.stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            String name = (String) v.get("name");
            AlgebraicType type = typeOf(name);
            ValueCodec codec = ValueCodec.compile(Typespace.EMPTY, type);
            byte[] wire = hex((String) v.get("hex"));
            Value want = expected(type, v.get("value"));
            assertEquals(want, codec.decode(wire), "decode " + name);
            assertArrayEquals(wire, codec.encode(want), "encode " + name);
        }));
    }

    @TestFactory
    Stream<DynamicTest> identityFromClaimsVectorsAgreeOnByteOrder() {
        return section("identity_from_claims").stream().map(v -> DynamicTest.dynamicTest((String) v.get("sub"), () -> {
            Identity id = Identity.fromHex((String) v.get("identity_hex_be"));
            byte[] wire = new byte[32];
            id.toWire(wire, 0);
            assertEquals(v.get("bsatn_le_hex"), hex(wire));
            assertEquals(id, Identity.fromWire(hex((String) v.get("bsatn_le_hex")), 0));
            assertTrue(id.toHex().startsWith("c200"));
        }));
    }
}
