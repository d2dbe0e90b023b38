package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.schema.Typespace;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes the rows of one table, compiled once from its schema. Decoding checks every row completely (lengths, bools,
 * UTF-8, sum tags, the size hint) but copies nothing: a {@link RowList} is the frame's bytes plus one int per row and
 * variable-size column, and a {@link Row} reads its columns from those bytes when asked.
 *
 * <p>Columns are laid out as segments: a segment starts at the row start or right after a variable-size column, and
 * every column sits at a constant offset inside its segment. Only segment starts are recorded per row.
 */
public final class RowDecoder {
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Column step kinds of the row walk. */
    static final int FIXED = 0;
    static final int BOOL = 1;
    static final int STRING = 2;
    static final int BYTES = 3;
    static final int NESTED = 4;

    private final String table;
    private final AlgebraicType.Product rowType;
    private final ProtocolLimits limits;
    final String[] names;
    final Node[] columns;
    private final Map<String, Integer> columnIndex = new HashMap<>();
    private final int[] kind;
    private final int[] size;
    /** Per column, for typed getters without type tests: the primitive, the special type, or null. */
    final AlgebraicType.Primitive[] primitives;
    final SpecialType[] specials;
    final boolean[] strings;
    final boolean[] byteArrays;
    /** The row walk: adjacent fixed-size columns merged into one step. */
    private final int[] stepKind;
    private final int[] stepSize;
    private final int[] stepColumn;
    final int[] segmentOf;
    final int[] offsetInSegment;
    final int segments;
    final int[] primaryKey;
    /** Fewest bytes a row can take. */
    private final int minRowSize;

    private RowDecoder(String table, Typespace typespace, AlgebraicType.Product rowType, int[] primaryKey,
                       ProtocolLimits limits) {
        this.table = table;
        this.rowType = rowType;
        this.limits = limits;
        this.primaryKey = primaryKey.clone();
        int n = rowType.elements().size();
        TypePlanner planner = new TypePlanner(typespace);
        names = new String[n];
        columns = new Node[n];
        kind = new int[n];
        size = new int[n];
        segmentOf = new int[n];
        offsetInSegment = new int[n];
        primitives = new AlgebraicType.Primitive[n];
        specials = new SpecialType[n];
        strings = new boolean[n];
        byteArrays = new boolean[n];
        int segment = 0;
        int offset = 0;
        for (int c = 0; c < n; c++) {
            AlgebraicType.Element e = rowType.elements().get(c);
            names[c] = e.name() != null ? e.name() : String.valueOf(c);
            columnIndex.putIfAbsent(names[c], c);
            columns[c] = planner.plan(e.type());
            size[c] = columns[c].fixedSize();
            kind[c] = kindOf(columns[c]);
            if (columns[c] instanceof Nodes.PrimitiveNode p) {
                primitives[c] = p.type;
            } else if (columns[c] instanceof Nodes.SpecialNode sp) {
                specials[c] = sp.special;
            }
            strings[c] = kind[c] == STRING;
            byteArrays[c] = kind[c] == BYTES;
            segmentOf[c] = segment;
            offsetInSegment[c] = offset;
            if (size[c] >= 0) {
                offset += size[c];
            } else {
                segment++;
                offset = 0;
            }
        }
        segments = segment + 1;
        int min = 0;
        for (Node column : columns) {
            min += column.minSize();
        }
        minRowSize = min;
        int[][] steps = steps(kind, size);
        stepKind = steps[0];
        stepSize = steps[1];
        stepColumn = steps[2];
        for (int pk : primaryKey) {
            if (pk < 0 || pk >= n) {
                throw new SchemaException("primary key column " + pk + " of table " + table + " does not exist");
            }
        }
    }

    /** Merges runs of unchecked fixed-size columns into single steps: {kinds, sizes, first columns}. */
    private static int[][] steps(int[] kind, int[] size) {
        int[] k = new int[kind.length];
        int[] sz = new int[kind.length];
        int[] col = new int[kind.length];
        int n = 0;
        for (int c = 0; c < kind.length; c++) {
            if (kind[c] == FIXED && n > 0 && k[n - 1] == FIXED) {
                sz[n - 1] += size[c];
                continue;
            }
            k[n] = kind[c];
            sz[n] = size[c];
            col[n] = c;
            n++;
        }
        return new int[][]{Arrays.copyOf(k, n), Arrays.copyOf(sz, n), Arrays.copyOf(col, n)};
    }

