package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.TableView;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessage.QuerySetUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdateRows;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowKey;
import dev.stdb.secure.protocol.value.RowList;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Collectors;

/**
 * The client cache of a connection: the rows its query sets match, per table, with reference counts, and the
 * listeners that hear about changes (PROTOCOL.md §3.2).
 *
 * <p><b>Rows and keys.</b> Rows are stored detached ({@link Row#detach()}), so the cache never holds a frame. A row is
 * identified by its key ({@link Row#key()}): the primary key's bytes, or the whole row's bytes when the table has no
 * primary key. A row is cached while at least one query set contributes it; per query set and table the cache keeps
 * which keys the set contributes and how often (a set of several queries may match a row twice), and per row the sum
 * of those counts. Overlapping query sets therefore neither duplicate a row nor announce it twice.
 *
 * <p><b>Net changes.</b> Every apply method first decodes (and so checks) all the rows of the message; a malformed
 * message throws before anything changes. It then applies the whole message, and only afterwards compares, per touched
 * key, the cached row before the message with the one after it: absent to present is an insert, present to absent a
 * delete, present to present with other bytes an update (only possible with a primary key), equal bytes nothing.
 * Listeners run after the whole message is applied, outside any lock, so they see the complete new state; tables in
 * the order they first appear in the message, within a table in the order keys were first touched. A listener that
 * throws is logged and does not stop the others.
 *
 * <p><b>Event tables.</b> Their rows are never stored. In a transaction each distinct event row (by bytes) fires
 * {@code onInsert} once per message: the server sends an event once for every query set that matches it, so the
 * copies are collapsed (two byte-identical events in one transaction are indistinguishable from one event seen
 * through two query sets, and are announced once). Rows of event tables in {@code SubscribeApplied} are ignored. For
 * a table the schema marks as an event table, {@code PersistentTable} inserts count as events and deletes are
 * ignored; an {@code EventTable} update for any table fires inserts without storing rows.
 *
 * <p><b>Threads.</b> The apply methods are called from one thread (the connection's callback thread). Reads of the
 * {@link TableView}s and {@link #querySets()} may come from any thread: they take a read lock that the apply methods
 * hold (for writing) while they change the cache, so a reader sees the state before or after a message, never a
 * half-applied one, across all tables. Listener registration uses copy-on-write lists.
 */
public final class ClientCache {
    private static final System.Logger LOG = System.getLogger(ClientCache.class.getName());

    private final Map<String, CachedTable> tables;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    /** Live query sets in the order they were first applied; guarded by {@link #lock}. */
    private final Map<Integer, QuerySet> querySets = new LinkedHashMap<>();

    /** One cached table, with a row decoder compiled from the schema, per table of the module. */
    public ClientCache(ModuleSchema schema) {
        Objects.requireNonNull(schema, "schema");
        Map<String, CachedTable> byName = new LinkedHashMap<>();
        for (TableDef def : schema.tables()) {
            byName.put(def.name(), new CachedTable(schema, def, lock));
        }
        this.tables = Collections.unmodifiableMap(byName);
    }

    /**
     * The cache of one table.
     *
     * @throws IllegalArgumentException when the module has no such table
     */
    public TableView table(String name) {
        Objects.requireNonNull(name, "name");
        CachedTable table = tables.get(name);
        if (table == null) {
            throw new IllegalArgumentException("no table named '" + name + "' in the module; tables: " + tableNames());
        }
        return table;
    }

