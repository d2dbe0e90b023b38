package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.TableView;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage.QueryRows;
import dev.stdb.secure.protocol.message.ServerMessage.QuerySetUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.SingleTableRows;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdateRows;
import dev.stdb.secure.protocol.message.ServerMessage.TransactionUpdate;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.ValueCodec;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;

/**
 * A small module built in code: {@code person(id u32 pk, name string)}, {@code note(text string, n u32)} without a
 * primary key, the event table {@code ping(msg string)} and {@code pair(a u32, b u32, v string)} keyed by (a, b);
 * builders for the BSATN row lists and messages, and a recorder of listener calls.
 */
final class CacheFixtures {
    static final ModuleSchema SCHEMA = new ModuleSchema(
            new Typespace(List.of(
                    product(element("id", Primitive.U32), element("name", Primitive.STRING)),
                    product(element("text", Primitive.STRING), element("n", Primitive.U32)),
                    product(element("msg", Primitive.STRING)),
                    product(element("a", Primitive.U32), element("b", Primitive.U32), element("v", Primitive.STRING)))),
            List.of(new TableDef("person", 0, List.of(0), false, true),
                    new TableDef("note", 1, List.of(), false, true),
                    new TableDef("ping", 2, List.of(), true, true),
                    new TableDef("pair", 3, List.of(0, 1), false, true)),
            List.of(), List.of());

    static final List<String> TABLES = List.of("person", "note", "ping", "pair");

    private CacheFixtures() {
    }

    static ValueCodec rowCodec(String table) {
        return ValueCodec.compile(SCHEMA.typespace(), SCHEMA.rowType(SCHEMA.requireTable(table)));
    }

    /** The BSATN of the rows, back to back, and their start offsets. */
    static byte[] encode(String table, List<Object[]> rows, long[] offsets) {
        ValueCodec codec = rowCodec(table);
        BsatnWriter w = new BsatnWriter();
        for (int i = 0; i < rows.size(); i++) {
            offsets[i] = w.size();
            codec.write(rows.get(i), w, table);
        }
        return w.toByteArray();
    }

    /** Rows as the server sends them, with a RowOffsets hint; each row is its columns' values. */
    static BsatnRowList rows(String table, Object[]... rows) {
        return rows(table, List.of(rows));
    }

    static BsatnRowList rows(String table, List<Object[]> rows) {
        long[] offsets = new long[rows.size()];
        byte[] data = encode(table, rows, offsets);
        return BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), data);
    }

    static Object[] person(int id, String name) {
        return new Object[]{id, name};
    }

    static Object[] note(String text, int n) {
        return new Object[]{text, n};
    }

    static Object[] ping(String msg) {
        return new Object[]{msg};
    }

    static Object[] pair(int a, int b, String v) {
        return new Object[]{a, b, v};
    }

    static BsatnRowList none() {
        return BsatnRowList.empty();
    }

    // ------------------------------------------------------------------ messages

    static QueryRows queryRows(SingleTableRows... tables) {
        return new QueryRows(List.of(tables));
    }

    static SingleTableRows single(String table, BsatnRowList rows) {
        return new SingleTableRows(table, rows);
    }

    static TransactionUpdate tx(QuerySetUpdate... sets) {
        return new TransactionUpdate(List.of(sets));
    }

    static QuerySetUpdate set(int id, TableUpdate... tables) {
        return new QuerySetUpdate(id, List.of(tables));
    }

    static TableUpdate table(String name, TableUpdateRows... rows) {
        return new TableUpdate(name, List.of(rows));
    }

    static TableUpdateRows.PersistentTable persistent(BsatnRowList inserts, BsatnRowList deletes) {
        return new TableUpdateRows.PersistentTable(inserts, deletes);
    }

    static TableUpdateRows.PersistentTable inserts(BsatnRowList inserts) {
        return persistent(inserts, none());
    }

    static TableUpdateRows.PersistentTable deletes(BsatnRowList deletes) {
        return persistent(none(), deletes);
    }

    static TableUpdateRows.EventTable events(BsatnRowList events) {
        return new TableUpdateRows.EventTable(events);
    }

    // ------------------------------------------------------------------ rows as text

    /** "1:Ada" for a person, "a:1" for a note, "hi" for a ping, "1/2:x" for a pair. */
    static String text(Row row) {
        switch (row.decoder().table()) {
            case "person":
                return row.getLong("id") + ":" + row.getString("name");
            case "note":
                return row.getString("text") + ":" + row.getLong("n");
            case "ping":
                return row.getString("msg");
            case "pair":
                return row.getLong("a") + "/" + row.getLong("b") + ":" + row.getString("v");
            default:
                throw new AssertionError(row.decoder().table());
        }
    }

    static List<String> texts(TableView table) {
        return table.rows().stream().map(CacheFixtures::text).sorted().collect(Collectors.toList());
    }

    /** Records every listener call of every table as "+person 1:Ada", "-person 1:Ada", "~person 1:Ada>1:Bob". */
    static final class Recorder {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());

        Recorder(ClientCache cache) {
            for (String name : TABLES) {
                TableView t = cache.table(name);
                t.onInsert(r -> calls.add("+" + name + " " + text(r)));
                t.onDelete(r -> calls.add("-" + name + " " + text(r)));
                t.onUpdate((o, n) -> calls.add("~" + name + " " + text(o) + ">" + text(n)));
            }
        }

        /** The calls so far, cleared. */
        List<String> take() {
            synchronized (calls) {
                List<String> copy = List.copyOf(calls);
                calls.clear();
                return copy;
            }
        }
    }
}
