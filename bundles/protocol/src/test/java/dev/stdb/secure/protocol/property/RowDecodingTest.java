package dev.stdb.secure.protocol.property;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessageCodec;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.RowList;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import dev.stdb.secure.protocol.value.ValueMismatchException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Random row types, random rows: the row decoder gives back every row, as a value, as bytes and through typed getters. */
class RowDecodingTest {

    /** A table: its row type, rows, which column is the primary key (-1: none) and whether to use a FixedSize hint. */
    record Table(AlgebraicType.Product rowType, List<Value.Product> rows, int primaryKey, boolean preferFixedSize) {
        @Override
        public String toString() {
            return "Table[" + rowType + ", " + rows.size() + " rows " + rows + ", pk " + primaryKey + "]";
        }
    }

    static Table table(Random r) {
        int columns = 1 + r.nextInt(6);
        List<AlgebraicType.Element> elements = new ArrayList<>();
        for (int c = 0; c < columns; c++) {
            elements.add(AlgebraicType.element("c" + c, columnType(r)));
        }
        AlgebraicType.Product rowType = new AlgebraicType.Product(elements);
        if (ValueCodec.compile(Gen.TS, rowType).fixedSize() == 0) {
            // rows of zero bytes cannot be delimited; give the row a byte
            elements.add(AlgebraicType.element("c" + columns, Primitive.U8));
            rowType = new AlgebraicType.Product(elements);
        }
        int n = r.nextInt(9);
        List<Value.Product> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add((Value.Product) Gen.value(rowType, r, 1));
        }
        return new Table(rowType, rows, r.nextInt(3) == 0 ? -1 : r.nextInt(rowType.elements().size()), r.nextBoolean());
    }

    /** Mostly types with a typed getter, sometimes anything. */
    private static AlgebraicType columnType(Random r) {
        switch (r.nextInt(10)) {
            case 0:
            case 1:
            case 2:
            case 3:
                return Gen.primitive(r);
            case 4:
                return Gen.special(r);
            case 5:
                return AlgebraicType.array(r.nextBoolean() ? Primitive.U8 : new AlgebraicType.Ref(6));
            case 6:
                return new AlgebraicType.Ref(r.nextInt(Gen.REFS));
            default:
                return Gen.type(r, 1);
        }
    }

    @Provide
    Arbitrary<Table> tables() {
        return Arbitraries.randomValue(RowDecodingTest::table);
    }

    @Property(tries = 1000)
    void everyRowComesBack(@ForAll("tables") Table t) {
        ValueCodec codec = ValueCodec.compile(Gen.TS, t.rowType());
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        List<byte[]> encoded = new ArrayList<>();
        long[] offsets = new long[t.rows().size()];
        for (int i = 0; i < t.rows().size(); i++) {
            offsets[i] = data.size();
            byte[] row = codec.encode(t.rows().get(i));
            encoded.add(row);
            data.writeBytes(row);
        }
        int fixed = codec.fixedSize();
        RowSizeHint hint = fixed > 0 && fixed <= 0xFFFF && t.preferFixedSize()
                ? new RowSizeHint.FixedSize(fixed) : new RowSizeHint.RowOffsets(offsets);
        int[] pk = t.primaryKey() < 0 ? new int[0] : new int[]{t.primaryKey()};
        RowDecoder decoder = RowDecoder.of("t", Gen.TS, t.rowType(), pk);

        // straight from a list, and as a view into a decoded message
        check(t, decoder, decoder.decode(BsatnRowList.of(hint, data.toByteArray())), encoded);
        ServerMessage message = new ServerMessage.SubscribeApplied(1, 2, new ServerMessage.QueryRows(List.of(
                new ServerMessage.SingleTableRows("t", BsatnRowList.of(hint, data.toByteArray())))));
        BsatnReader r = new BsatnReader(ServerMessageCodec.encode(message));
        ServerMessage.SubscribeApplied decoded = (ServerMessage.SubscribeApplied) ServerMessageCodec.decode(r);
        r.expectEnd("test");
        BsatnRowList view = decoded.rows().tables().get(0).rows();
        check(t, decoder, decoder.decode(view), encoded);
    }

    private static void check(Table t, RowDecoder decoder, RowList rows, List<byte[]> encoded) {
        assertEquals(t.rows().size(), rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row row = rows.get(i);
            Value.Product want = t.rows().get(i);
            assertEquals(want, row.toValue());
            assertArrayEquals(encoded.get(i), row.toBytes());
            for (int c = 0; c < decoder.columnCount(); c++) {
                AlgebraicType type = t.rowType().elements().get(c).type();
                assertEquals(want.get(c), row.get(c));
                assertEquals(want.get(c), row.get("c" + c));
                checkGetters(row, c, type, want.get(c));
            }
            byte[] key = t.primaryKey() < 0 ? encoded.get(i)
                    : ValueCodec.compile(Gen.TS, t.rowType().elements().get(t.primaryKey()).type())
                    .encode(want.get(t.primaryKey()));
            assertArrayEquals(key, row.key().toBytes());
            assertEquals(row.key(), row.key().compact());
        }
    }

    private static void checkGetters(Row row, int c, AlgebraicType type, Value v) {
        String name = "c" + c;
        AlgebraicType t = Gen.TS.resolve(type);
        if (t instanceof Primitive p) {
            switch (p) {
                case BOOL:
                    assertEquals(((Value.Bool) v).value(), row.getBool(c));
                    assertEquals(((Value.Bool) v).value(), row.getBool(name));
                    assertThrows(ValueMismatchException.class, () -> row.getLong(c));
                    return;
                case I8:
                case U8:
                case I16:
                case U16:
                case I32:
                case U32:
                case I64:
                case U64: {
                    Value.Int i = (Value.Int) v;
                    assertEquals(i.value(), row.getLong(c));
                    assertEquals(i.value(), row.getLong(name));
                    assertEquals(i.toBigInteger(), row.getBigInteger(c));
                    if (p.size() <= 4 && i.value() <= Integer.MAX_VALUE) {
                        assertEquals((int) i.value(), row.getInt(c));
                    } else if (p.size() <= 4) {
                        assertThrows(ArithmeticException.class, () -> row.getInt(c));
                    } else {
                        assertThrows(ValueMismatchException.class, () -> row.getInt(c));
                    }
                    assertThrows(ValueMismatchException.class, () -> row.getString(c));
                    assertThrows(ValueMismatchException.class, () -> row.getDouble(c));
                    return;
                }
                case I128:
                case U128:
                case I256:
                case U256:
                    assertEquals(((Value.BigInt) v).value(), row.getBigInteger(c));
                    assertEquals(((Value.BigInt) v).value(), row.getBigInteger(name));
                    assertThrows(ValueMismatchException.class, () -> row.getLong(c));
                    return;
                case F32: {
                    float f = ((Value.F32) v).value();
                    assertEquals(Float.floatToIntBits(f), Float.floatToIntBits(row.getFloat(c)));
                    assertEquals(Double.doubleToLongBits(f), Double.doubleToLongBits(row.getDouble(name)));
                    assertThrows(ValueMismatchException.class, () -> row.getBool(c));
                    return;
                }
                case F64:
                    assertEquals(Double.doubleToLongBits(((Value.F64) v).value()),
                            Double.doubleToLongBits(row.getDouble(c)));
                    assertThrows(ValueMismatchException.class, () -> row.getFloat(c));
                    return;
                default:
                    assertEquals(((Value.Str) v).value(), row.getString(c));
                    assertEquals(((Value.Str) v).value(), row.getString(name));
                    assertThrows(ValueMismatchException.class, () -> row.getBytes(c));
                    return;
            }
        }
        if (t instanceof AlgebraicType.Array a && Gen.TS.resolve(a.element()) == Primitive.U8) {
            assertArrayEquals(((Value.Bytes) v).value().toByteArray(), row.getBytes(c));
            assertArrayEquals(((Value.Bytes) v).value().toByteArray(), row.getBytes(name));
            assertThrows(ValueMismatchException.class, () -> row.getString(c));
            return;
        }
        if (t instanceof AlgebraicType.Product p && p.special() != null) {
            switch (p.special()) {
                case IDENTITY:
                    assertEquals(((Value.IdentityValue) v).value(), row.getIdentity(c));
                    assertEquals(((Value.IdentityValue) v).value(), row.getIdentity(name));
                    assertThrows(ValueMismatchException.class, () -> row.getConnectionId(c));
                    return;
                case CONNECTION_ID:
                    assertEquals(((Value.ConnectionIdValue) v).value(), row.getConnectionId(c));
                    assertThrows(ValueMismatchException.class, () -> row.getIdentity(c));
                    return;
                case TIMESTAMP:
                    assertEquals(((Value.TimestampValue) v).value(), row.getTimestamp(c));
                    assertThrows(ValueMismatchException.class, () -> row.getTimeDuration(c));
                    return;
                case TIME_DURATION:
                    assertEquals(((Value.TimeDurationValue) v).value(), row.getTimeDuration(c));
                    assertThrows(ValueMismatchException.class, () -> row.getTimestamp(c));
                    return;
                default:
                    assertEquals(((Value.UuidValue) v).value(), row.getUuid(c));
                    assertThrows(ValueMismatchException.class, () -> row.getLong(c));
                    return;
            }
        }
        // nested types: only the generic getter applies
        assertThrows(ValueMismatchException.class, () -> row.getString(c));
        assertThrows(ValueMismatchException.class, () -> row.getLong(c));
    }
}