    /**
     * A query set is live with these rows ({@code SubscribeApplied}). For a new set its rows become its contribution
     * and rows not cached before fire {@code onInsert}. For a set that already contributes (re-subscribed after a
     * reconnect) its contribution is replaced and only the net difference fires: rows no set holds any more
     * {@code onDelete}, new rows {@code onInsert}, rows whose primary key stayed but bytes changed {@code onUpdate}.
     *
     * @throws ProtocolException when the rows are malformed or name a table the module does not have; the cache is
     *                           then unchanged
     */
    public void applySubscribeApplied(int querySetId, ServerMessage.QueryRows rows) {
        Objects.requireNonNull(rows, "rows");
        List<CachedTable> decodedTables = new ArrayList<>();
        List<RowList> decodedRows = new ArrayList<>();
        for (ServerMessage.SingleTableRows single : rows.tables()) {
            CachedTable table = tableInMessage(single.table());
            if (table.isEvent()) {
                continue;
            }
            decodedTables.add(table);
            decodedRows.add(table.decoder().decode(single.rows()));
        }
        Changes changes = new Changes();
        List<Changes.Change> fired;
        lock.writeLock().lock();
        try {
            QuerySet previous = querySets.get(querySetId);
            QuerySet set = new QuerySet();
            for (int i = 0; i < decodedTables.size(); i++) {
                CachedTable table = decodedTables.get(i);
                Map<RowKey, Integer> contribution = set.contribution(table);
                Changes.TableChanges tableChanges = changes.table(table);
                for (Row row : decodedRows.get(i)) {
                    table.add(row, contribution, tableChanges);
                }
            }
            // New rows were counted first, so rows in both the old and the new contribution never drop to zero.
            if (previous != null) {
                for (Map.Entry<CachedTable, Map<RowKey, Integer>> e : previous.tables.entrySet()) {
                    e.getKey().removeAll(e.getValue(), changes.table(e.getKey()));
                }
            }
            querySets.put(querySetId, set);
            fired = changes.commit();
        } finally {
            lock.writeLock().unlock();
        }
        Changes.fire(fired);
    }

    /**
     * A query set is gone ({@code UnsubscribeApplied}, with or without the dropped rows, or {@code SubscriptionError}):
     * its whole contribution is dropped, and rows no other set holds fire {@code onDelete}. Unknown sets are ignored.
     */
    public void applyUnsubscribe(int querySetId) {
        Changes changes = new Changes();
        List<Changes.Change> fired;
        lock.writeLock().lock();
        try {
            QuerySet set = querySets.remove(querySetId);
            if (set == null) {
                LOG.log(Level.DEBUG, () -> "unsubscribe of query set " + querySetId + ", which holds no rows");
                return;
            }
            for (Map.Entry<CachedTable, Map<RowKey, Integer>> e : set.tables.entrySet()) {
                e.getKey().removeAll(e.getValue(), changes.table(e.getKey()));
            }
            fired = changes.commit();
        } finally {
            lock.writeLock().unlock();
        }
        Changes.fire(fired);
    }

    /**
     * The row changes of a transaction. Per query set, all deletes of the message are applied before its inserts;
     * deletes of rows the set does not contribute are ignored. Updates for a query set that is not live are ignored.
     * Listeners hear the net change of each row once the whole message is applied.
     *
     * @throws ProtocolException when the rows are malformed or name a table the module does not have; the cache is
     *                           then unchanged
     */
    public void applyTransaction(ServerMessage.TransactionUpdate update) {
        Objects.requireNonNull(update, "update");
        List<SetOps> ops = decode(update);
        Changes changes = new Changes();
        List<Changes.Change> fired;
        lock.writeLock().lock();
        try {
            for (SetOps setOps : ops) {
                QuerySet set = querySets.get(setOps.querySetId);
                if (set == null) {
                    LOG.log(Level.WARNING, () -> "ignoring a transaction update for query set " + setOps.querySetId
                            + ", which is not live");
                    continue;
                }
                for (TableOps op : setOps.tables) {
                    Changes.TableChanges tableChanges = changes.table(op.table);
                    Map<RowKey, Integer> contribution = set.tables.get(op.table);
                    for (RowList deletes : op.deletes) {
                        for (Row row : deletes) {
                            if (contribution == null || !op.table.remove(row, contribution, tableChanges)) {
                                LOG.log(Level.DEBUG, () -> "ignoring a delete in " + op.table.name()
                                        + " of a row query set " + setOps.querySetId + " does not hold");
                            }
                        }
                    }
                }
                for (TableOps op : setOps.tables) {
                    Changes.TableChanges tableChanges = changes.table(op.table);
                    if (!op.inserts.isEmpty()) {
                        Map<RowKey, Integer> contribution = set.contribution(op.table);
                        for (RowList inserts : op.inserts) {
                            for (Row row : inserts) {
                                op.table.add(row, contribution, tableChanges);
                            }
                        }
                    }
                    for (RowList events : op.events) {
                        for (Row row : events) {
                            tableChanges.event(row);
                        }
                    }
                }
            }
            fired = changes.commit();
        } finally {
            lock.writeLock().unlock();
        }
        Changes.fire(fired);
    }

