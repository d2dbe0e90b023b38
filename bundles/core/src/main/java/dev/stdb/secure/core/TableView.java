package dev.stdb.secure.core;

import dev.stdb.secure.protocol.value.Row;

import java.util.List;
import java.util.Optional;

/**
 * The client cache of one table: the rows the connection's subscriptions match, and listeners for changes. Listeners
 * run on the connection's callback thread, in the order the server sent the changes.
 */
public interface TableView {
    String name();

    /** Rows in the cache now. */
    int size();

    /** A snapshot of the cached rows. */
    List<Row> rows();

    /**
     * The cached row with this primary key, given as a Java value or {@code Value} of the key column's type.
     *
     * @throws IllegalStateException when the table has no primary key
     */
    Optional<Row> findByPrimaryKey(Object key);

    Registration onInsert(RowListener listener);

    Registration onDelete(RowListener listener);

    /** Only tables with a primary key have updates; elsewhere a change is a delete and an insert. */
    Registration onUpdate(UpdateListener listener);
}