    private static int kindOf(Node node) {
        if (node instanceof Nodes.PrimitiveNode p && p.type == AlgebraicType.Primitive.BOOL) {
            return BOOL;
        }
        if (node instanceof Nodes.StringNode) {
            return STRING;
        }
        if (node instanceof Nodes.BytesNode) {
            return BYTES;
        }
        // Fixed-size values that need no checking (integers, floats, identities, ...) are skipped without a look.
        if (node.fixedSize() >= 0 && (node instanceof Nodes.PrimitiveNode || node instanceof Nodes.SpecialNode)) {
            return FIXED;
        }
        return NESTED;
    }

    /** A decoder for a table of the module, keyed by its primary key when it has one. */
    public static RowDecoder forTable(ModuleSchema schema, String tableName) {
        return forTable(schema, tableName, ProtocolLimits.DEFAULT);
    }

    public static RowDecoder forTable(ModuleSchema schema, String tableName, ProtocolLimits limits) {
        TableDef table = schema.requireTable(tableName);
        int[] pk = table.primaryKey().stream().mapToInt(Integer::intValue).toArray();
        return new RowDecoder(table.name(), schema.typespace(), schema.rowType(table), pk, limits);
    }

    /** A decoder for rows of {@code rowType}; {@code primaryKey} lists key columns (empty: rows are keyed by their bytes). */
    public static RowDecoder of(String table, Typespace typespace, AlgebraicType.Product rowType, int... primaryKey) {
        return new RowDecoder(table, typespace, rowType, primaryKey, ProtocolLimits.DEFAULT);
    }

    public String table() {
        return table;
    }

    public AlgebraicType.Product rowType() {
        return rowType;
    }

    public List<String> columnNames() {
        return List.of(names);
    }

    public int columnCount() {
        return names.length;
    }

    /** Column index by name. */
    public int column(String name) {
        Integer i = columnIndex.get(name);
        if (i == null) {
            throw new ValueMismatchException("table " + table + " has no column '" + name + "'; columns are "
                    + List.of(names));
        }
        return i;
    }

    public boolean hasPrimaryKey() {
        return primaryKey.length > 0;
    }

    /** Decodes and checks every row of the list. */
    public RowList decode(BsatnRowList list) {
        byte[] buf = list.buffer();
        int start = list.offset();
        int end = start + list.length();
        RowSizeHint hint = list.sizeHint();
        int expected;
        if (hint instanceof RowSizeHint.FixedSize fs) {
            expected = list.length() == 0 ? 0 : fs.rowSize() == 0 ? -1 : list.length() / fs.rowSize();
        } else {
            expected = ((RowSizeHint.RowOffsets) hint).count();
        }
        if (expected < 0) {
            throw new ProtocolException("fixed row size 0 with " + list.length() + " bytes of rows", 0, table + " rows");
        }
        // Every row takes at least minRowSize bytes: check the announced count before sizing tables by it.
        if ((long) expected * minRowSize > list.length() || (long) expected * segments > Integer.MAX_VALUE - 8) {
            throw new ProtocolException("the size hint announces " + expected + " rows, more than " + list.length()
                    + " bytes of rows can hold", 0, table + " rows");
        }
        int[] segmentStarts = new int[Math.max(1, expected * segments)];
        BsatnReader r = new BsatnReader(buf, start, list.length(), limits);
        int pos = start;
        int rows = 0;
        while (pos < end) {
            if (rows == expected) {
                throw r.errorAt(pos, "more rows than the " + expected + " the size hint announces", table + " rows");
            }
            checkHint(hint, rows, pos - start, r, pos);
            pos = walkRow(buf, pos, end, segmentStarts, rows * segments, r);
            rows++;
        }
        if (rows != expected) {
            throw r.errorAt(end, "the size hint announces " + expected + " rows but the data holds " + rows,
                    table + " rows");
        }
        return new RowList(this, buf, start, end, rows, segmentStarts, limits);
    }

