package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.value.Value;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Changes made by one reducer, applied to the tables as they happen and undone on failure. The sandbox runs one
 * transaction at a time, so nothing else sees a half-done one.
 */
public final class Transaction {
    private final Map<Table, List<StoredRow>> inserts = new LinkedHashMap<>();
    private final Map<Table, List<StoredRow>> deletes = new LinkedHashMap<>();
    private final List<Runnable> undo = new ArrayList<>();

    /** Inserts a row; a duplicate primary key (or, without one, an identical row) is the reducer's error. */
    public StoredRow insert(Table table, Value.Product value) throws ReducerFailure {
        StoredRow row = table.toStored(value);
        if (!table.isEvent()) {
            if (table.contains(row.key())) {
                throw new ReducerFailure("duplicate " + (table.def().primaryKey().isEmpty() ? "row" : "primary key")
                        + " in table " + table.name());
            }
            table.put(row);
            undo.add(() -> table.remove(row));
        }
        inserts.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
        return row;
    }

    public void delete(Table table, StoredRow row) {
        table.remove(row);
        undo.add(() -> table.put(row));
        deletes.computeIfAbsent(table, t -> new ArrayList<>()).add(row);
    }

    /** Replaces the row with the same primary key. */
    public StoredRow update(Table table, Value.Product value) throws ReducerFailure {
        Optional<StoredRow> old = table.findByPrimaryKey(value.get(table.def().primaryKey().get(0)));
        if (old.isEmpty()) {
            throw new ReducerFailure("no row with that primary key in table " + table.name());
        }
        delete(table, old.get());
        return insert(table, value);
    }

    void rollback() {
        for (int i = undo.size() - 1; i >= 0; i--) {
            undo.get(i).run();
        }
        undo.clear();
        inserts.clear();
        deletes.clear();
    }

    /** Per table, in the order tables were first touched. */
    List<TableChanges> changes() {
        List<Table> touched = new ArrayList<>(inserts.keySet());
        deletes.keySet().stream().filter(t -> !touched.contains(t)).forEach(touched::add);
        List<TableChanges> out = new ArrayList<>();
        for (Table t : touched) {
            out.add(new TableChanges(t, inserts.getOrDefault(t, List.of()), deletes.getOrDefault(t, List.of())));
        }
        return out;
    }
}
