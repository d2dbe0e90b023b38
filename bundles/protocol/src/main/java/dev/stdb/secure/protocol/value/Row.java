package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.SpecialType;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * One row of a table, read in place from the frame it arrived in. Typed getters take a column name or index and
 * fail with a {@link ValueMismatchException} when the column has another type; {@link #get(int)} gives any column as
 * a {@link Value}. The row was fully checked when its list was decoded, so getters cannot meet malformed bytes.
 */
public final class Row {
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final RowList list;
    private final int index;

    Row(RowList list, int index) {
        this.list = list;
        this.index = index;
    }

    public RowDecoder decoder() {
        return list.decoder;
    }

    /** Position of this row in its list. */
    public int index() {
        return index;
    }

    private int col(String name) {
        return list.decoder.column(name);
    }

    private int at(int column) {
        return list.columnStart(index, column);
    }

    private Primitive primitive(int column, String getter) {
        Primitive p = list.decoder.primitives[column];
        if (p == null) {
            throw wrongType(column, getter);
        }
        return p;
    }

    private ValueMismatchException wrongType(int column, String getter) {
        return new ValueMismatchException("column " + list.decoder.describe(column) + " cannot be read with " + getter);
    }

    private void special(int column, SpecialType wanted, String getter) {
        if (list.decoder.specials[column] != wanted) {
            throw wrongType(column, getter);
        }
    }

    // ------------------------------------------------------------------ scalars

    public boolean getBool(String column) {
        return getBool(col(column));
    }

    public boolean getBool(int column) {
        if (primitive(column, "getBool") != Primitive.BOOL) {
            throw wrongType(column, "getBool");
        }
        return list.buf[at(column)] != 0;
    }

    /** Any integer column of at most 32 bits; a u32 above {@link Integer#MAX_VALUE} fails. */
    public int getInt(String column) {
        return getInt(col(column));
    }

    public int getInt(int column) {
        Primitive p = primitive(column, "getInt");
        if (p.size() > 4 || !p.isInteger()) {
            throw wrongType(column, "getInt");
        }
        long v = getLong(column);
        if (v > Integer.MAX_VALUE) {
            throw new ArithmeticException(list.decoder.describe(column) + " value " + v + " does not fit an int");
        }
        return (int) v;
    }

    /** Any integer column of at most 64 bits; a u64 gives its 64 bits (see {@link Long#toUnsignedString(long)}). */
    public long getLong(String column) {
        return getLong(col(column));
    }

    public long getLong(int column) {
        Primitive p = primitive(column, "getLong");
        byte[] b = list.buf;
        int at = at(column);
        return switch (p) {
            case I8 -> b[at];
            case U8 -> b[at] & 0xFF;
            case I16 -> (short) SHORT.get(b, at);
            case U16 -> (short) SHORT.get(b, at) & 0xFFFF;
            case I32 -> (int) INT.get(b, at);
            case U32 -> (int) INT.get(b, at) & 0xFFFF_FFFFL;
            case I64, U64 -> (long) LONG.get(b, at);
            default -> throw wrongType(column, "getLong");
        };
    }

    /** Any integer column, with the right sign for unsigned types. */
    public BigInteger getBigInteger(String column) {
        return getBigInteger(col(column));
    }

    public BigInteger getBigInteger(int column) {
        Primitive p = primitive(column, "getBigInteger");
        if (!p.isInteger()) {
            throw wrongType(column, "getBigInteger");
        }
        if (p.size() <= 8) {
            long v = getLong(column);
            return p == Primitive.U64 && v < 0 ? new BigInteger(Long.toUnsignedString(v)) : BigInteger.valueOf(v);
        }
        return reader(column).readBigInteger(p.size(), p.isSigned(), p.name());
    }

    public float getFloat(String column) {
        return getFloat(col(column));
    }

    public float getFloat(int column) {
        if (primitive(column, "getFloat") != Primitive.F32) {
            throw wrongType(column, "getFloat");
        }
        return Float.intBitsToFloat((int) INT.get(list.buf, at(column)));
    }

    /** An f64 or f32 column. */
    public double getDouble(String column) {
        return getDouble(col(column));
    }

    public double getDouble(int column) {
        Primitive p = primitive(column, "getDouble");
        if (p == Primitive.F64) {
            return Double.longBitsToDouble((long) LONG.get(list.buf, at(column)));
        }
        if (p == Primitive.F32) {
            return getFloat(column);
        }
        throw wrongType(column, "getDouble");
    }

    public String getString(String column) {
        return getString(col(column));
    }

    public String getString(int column) {
        if (!list.decoder.strings[column]) {
            throw wrongType(column, "getString");
        }
        int at = at(column);
        return new String(list.buf, at + 4, (int) INT.get(list.buf, at), StandardCharsets.UTF_8);
    }

    /** An {@code array<u8>} column, copied. */
    public byte[] getBytes(String column) {
        return getBytes(col(column));
    }

    public byte[] getBytes(int column) {
        if (!list.decoder.byteArrays[column]) {
            throw wrongType(column, "getBytes");
        }
        int at = at(column);
        int len = (int) INT.get(list.buf, at);
        return Arrays.copyOfRange(list.buf, at + 4, at + 4 + len);
    }

    // ------------------------------------------------------------------ special types

    public Identity getIdentity(String column) {
        return getIdentity(col(column));
    }

    public Identity getIdentity(int column) {
        special(column, SpecialType.IDENTITY, "getIdentity");
        return Identity.fromWire(list.buf, at(column));
    }

    public ConnectionId getConnectionId(String column) {
        return getConnectionId(col(column));
    }

    public ConnectionId getConnectionId(int column) {
        special(column, SpecialType.CONNECTION_ID, "getConnectionId");
        return ConnectionId.fromWire(list.buf, at(column));
    }

    public Timestamp getTimestamp(String column) {
        return getTimestamp(col(column));
    }

    public Timestamp getTimestamp(int column) {
        special(column, SpecialType.TIMESTAMP, "getTimestamp");
        return new Timestamp((long) LONG.get(list.buf, at(column)));
    }

    public TimeDuration getTimeDuration(String column) {
        return getTimeDuration(col(column));
    }

    public TimeDuration getTimeDuration(int column) {
        special(column, SpecialType.TIME_DURATION, "getTimeDuration");
        return new TimeDuration((long) LONG.get(list.buf, at(column)));
    }

    public UUID getUuid(String column) {
        return getUuid(col(column));
    }

    public UUID getUuid(int column) {
        special(column, SpecialType.UUID, "getUuid");
        int at = at(column);
        return new UUID((long) LONG.get(list.buf, at + 8), (long) LONG.get(list.buf, at));
    }

    // ------------------------------------------------------------------ generic

    /** Any column as a {@link Value}. */
    public Value get(String column) {
        return get(col(column));
    }

    public Value get(int column) {
        return list.decoder.node(column).read(reader(column), 1);
    }

    /** The whole row as a product value. */
    public Value.Product toValue() {
        Value[] values = new Value[list.decoder.columnCount()];
        for (int c = 0; c < values.length; c++) {
            values[c] = get(c);
        }
        return new Value.Product(list.decoder.columnNames(), Arrays.asList(values));
    }

    private BsatnReader reader(int column) {
        BsatnReader r = new BsatnReader(list.buf, list.start, list.end - list.start, list.limits);
        r.seek(at(column));
        return r;
    }

    // ------------------------------------------------------------------ identity in a cache

    /**
     * This row over a copy of its own bytes, no longer holding the frame it arrived in: what a cache keeps. Decoding
     * the copy cannot fail, the bytes were checked when the list was decoded.
     */
    public Row detach() {
        byte[] bytes = toBytes();
        RowList own = list.decoder.decode(new dev.stdb.secure.protocol.message.BsatnRowList(
                new dev.stdb.secure.protocol.message.RowSizeHint.RowOffsets(new long[]{0}), bytes, 0, bytes.length));
        return own.get(0);
    }

    /** The row's BSATN bytes, copied. */
    public byte[] toBytes() {
        return Arrays.copyOfRange(list.buf, list.rowStart(index), list.rowEnd(index));
    }

    /** The cache key: the primary key's bytes, or the whole row's when the table has none. A view; see {@link RowKey#compact()}. */
    public RowKey key() {
        int[] pk = list.decoder.primaryKey;
        if (pk.length == 0) {
            int s = list.rowStart(index);
            return new RowKey(list.buf, s, list.rowEnd(index) - s);
        }
        if (pk.length == 1) {
            int s = list.columnStart(index, pk[0]);
            return new RowKey(list.buf, s, list.columnEnd(index, pk[0]) - s);
        }
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int c : pk) {
            int s = list.columnStart(index, c);
            out.write(list.buf, s, list.columnEnd(index, c) - s);
        }
        byte[] bytes = out.toByteArray();
        return new RowKey(bytes, 0, bytes.length);
    }

    /** Rows are equal when they have the same bytes and the same table; the hash is the cache key's. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Row other) || other.list.decoder != list.decoder) {
            return false;
        }
        return Arrays.equals(list.buf, list.rowStart(index), list.rowEnd(index),
                other.list.buf, other.list.rowStart(other.index), other.list.rowEnd(other.index));
    }

    @Override
    public int hashCode() {
        return key().hashCode();
    }

    @Override
    public String toString() {
        return list.decoder.table() + toValue().values();
    }
}
