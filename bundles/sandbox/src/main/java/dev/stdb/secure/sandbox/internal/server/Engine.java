package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessage.QueryRows;
import dev.stdb.secure.protocol.message.ServerMessage.ReducerOutcome;
import dev.stdb.secure.sandbox.internal.module.Caller;
import dev.stdb.secure.sandbox.internal.module.Database;
import dev.stdb.secure.sandbox.internal.module.ReducerRun;
import dev.stdb.secure.sandbox.internal.module.StoredRow;
import dev.stdb.secure.sandbox.internal.module.Table;
import dev.stdb.secure.sandbox.internal.module.TableChanges;
import dev.stdb.secure.sandbox.internal.sql.SqlException;
import dev.stdb.secure.sandbox.internal.sql.SqlQuery;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The sandbox's heart: one thread that runs every subscription change, query and reducer in arrival order against
 * the {@link Database}, and fans committed changes out to the clients whose query sets see them.
 */
public final class Engine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final Database db;
    private final Clock clock;
    private final FaultState faults;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "sandbox-engine");
        t.setDaemon(true);
        return t;
    });
    private final ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-ping");
        t.setDaemon(true);
        return t;
    });
    private final Set<ClientConnection> clients = ConcurrentHashMap.newKeySet();

    public Engine(Database db, Clock clock, FaultState faults) {
        this.db = db;
        this.clock = clock;
        this.faults = faults;
        // The server pings every 15 s; clients answer with pongs, which keeps the idle timeout away.
        pinger.scheduleAtFixedRate(() -> clients.forEach(ClientConnection::ping), 15, 15, TimeUnit.SECONDS);
    }

    public Database database() {
        return db;
    }

    FaultState faults() {
        return faults;
    }

    /** Runs {@code work} on the engine thread, after everything queued before it. */
    public <T> CompletableFuture<T> submit(Callable<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        thread.execute(() -> {
            try {
                f.complete(work.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /**
     * Registered at once, not on the engine thread, so a fault such as {@link #dropAll()} reaches a client the moment
     * it is connected. Safe: its InitialConnection is already queued, and it has no query sets to fan out to yet.
     */
    void connected(ClientConnection c) {
        clients.add(c);
    }

    void disconnected(ClientConnection c) {
        clients.remove(c);
    }

    public int connectionCount() {
        return clients.size();
    }

    /** Drops every connection without a close handshake. */
    public void dropAll() {
        List.copyOf(clients).forEach(ClientConnection::drop);
    }

    /** Sends every connection a frame no client can decode: compression "none", then ServerMessage tag 255. */
    public void sendMalformedFrame() {
        clients.forEach(c -> c.sendRaw(Outbound.MALFORMED));
    }

    void received(ClientConnection c, ClientMessage m) {
        thread.execute(() -> {
            try {
                handle(c, m);
            } catch (RuntimeException e) {
                LOG.warn("{}: {} failed", c, m.getClass().getSimpleName(), e);
                c.close(1011, "internal error: " + e.getMessage());
            }
        });
    }

    private void handle(ClientConnection c, ClientMessage m) {
        if (m instanceof ClientMessage.Subscribe s) {
            subscribe(c, s);
        } else if (m instanceof ClientMessage.Unsubscribe u) {
            unsubscribe(c, u);
        } else if (m instanceof ClientMessage.OneOffQuery q) {
            c.send(oneOffQuery(q));
        } else if (m instanceof ClientMessage.CallReducer r) {
            callReducer(c, r);
        } else if (m instanceof ClientMessage.CallProcedure p) {
            callProcedure(c, p);
        }
    }

    // ------------------------------------------------------------------ subscriptions

    private void subscribe(ClientConnection c, ClientMessage.Subscribe s) {
        if (c.subscriptions().containsKey(s.querySetId())) {
            c.send(new ServerMessage.SubscriptionError(OptionalInt.of(s.requestId()), s.querySetId(),
                    "query set " + Integer.toUnsignedString(s.querySetId()) + " is already subscribed"));
            return;
        }
        List<SqlQuery> queries = new ArrayList<>();
        for (String sql : s.queryStrings()) {
            try {
                queries.add(SqlQuery.parse(sql, db));
            } catch (SqlException e) {
                c.send(new ServerMessage.SubscriptionError(OptionalInt.of(s.requestId()), s.querySetId(), e.getMessage()));
                return;
            }
        }
        c.subscriptions().put(s.querySetId(), queries);
        c.send(new ServerMessage.SubscribeApplied(s.requestId(), s.querySetId(), currentRows(queries)));
    }

    private void unsubscribe(ClientConnection c, ClientMessage.Unsubscribe u) {
        List<SqlQuery> queries = c.subscriptions().remove(u.querySetId());
        if (queries == null) {
            c.send(new ServerMessage.SubscriptionError(OptionalInt.of(u.requestId()), u.querySetId(),
                    "query set " + Integer.toUnsignedString(u.querySetId()) + " is not subscribed"));
            return;
        }
        QueryRows dropped = u.flags() == ClientMessage.UnsubscribeFlags.SEND_DROPPED_ROWS ? currentRows(queries) : null;
        c.send(new ServerMessage.UnsubscribeApplied(u.requestId(), u.querySetId(), dropped));
    }

    /** Rows the queries match now, grouped by table, each row once per table. */
    private QueryRows currentRows(List<SqlQuery> queries) {
        Map<Table, Map<ByteString, StoredRow>> byTable = new LinkedHashMap<>();
        for (SqlQuery q : queries) {
            Map<ByteString, StoredRow> rows = byTable.computeIfAbsent(q.table(), t -> new LinkedHashMap<>());
            for (StoredRow row : q.table().rows()) {
                if (q.matches(row)) {
                    rows.putIfAbsent(row.key(), row);
                }
            }
        }
        List<ServerMessage.SingleTableRows> tables = new ArrayList<>();
        byTable.forEach((table, rows) -> tables.add(new ServerMessage.SingleTableRows(table.name(),
                RowLists.of(table, rows.values()))));
        return new QueryRows(tables);
    }

    private ServerMessage.OneOffQueryResult oneOffQuery(ClientMessage.OneOffQuery q) {
        try {
            return new ServerMessage.OneOffQueryResult(q.requestId(), currentRows(List.of(SqlQuery.parse(q.queryString(), db))), null);
        } catch (SqlException e) {
            return new ServerMessage.OneOffQueryResult(q.requestId(), null, e.getMessage());
        }
    }

    /** For {@code POST /sql}: the rows of one query, on the engine thread. */
    public CompletableFuture<List<StoredRow>> sql(String query) {
        return submit(() -> {
            SqlQuery q = SqlQuery.parse(query, db);
            return q.table().rows().stream().filter(q::matches).toList();
        });
    }

    // ------------------------------------------------------------------ reducers and procedures

    private void callReducer(ClientConnection c, ClientMessage.CallReducer r) {
        Timestamp now = Timestamp.of(clock.instant());
        ReducerRun run = db.call(r.reducer(), r.args(), new Caller(c.identity(), c.connectionId()), now);
        ReducerOutcome outcome = switch (run.status()) {
            case COMMITTED -> {
                ServerMessage.TransactionUpdate own = updateFor(c, run.changes());
                fanOut(run.changes(), c);
                yield own == null ? new ReducerOutcome.OkEmpty() : new ReducerOutcome.Ok(ByteString.EMPTY, own);
            }
            case FAILED -> new ReducerOutcome.Err(db.encodeError(r.reducer(), run.message()));
            case INTERNAL_ERROR -> new ReducerOutcome.InternalError(run.message());
        };
        c.send(new ServerMessage.ReducerResult(r.requestId(), now, outcome));
    }

    /** For {@code POST /call/<reducer>}: runs it for a caller without a connection and fans the changes out to all. */
    public CompletableFuture<ReducerRun> callFromHttp(String reducer, dev.stdb.secure.protocol.value.Value.Product args,
                                                     dev.stdb.secure.protocol.Identity caller) {
        return submit(() -> {
            ReducerRun run = db.run(reducer, args, new Caller(caller, ConnectionId.ZERO), Timestamp.of(clock.instant()));
            if (run.status() == ReducerRun.Status.COMMITTED) {
                fanOut(run.changes(), null);
            }
            return run;
        });
    }

    private void callProcedure(ClientConnection c, ClientMessage.CallProcedure p) {
        long started = System.nanoTime();
        ServerMessage.ProcedureStatus status;
        try {
            status = new ServerMessage.ProcedureStatus.Returned(db.callProcedure(p.procedure(), p.args()));
        } catch (RuntimeException e) {
            status = new ServerMessage.ProcedureStatus.InternalError(String.valueOf(e.getMessage()));
        }
        c.send(new ServerMessage.ProcedureResult(status, Timestamp.of(clock.instant()),
                new TimeDuration((System.nanoTime() - started) / 1000), p.requestId()));
    }

    /** Sends a {@code TransactionUpdate} to every client (but {@code caller}) whose query sets see the changes. */
    private void fanOut(List<TableChanges> changes, ClientConnection caller) {
        for (ClientConnection other : clients) {
            if (other == caller) {
                continue;
            }
            ServerMessage.TransactionUpdate update = updateFor(other, changes);
            if (update != null) {
                other.send(update);
            }
        }
    }

    /** The changes as {@code c}'s query sets see them, or null when none of them sees any. */
    private static ServerMessage.TransactionUpdate updateFor(ClientConnection c, List<TableChanges> changes) {
        List<ServerMessage.QuerySetUpdate> sets = new ArrayList<>();
        c.subscriptions().forEach((querySetId, queries) -> {
            List<ServerMessage.TableUpdate> tables = new ArrayList<>();
            for (TableChanges ch : changes) {
                List<SqlQuery> onTable = queries.stream().filter(q -> q.table() == ch.table()).toList();
                if (onTable.isEmpty()) {
                    continue;
                }
                List<StoredRow> inserts = matching(ch.inserts(), onTable);
                List<StoredRow> deletes = matching(ch.deletes(), onTable);
                if (inserts.isEmpty() && deletes.isEmpty()) {
                    continue;
                }
                ServerMessage.TableUpdateRows rows = ch.table().isEvent()
                        ? new ServerMessage.TableUpdateRows.EventTable(RowLists.of(ch.table(), inserts))
                        : new ServerMessage.TableUpdateRows.PersistentTable(RowLists.of(ch.table(), inserts),
                        RowLists.of(ch.table(), deletes));
                tables.add(new ServerMessage.TableUpdate(ch.table().name(), List.of(rows)));
            }
            if (!tables.isEmpty()) {
                sets.add(new ServerMessage.QuerySetUpdate(querySetId, tables));
            }
        });
        return sets.isEmpty() ? null : new ServerMessage.TransactionUpdate(sets);
    }

    private static List<StoredRow> matching(List<StoredRow> rows, List<SqlQuery> queries) {
        Map<ByteString, StoredRow> out = new LinkedHashMap<>();
        for (StoredRow row : rows) {
            for (SqlQuery q : queries) {
                if (q.matches(row)) {
                    out.putIfAbsent(row.bytes(), row);
                    break;
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    @Override
    public void close() {
        pinger.shutdownNow();
        thread.shutdownNow();
    }
}
