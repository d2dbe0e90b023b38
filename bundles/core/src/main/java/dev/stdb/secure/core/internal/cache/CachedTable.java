package dev.stdb.secure.core.internal.cache;

import dev.stdb.secure.core.Registration;
import dev.stdb.secure.core.RowListener;
import dev.stdb.secure.core.TableView;
import dev.stdb.secure.core.UpdateListener;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.RowKey;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import dev.stdb.secure.protocol.value.ValueMismatchException;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReadWriteLock;

/**
 * One table of the {@link ClientCache}: its cached rows by key with their reference counts, and its listeners. The
 * rows are guarded by the cache's lock (written by the apply methods, read by any thread); listener lists are
 * copy-on-write.
 */
final class CachedTable implements TableView {
    private final String name;
    private final boolean event;
    private final RowDecoder decoder;
    /** One codec per primary-key column; empty without a primary key. */
    private final ValueCodec[] keyCodecs;
    private final ReadWriteLock lock;
    /** The cached rows in the order they entered; guarded by {@link #lock}. Between messages every count is > 0. */
    private final Map<RowKey, Entry> entries = new LinkedHashMap<>();

    final List<RowListener> insertListeners = new CopyOnWriteArrayList<>();
    final List<RowListener> deleteListeners = new CopyOnWriteArrayList<>();
    final List<UpdateListener> updateListeners = new CopyOnWriteArrayList<>();

    CachedTable(ModuleSchema schema, TableDef def, ReadWriteLock lock) {
        this.name = def.name();
        this.event = def.event();
        this.decoder = RowDecoder.forTable(schema, def.name());
        this.lock = lock;
        List<AlgebraicType.Element> columns = schema.rowType(def).elements();
        keyCodecs = new ValueCodec[def.primaryKey().size()];
        for (int i = 0; i < keyCodecs.length; i++) {
            keyCodecs[i] = ValueCodec.compile(schema.typespace(), columns.get(def.primaryKey().get(i)).type());
        }
    }

    /** A cached row: the detached row, its key (over bytes the cache owns) and how many contributions hold it. */
    static final class Entry {
        final RowKey key;
        Row row;
        int count;

        Entry(RowKey key, Row row) {
            this.key = key;
            this.row = row;
        }
    }

    RowDecoder decoder() {
        return decoder;
    }

    boolean isEvent() {
        return event;
    }

    // ------------------------------------------------------------------ changes (write lock held)

    /** Counts {@code row} once more for {@code contribution}, storing a detached copy when the bytes are new. */
    void add(Row row, Map<RowKey, Integer> contribution, Changes.TableChanges changes) {
        RowKey key = row.key();
        Entry e = entries.get(key);
        changes.touch(key, e);
        if (e == null) {
            Row detached = row.detach();
            e = new Entry(detached.key().compact(), detached);
            entries.put(e.key, e);
        } else if (!e.row.equals(row)) {
            e.row = row.detach();
        }
        e.count++;
        contribution.merge(e.key, 1, Integer::sum);
    }

    /**
     * Counts {@code row} (by key) once less for {@code contribution}.
     *
     * @return false, changing nothing, when the contribution does not hold the row
     */
    boolean remove(Row row, Map<RowKey, Integer> contribution, Changes.TableChanges changes) {
        RowKey key = row.key();
        Integer held = contribution.get(key);
        if (held == null) {
            return false;
        }
        if (held == 1) {
            contribution.remove(key);
        } else {
            contribution.put(key, held - 1);
        }
        Entry e = entries.get(key);
        changes.touch(key, e);
        if (e != null) {
            e.count--;
        }
        return true;
    }

    /** Drops a whole contribution. */
    void removeAll(Map<RowKey, Integer> contribution, Changes.TableChanges changes) {
        for (Map.Entry<RowKey, Integer> c : contribution.entrySet()) {
            Entry e = entries.get(c.getKey());
            changes.touch(c.getKey(), e);
            if (e != null) {
                e.count -= c.getValue();
            }
        }
    }

    /** The row cached now under {@code key}, for the state before a message; null when none. */
    static Row current(Entry e) {
        return e == null || e.count <= 0 ? null : e.row;
    }

    /** Settles a touched key after the whole message: drops it when no contribution holds it; the row after. */
    Row settle(RowKey key) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (e.count <= 0) {
            entries.remove(key);
            return null;
        }
        return e.row;
    }

    // ------------------------------------------------------------------ TableView

    @Override
    public String name() {
        return name;
    }

    @Override
    public int size() {
        lock.readLock().lock();
        try {
            return entries.size();
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public List<Row> rows() {
        lock.readLock().lock();
        try {
            List<Row> rows = new ArrayList<>(entries.size());
            for (Entry e : entries.values()) {
                rows.add(e.row);
            }
            return Collections.unmodifiableList(rows);
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public Optional<Row> findByPrimaryKey(Object key) {
        if (keyCodecs.length == 0) {
            throw new IllegalStateException("table " + name + " has no primary key");
        }
        RowKey rowKey = RowKey.of(encodeKey(key));
        lock.readLock().lock();
        try {
            Entry e = entries.get(rowKey);
            return e == null ? Optional.empty() : Optional.of(e.row);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** The key's BSATN: one column's value, or for a composite key a List, array or product of the columns' values. */
    private byte[] encodeKey(Object key) {
        Objects.requireNonNull(key, "key");
        if (keyCodecs.length == 1) {
            return keyCodecs[0].encode(key);
        }
        List<?> parts;
        if (key instanceof List<?>) {
            parts = (List<?>) key;
        } else if (key instanceof Object[]) {
            parts = Arrays.asList((Object[]) key);
        } else if (key instanceof Value.Product) {
            parts = ((Value.Product) key).values();
        } else {
            throw new ValueMismatchException("the primary key of table " + name + " has " + keyCodecs.length
                    + " columns: give their values as a List, an array or a product, not " + key.getClass().getName());
        }
        if (parts.size() != keyCodecs.length) {
            throw new ValueMismatchException("the primary key of table " + name + " has " + keyCodecs.length
                    + " columns, " + parts.size() + " values given");
        }
        BsatnWriter w = new BsatnWriter();
        for (int i = 0; i < keyCodecs.length; i++) {
            keyCodecs[i].write(parts.get(i), w, name + " key[" + i + "]");
        }
        return w.toByteArray();
    }

    @Override
    public Registration onInsert(RowListener listener) {
        return register(insertListeners, listener);
    }

    @Override
    public Registration onDelete(RowListener listener) {
        return register(deleteListeners, listener);
    }

    @Override
    public Registration onUpdate(UpdateListener listener) {
        return register(updateListeners, listener);
    }

    /** Adds {@code listener}; its registration removes it once, however often it is called. */
    private static <L> Registration register(List<L> listeners, L listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        AtomicBoolean removed = new AtomicBoolean();
        return () -> {
            if (removed.compareAndSet(false, true)) {
                listeners.remove(listener);
            }
        };
    }

    @Override
    public String toString() {
        return "CachedTable[" + name + "]";
    }
}