    /** The query sets that currently contribute rows (live sets, even when they match nothing). */
    public Set<Integer> querySets() {
        lock.readLock().lock();
        try {
            return Collections.unmodifiableSet(new LinkedHashSet<>(querySets.keySet()));
        } finally {
            lock.readLock().unlock();
        }
    }

    // ------------------------------------------------------------------ decoding

    /** Decodes every row list of the update, before anything changes. */
    private List<SetOps> decode(ServerMessage.TransactionUpdate update) {
        List<SetOps> ops = new ArrayList<>(update.querySets().size());
        for (QuerySetUpdate qs : update.querySets()) {
            SetOps setOps = new SetOps(qs.querySetId());
            Map<CachedTable, TableOps> byTable = new LinkedHashMap<>();
            for (TableUpdate tu : qs.tables()) {
                CachedTable table = tableInMessage(tu.tableName());
                TableOps op = byTable.computeIfAbsent(table, TableOps::new);
                for (TableUpdateRows rows : tu.rows()) {
                    if (rows instanceof TableUpdateRows.PersistentTable) {
                        TableUpdateRows.PersistentTable p = (TableUpdateRows.PersistentTable) rows;
                        if (table.isEvent()) {
                            op.events.add(table.decoder().decode(p.inserts()));
                        } else {
                            op.deletes.add(table.decoder().decode(p.deletes()));
                            op.inserts.add(table.decoder().decode(p.inserts()));
                        }
                    } else {
                        op.events.add(table.decoder().decode(((TableUpdateRows.EventTable) rows).events()));
                    }
                }
            }
            setOps.tables.addAll(byTable.values());
            ops.add(setOps);
        }
        return ops;
    }

    private CachedTable tableInMessage(String name) {
        CachedTable table = tables.get(name);
        if (table == null) {
            throw new ProtocolException("the server sent rows of table '" + name
                    + "', which the module does not have; tables: " + tableNames(), null);
        }
        return table;
    }

    private String tableNames() {
        return tables.isEmpty() ? "(none)" : tables.keySet().stream().collect(Collectors.joining(", "));
    }

    /** What one query set contributes: per table, key to count. Guarded by the cache's lock. */
    private static final class QuerySet {
        final Map<CachedTable, Map<RowKey, Integer>> tables = new LinkedHashMap<>();

        Map<RowKey, Integer> contribution(CachedTable table) {
            return tables.computeIfAbsent(table, t -> new LinkedHashMap<>());
        }
    }

    /** The decoded changes of one query set, per table in message order. */
    private static final class SetOps {
        final int querySetId;
        final List<TableOps> tables = new ArrayList<>();

        SetOps(int querySetId) {
            this.querySetId = querySetId;
        }
    }

    private static final class TableOps {
        final CachedTable table;
        final List<RowList> inserts = new ArrayList<>();
        final List<RowList> deletes = new ArrayList<>();
        final List<RowList> events = new ArrayList<>();

        TableOps(CachedTable table) {
            this.table = table;
        }
    }
}