    private void checkHint(RowSizeHint hint, int row, int relative, BsatnReader r, int pos) {
        long announced = hint instanceof RowSizeHint.RowOffsets ro ? ro.offset(row)
                : (long) row * ((RowSizeHint.FixedSize) hint).rowSize();
        if (announced != relative) {
            throw r.errorAt(pos, "row " + row + " starts at byte " + relative + " but the size hint says " + announced,
                    table + " rows");
        }
    }

    /** Checks one row from {@code pos}, records its segment starts and returns where it ends. */
    private int walkRow(byte[] buf, int pos, int end, int[] segmentStarts, int base, BsatnReader r) {
        segmentStarts[base] = pos;
        int segment = 1;
        int[] kinds = stepKind;
        for (int s = 0; s < kinds.length; s++) {
            switch (kinds[s]) {
                case FIXED -> {
                    if (stepSize[s] > end - pos) {
                        throw truncated(r, end, truncatedColumn(s, pos, end));
                    }
                    pos += stepSize[s];
                }
                case BOOL -> {
                    if (pos >= end) {
                        throw truncated(r, end, stepColumn[s]);
                    }
                    if ((buf[pos] & 0xFE) != 0) {
                        throw r.errorAt(pos, "invalid bool value 0x" + Integer.toHexString(buf[pos] & 0xFF),
                                where(stepColumn[s]));
                    }
                    pos++;
                }
                case STRING, BYTES -> {
                    if (end - pos < 4) {
                        throw truncated(r, end, stepColumn[s]);
                    }
                    int len = (int) INT.get(buf, pos);
                    if (len < 0 || len > end - pos - 4) {
                        throw r.errorAt(pos, "length " + Integer.toUnsignedString(len) + " exceeds the "
                                + (end - pos - 4) + " remaining bytes", where(stepColumn[s]));
                    }
                    pos += 4;
                    if (kinds[s] == STRING) {
                        int bad = r.firstInvalidUtf8(pos, len);
                        if (bad >= 0) {
                            throw r.invalidUtf8(bad, where(stepColumn[s]));
                        }
                    }
                    pos += len;
                    segmentStarts[base + segment++] = pos;
                }
                default -> {
                    int c = stepColumn[s];
                    r.seek(pos);
                    try {
                        columns[c].skip(r, 1);
                    } catch (ProtocolException e) {
                        throw inColumn(e, c);
                    }
                    pos = r.position();
                    if (size[c] < 0) {
                        segmentStarts[base + segment++] = pos;
                    }
                }
            }
        }
        return pos;
    }

    /** The column of merged fixed-size step {@code s}, starting at {@code pos}, that {@code end} cuts. */
    private int truncatedColumn(int s, int pos, int end) {
        int c = stepColumn[s];
        for (int at = pos + size[c]; at <= end; at += size[c]) {
            c++;
        }
        return c;
    }

    /** The error of a value nested in column {@code c}, with the table and column added to what was decoded. */
    private ProtocolException inColumn(ProtocolException e, int c) {
        String suffix = " at offset " + e.offset() + (e.decoding() == null ? "" : " while decoding " + e.decoding());
        String message = e.getMessage();
        String problem = message.endsWith(suffix) ? message.substring(0, message.length() - suffix.length()) : message;
        ProtocolException inColumn = new ProtocolException(problem, e.offset(), where(c) + ": " + e.decoding());
        inColumn.initCause(e);
        return inColumn;
    }

    private ProtocolException truncated(BsatnReader r, int end, int c) {
        return r.errorAt(end, "truncated row", where(c));
    }

    private String where(int c) {
        return table + "." + names[c] + " (" + columns[c].typeName + ")";
    }

    Node node(int column) {
        return columns[column];
    }

    String describe(int column) {
        return where(column);
    }

    @Override
    public String toString() {
        return "RowDecoder[" + table + " " + List.of(names) + "]";
    }
}
