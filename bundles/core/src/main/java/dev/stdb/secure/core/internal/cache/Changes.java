package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.RowListener;
import dev.stdb.secure.core.UpdateListener;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowKey;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The changes of one message: per table (in the order tables first appear) the keys touched with the row each had
 * before the message (in the order first touched), and the event rows. {@link #commit()} settles the cache and turns
 * them into the net changes to announce; {@link #fire(List)} calls the listeners.
 */
final class Changes {
    private static final System.Logger LOG = System.getLogger(ClientCache.class.getName());

    enum Kind { INSERT, DELETE, UPDATE }

    /** One net change of one row. */
    record Change(CachedTable table, Kind kind, Row oldRow, Row newRow) {
    }

    private final Map<CachedTable, TableChanges> tables = new LinkedHashMap<>();

    TableChanges table(CachedTable table) {
        return tables.computeIfAbsent(table, t -> new TableChanges());
    }

    /** The touched keys and event rows of one table. */
    static final class TableChanges {
        /** Key to the row cached before the message, null when there was none; in the order first touched. */
        private final Map<RowKey, Row> before = new LinkedHashMap<>();
        /** Distinct event rows (by bytes), detached, in arrival order. */
        private final Set<Row> events = new LinkedHashSet<>();

        /** Records the state of {@code key} before the message, the first time it is touched. */
        void touch(RowKey key, CachedTable.Entry entry) {
            if (!before.containsKey(key)) {
                before.put(key, CachedTable.current(entry));
            }
        }

        void event(Row row) {
            if (!events.contains(row)) {
                events.add(row.detach());
            }
        }
    }

    /** Drops rows no contribution holds any more and returns the net changes; with the cache's write lock held. */
    List<Change> commit() {
        List<Change> out = new ArrayList<>();
        for (Map.Entry<CachedTable, TableChanges> t : tables.entrySet()) {
            CachedTable table = t.getKey();
            for (Map.Entry<RowKey, Row> touched : t.getValue().before.entrySet()) {
                Row old = touched.getValue();
                Row now = table.settle(touched.getKey());
                if (old == null) {
                    if (now != null) {
                        out.add(new Change(table, Kind.INSERT, null, now));
                    }
                } else if (now == null) {
                    out.add(new Change(table, Kind.DELETE, old, null));
                } else if (old != now && !old.equals(now)) {
                    out.add(new Change(table, Kind.UPDATE, old, now));
                }
            }
            for (Row row : t.getValue().events) {
                out.add(new Change(table, Kind.INSERT, null, row));
            }
        }
        return out;
    }

    /** Calls the listeners of every change in order; a listener that throws is logged and the others still run. */
    static void fire(List<Change> changes) {
        for (Change c : changes) {
            switch (c.kind()) {
                case INSERT -> {
                    for (RowListener l : c.table().insertListeners) {
                        call(c, () -> l.onRow(c.newRow()));
                    }
                }
                case DELETE -> {
                    for (RowListener l : c.table().deleteListeners) {
                        call(c, () -> l.onRow(c.oldRow()));
                    }
                }
                case UPDATE -> {
                    for (UpdateListener l : c.table().updateListeners) {
                        call(c, () -> l.onUpdate(c.oldRow(), c.newRow()));
                    }
                }
                default -> throw new AssertionError(c.kind());
            }
        }
    }

    private static void call(Change c, Runnable listener) {
        try {
            listener.run();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, () -> "a listener of table " + c.table().name() + " ("
                    + c.kind().name().toLowerCase(java.util.Locale.ROOT) + ")" + " threw; the other listeners still run", e);
        }
    }
}
