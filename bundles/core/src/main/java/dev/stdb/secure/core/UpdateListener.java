package dev.stdb.secure.core;

import dev.stdb.secure.protocol.value.Row;

/** Called when a row of a table with a primary key is replaced: a delete and an insert of the same key in one transaction. */
@FunctionalInterface
public interface UpdateListener {
    void onUpdate(Row oldRow, Row newRow);
}
