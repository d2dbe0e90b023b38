package dev.stdb.secure.demo.internal;

import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReducerFailedException;
import dev.stdb.secure.core.Registration;
import dev.stdb.secure.core.SubscriptionHandle;
import dev.stdb.secure.core.TableView;
import dev.stdb.secure.demo.ReducerArguments;
import dev.stdb.secure.demo.RowText;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.Row;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The demo job. Once the {@link Connection} service its {@code connection.target} selects is there, it subscribes to
 * {@code SELECT * FROM <table>}; when the subscription is applied it prints the table's rows, prints every later
 * change ({@code + person {...}}, {@code ~ person {...} -> {...}}, {@code - person {...}}) and calls the configured
 * reducer, once or every {@code interval.seconds}. Everything it prints goes to {@code System.out} and to the log
 * (logger {@code dev.stdb.secure.demo}). Activation never waits for the server: each step runs when the previous
 * one's {@code CompletionStage} completes.
 */
@Designate(ocd = DemoConfig.class)
@Component(configurationPid = DemoComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, service = {})
public final class DemoComponent {
    public static final String PID = "dev.stdb.secure.demo";
    private static final System.Logger LOG = System.getLogger("dev.stdb.secure.demo");
    private static final String PREFIX = "stdb-demo: ";

    private final Connection connection;
    private final String table;
    private final String reducer;
    private final String args;
    private final long intervalSeconds;
    private final List<Registration> registrations = new ArrayList<>();
    private ScheduledExecutorService scheduler;
    private SubscriptionHandle subscription;
    private boolean active = true;

    @Activate
    public DemoComponent(@Reference(name = "connection", target = "(name=demo)") Connection connection,
            DemoConfig config) {
        this.connection = connection;
        this.table = config.table().trim();
        this.reducer = config.reducer().trim();
        this.args = config.args();
        this.intervalSeconds = config.interval_seconds();

        ModuleSchema schema = connection.schema();
        if (schema != null && schema.table(table).isEmpty()) {
            warn("no table '" + table + "' in the module; tables: " + schema.tables().stream().map(TableDef::name)
                    .collect(Collectors.joining(", ")) + " (set 'table' in etc/" + PID + ".cfg)");
            return;
        }
        String query = "SELECT * FROM " + table;
        info("subscribing to " + query + " (identity " + connection.identity() + ")");
        SubscriptionHandle handle = connection.subscribe(query);
        synchronized (this) {
            subscription = handle;
        }
        handle.applied().whenComplete((ok, error) -> applied(query, error));
    }

    private void applied(String query, Throwable error) {
        if (error != null) {
            warn("subscription " + query + " failed: " + message(error));
            return;
        }
        synchronized (this) {
            if (!active) {
                return;
            }
            TableView view = connection.table(table);
            List<Row> rows = view.rows();
            info("subscribed to " + query + ": " + rows.size() + (rows.size() == 1 ? " row" : " rows"));
            for (Row row : rows) {
                print("  " + table + " " + RowText.of(row));
            }
            registrations.add(view.onInsert(row -> print("+ " + table + " " + RowText.of(row))));
            registrations.add(view.onDelete(row -> print("- " + table + " " + RowText.of(row))));
            registrations.add(view.onUpdate((old, now) ->
                    print("~ " + table + " " + RowText.of(old) + " -> " + RowText.of(now))));
            if (reducer.isEmpty()) {
                return;
            }
            Object[] values;
            try {
                values = ReducerArguments.parse(connection.schema(), reducer, args);
            } catch (IllegalArgumentException e) {
                warn("not calling " + reducer + ": " + e.getMessage() + " (set 'reducer' and 'args' in etc/" + PID
                        + ".cfg)");
                return;
            }
            if (intervalSeconds > 0) {
                scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
                    Thread t = new Thread(r, "stdb-demo-reducer");
                    t.setDaemon(true);
                    return t;
                });
                scheduler.scheduleWithFixedDelay(() -> call(values), 0, intervalSeconds, TimeUnit.SECONDS);
                info("calling " + reducer + " every " + intervalSeconds + " s");
            } else {
                call(values);
            }
        }
    }

    private void call(Object[] values) {
        String call = reducer + "(" + args + ")";
        try {
            connection.callReducer(reducer, values).whenComplete((result, error) -> {
                Throwable cause = unwrap(error);
                if (cause == null) {
                    info(call + " committed");
                } else if (cause instanceof ReducerFailedException) {
                    warn(call + " was refused by the module: " + cause.getMessage());
                } else {
                    warn(call + " failed: " + message(cause));
                }
            });
        } catch (RuntimeException e) {
            warn(call + " failed: " + message(e));
        }
    }

    @Deactivate
    void deactivate() {
        SubscriptionHandle handle;
        synchronized (this) {
            active = false;
            registrations.forEach(Registration::remove);
            registrations.clear();
            if (scheduler != null) {
                scheduler.shutdownNow();
                scheduler = null;
            }
            handle = subscription;
            subscription = null;
        }
        if (handle != null && handle.isActive()) {
            try {
                handle.unsubscribe().exceptionally(e -> null);
            } catch (RuntimeException closing) {
                // The connection is going away with us; its cache goes with it.
            }
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    private static String message(Throwable error) {
        Throwable t = unwrap(error);
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static void print(String line) {
        System.out.println(line);
        LOG.log(System.Logger.Level.INFO, line);
    }

    private static void info(String line) {
        print(PREFIX + line);
    }

    private static void warn(String line) {
        System.out.println(PREFIX + line);
        LOG.log(System.Logger.Level.WARNING, PREFIX + line);
    }
}
