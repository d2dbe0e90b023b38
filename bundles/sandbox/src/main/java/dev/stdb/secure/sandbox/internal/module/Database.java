package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ProcedureDef;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.ReducerCodec;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import dev.stdb.secure.protocol.value.ValueMismatchException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The sandbox's in-memory module instance: tables, reducers and procedures under one schema. Not thread-safe: the
 * server runs every call on one thread, in arrival order, as SpacetimeDB serialises transactions.
 */
public final class Database {
    private final ModuleSchema schema;
    private final Map<String, Table> tables = new LinkedHashMap<>();
    private final Map<String, Reducer> reducers;
    private final Map<String, Function<Value.Product, Value>> procedures;
    private final ReducerCodec reducerCodec;

    Database(ModuleSchema schema, Map<String, Reducer> reducers, Map<String, Function<Value.Product, Value>> procedures) {
        this.schema = schema;
        for (TableDef def : schema.tables()) {
            tables.put(def.name(), new Table(schema, def));
        }
        this.reducers = Map.copyOf(reducers);
        this.procedures = Map.copyOf(procedures);
        this.reducerCodec = new ReducerCodec(schema);
    }

    public ModuleSchema schema() {
        return schema;
    }

    public Optional<Table> table(String name) {
        return Optional.ofNullable(tables.get(name));
    }

    /** The table a reducer of this module uses; a missing one is a bug of the module. */
    public Table requireTable(String name) {
        return table(name).orElseThrow(() -> new IllegalStateException("built-in module has no table " + name));
    }

    /** Runs a reducer in its own transaction, as a client's {@code CallReducer} or an HTTP call does. */
    public ReducerRun call(String name, ByteString args, Caller caller, Timestamp now) {
        Optional<ReducerDef> def = schema.reducer(name);
        if (def.isEmpty() || !reducers.containsKey(name)) {
            return ReducerRun.internalError("no such reducer: " + name);
        }
        if (!def.get().clientCallable()) {
            return ReducerRun.internalError("reducer " + name + " is a lifecycle reducer and cannot be called");
        }
        Value.Product decoded;
        try {
            decoded = reducerCodec.decodeArgs(name, args.toByteArray());
        } catch (ProtocolException | SchemaException | ValueMismatchException e) {
            return ReducerRun.internalError("invalid arguments for reducer " + name + ": " + e.getMessage());
        }
        return run(name, decoded, caller, now);
    }

    /** Runs a reducer with arguments already decoded (HTTP calls arrive as JSON). */
    public ReducerRun run(String name, Value.Product args, Caller caller, Timestamp now) {
        Transaction tx = new Transaction();
        try {
            reducers.get(name).run(new ReducerContext(caller, now, this, tx), args);
            return ReducerRun.committed(tx.changes());
        } catch (ReducerFailure f) {
            tx.rollback();
            return ReducerRun.failed(f.getMessage());
        } catch (RuntimeException panic) {
            tx.rollback();
            return ReducerRun.internalError("the reducer " + name + " panicked: " + panic.getMessage());
        }
    }

    /** BSATN of the error value a failed reducer returns (a string in this module). */
    public ByteString encodeError(String name, String error) {
        return ByteString.copyOf(ValueCodec.compile(schema.typespace(),
                Optional.ofNullable(schema.requireReducer(name).errReturnType())
                        .orElse(dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.STRING)).encode(error));
    }

    /** Runs a procedure on BSATN arguments; its return value's BSATN, or an exception whose message is the internal error. */
    public ByteString callProcedure(String name, ByteString args) {
        ProcedureDef def = procedure(name);
        Value result = runProcedure(name, (Value.Product) ValueCodec.compile(schema.typespace(), def.params())
                .decode(args.toByteArray()));
        return ByteString.copyOf(ValueCodec.compile(schema.typespace(), def.returnType()).encode(result));
    }

    /** Runs a procedure on decoded arguments (HTTP calls arrive as JSON). */
    public Value runProcedure(String name, Value.Product args) {
        procedure(name);
        return procedures.get(name).apply(args);
    }

    private ProcedureDef procedure(String name) {
        return schema.procedure(name).orElseThrow(() -> new IllegalArgumentException("no such procedure: " + name));
    }
}
