package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One table's rows, in insertion order, keyed by primary key (or by the whole row). Event tables store nothing. */
public final class Table {
    private final TableDef def;
    private final AlgebraicType.Product rowType;
    private final ValueCodec rowCodec;
    private final ValueCodec keyCodec;
    private final Map<ByteString, StoredRow> rows = new LinkedHashMap<>();

    Table(ModuleSchema schema, TableDef def) {
        this.def = def;
        this.rowType = schema.rowType(def);
        this.rowCodec = ValueCodec.compile(schema.typespace(), rowType);
        this.keyCodec = def.primaryKey().size() == 1
                ? ValueCodec.compile(schema.typespace(), rowType.elements().get(def.primaryKey().get(0)).type()) : null;
    }

    public String name() {
        return def.name();
    }

    public TableDef def() {
        return def;
    }

    public AlgebraicType.Product rowType() {
        return rowType;
    }

    public ValueCodec rowCodec() {
        return rowCodec;
    }

    public boolean isEvent() {
        return def.event();
    }

    /** A stored form of {@code value}: encoded, keyed. */
    public StoredRow toStored(Value.Product value) {
        ByteString bytes = ByteString.copyOf(rowCodec.encode(value));
        ByteString key = keyCodec == null ? bytes
                : ByteString.copyOf(keyCodec.encode(value.get(def.primaryKey().get(0))));
        return new StoredRow(value, bytes, key);
    }

    /** The row whose primary key is {@code pk}. */
    public Optional<StoredRow> findByPrimaryKey(Value pk) {
        if (keyCodec == null) {
            throw new IllegalStateException("table " + name() + " has no primary key");
        }
        return Optional.ofNullable(rows.get(ByteString.copyOf(keyCodec.encode(pk))));
    }

    public Collection<StoredRow> rows() {
        return List.copyOf(rows.values());
    }

    public int size() {
        return rows.size();
    }

    boolean contains(ByteString key) {
        return rows.containsKey(key);
    }

    void put(StoredRow row) {
        rows.put(row.key(), row);
    }

    void remove(StoredRow row) {
        rows.remove(row.key());
    }

    List<StoredRow> snapshot() {
        return new ArrayList<>(rows.values());
    }
}
