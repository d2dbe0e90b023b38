package dev.stdb.secure.core;

import dev.stdb.secure.api.connection.ConnectionStateListener;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.Value;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * A live connection to one SpacetimeDB database. It reconnects by itself (see {@link ReconnectPolicy}): subscriptions
 * are replayed and reconciled without spurious row callbacks, calls made while it is away wait and are sent when it is
 * back, and calls in flight when it drops fail with reason {@code connection.outcome_unknown}. Every method is
 * thread-safe; listeners run on the connection's one callback thread, in server order.
 */
public interface Connection extends AutoCloseable {

    /** The identity the server reported; null before the first connect completes. */
    Identity identity();

    /** This session's connection id; changes on reconnect. */
    ConnectionId connectionId();

    ConnectionStatus status();

    void addStateListener(ConnectionStateListener listener);

    void removeStateListener(ConnectionStateListener listener);

    /** The module's schema, fetched when the connection was opened. */
    ModuleSchema schema();

    /** The client cache of a table: rows matched by this connection's subscriptions. */
    TableView table(String name);

    /** Subscribes one query set ({@code SELECT * FROM t [WHERE ...]} statements). */
    SubscriptionHandle subscribe(String... queries);

    SubscriptionHandle subscribe(List<String> queries);

    /**
     * Calls a reducer with arguments in declaration order (Java values or {@code Value}s, encoded by the schema).
     * Completes once the server committed and the changes are in the cache; fails with
     * {@link ReducerFailedException} when the reducer returned an error, or a
     * {@link dev.stdb.secure.api.ConnectionException} for an internal error or an unknown outcome.
     */
    CompletionStage<ReducerResult> callReducer(String reducer, Object... args);

    /** As {@link #callReducer(String, Object...)}, with arguments by parameter name. */
    CompletionStage<ReducerResult> callReducer(String reducer, Map<String, ?> args);

    /** Calls a procedure; its return value decoded by the schema. */
    CompletionStage<Value> callProcedure(String procedure, Object... args);

    /** Runs one query once, without subscribing; rows detached from the cache. */
    CompletionStage<List<Row>> oneOffQuery(String sql);

    /** Closes the connection; calls still waiting fail with reason {@code connection.closed}. */
    @Override
    void close();
}
