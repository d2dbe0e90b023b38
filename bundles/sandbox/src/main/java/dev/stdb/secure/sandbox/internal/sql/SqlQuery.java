package dev.stdb.secure.sandbox.internal.sql;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.SpecialType;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.sandbox.internal.module.Database;
import dev.stdb.secure.sandbox.internal.module.StoredRow;
import dev.stdb.secure.sandbox.internal.module.Table;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The SQL subset the sandbox understands: {@code SELECT * FROM table [WHERE column = literal]}, keywords in any case,
 * an optional trailing semicolon. Literals: integers, decimals, {@code 'strings'} (with {@code ''} for a quote),
 * {@code true}/{@code false}, and {@code 0x...} or {@code X'...'} hex for identities, connection ids and bytes. The
 * literal is converted to the column's type when the query is planned, so a query that cannot match is an error
 * up front, as in SpacetimeDB.
 */
public final class SqlQuery {
    private static final Pattern QUERY = Pattern.compile(
            "(?is)\\s*SELECT\\s+\\*\\s+FROM\\s+([A-Za-z_][A-Za-z0-9_]*)"
                    + "(?:\\s+WHERE\\s+([A-Za-z_][A-Za-z0-9_]*)\\s*=\\s*(.+?))?\\s*;?\\s*");

    private final String sql;
    private final Table table;
    private final int column;
    private final Value literal;

    private SqlQuery(String sql, Table table, int column, Value literal) {
        this.sql = sql;
        this.table = table;
        this.column = column;
        this.literal = literal;
    }

    /** Parses and plans a query against the module. */
    public static SqlQuery parse(String sql, Database db) throws SqlException {
        Matcher m = QUERY.matcher(sql);
        if (!m.matches()) {
            throw new SqlException("unsupported query (the sandbox understands SELECT * FROM t [WHERE col = literal]): "
                    + abbreviate(sql));
        }
        Table table = db.table(m.group(1)).orElseThrow(() -> new SqlException("no such table: `" + m.group(1) + "`"));
        if (m.group(2) == null) {
            return new SqlQuery(sql, table, -1, null);
        }
        int column = table.rowType().indexOf(m.group(2));
        if (column < 0) {
            throw new SqlException("no such column: `" + m.group(2) + "` in table `" + table.name() + "`");
        }
        AlgebraicType type = db.schema().typespace().resolve(table.rowType().elements().get(column).type());
        return new SqlQuery(sql, table, column, literal(m.group(3).trim(), type, db.schema().typespace(), m.group(2)));
    }

    public String sql() {
        return sql;
    }

    public Table table() {
        return table;
    }

    public boolean matches(StoredRow row) {
        return column < 0 || row.value().get(column).equals(literal);
    }

    private static Value literal(String text, AlgebraicType type, Typespace ts, String column) throws SqlException {
        try {
            if (type instanceof Primitive p) {
                return primitive(text, p);
            }
            if (type instanceof AlgebraicType.Product product && product.special() != null) {
                return special(text, product.special());
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new SqlException("literal " + abbreviate(text) + " does not fit column `" + column + "`: " + e.getMessage());
        }
        throw new SqlException("the sandbox cannot compare column `" + column + "` of a composite type");
    }

    private static Value primitive(String text, Primitive p) throws SqlException {
        switch (p) {
            case BOOL:
                if (!text.equalsIgnoreCase("true") && !text.equalsIgnoreCase("false")) {
                    throw new SqlException("expected true or false, got " + abbreviate(text));
                }
                return new Value.Bool(Boolean.parseBoolean(text.toLowerCase(Locale.ROOT)));
            case STRING:
                if (text.length() < 2 || !text.startsWith("'") || !text.endsWith("'")) {
                    throw new SqlException("expected a 'quoted string', got " + abbreviate(text));
                }
                return new Value.Str(text.substring(1, text.length() - 1).replace("''", "'"));
            case F32:
                return new Value.F32(Float.parseFloat(text));
            case F64:
                return new Value.F64(Double.parseDouble(text));
            default:
                BigInteger v = new BigDecimal(text).toBigIntegerExact();
                int bits = p.size() * 8;
                BigInteger min = p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1).negate() : BigInteger.ZERO;
                BigInteger max = (p.isSigned() ? BigInteger.ONE.shiftLeft(bits - 1) : BigInteger.ONE.shiftLeft(bits))
                        .subtract(BigInteger.ONE);
                if (v.compareTo(min) < 0 || v.compareTo(max) > 0) {
                    throw new ArithmeticException(v + " is outside the range of " + p.name().toLowerCase(Locale.ROOT));
                }
                return p.size() <= 8 ? new Value.Int(p, v.longValue()) : new Value.BigInt(p, v);
        }
    }

    private static Value special(String text, SpecialType special) throws SqlException {
        String hex = hex(text);
        return switch (special) {
            case IDENTITY -> new Value.IdentityValue(Identity.fromHex(hex));
            case CONNECTION_ID -> new Value.ConnectionIdValue(ConnectionId.fromHex(hex));
            default -> throw new SqlException("the sandbox cannot compare " + special + " columns");
        };
    }

    private static String hex(String text) throws SqlException {
        String t = text;
        if (t.startsWith("0x") || t.startsWith("0X")) {
            t = t.substring(2);
        } else if ((t.startsWith("X'") || t.startsWith("x'")) && t.endsWith("'")) {
            t = t.substring(2, t.length() - 1);
        } else {
            throw new SqlException("expected a hex literal (0x... or X'...'), got " + abbreviate(text));
        }
        HexFormat.of().parseHex(t);
        return t;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    @Override
    public String toString() {
        return sql;
    }
}
