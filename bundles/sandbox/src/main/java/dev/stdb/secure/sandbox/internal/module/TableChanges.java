package dev.stdb.secure.sandbox.internal.module;

import java.util.List;

/** What one committed transaction did to one table; an update is a delete and an insert of the same key. */
public record TableChanges(Table table, List<StoredRow> inserts, List<StoredRow> deletes) {
    public TableChanges {
        inserts = List.copyOf(inserts);
        deletes = List.copyOf(deletes);
    }
}
