package dev.stdb.secure.core.internal.osgi;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.internal.ClientSettings;
import dev.stdb.secure.core.internal.ConnectionImpl;
import dev.stdb.secure.core.internal.FallbackCredentialStore;
import dev.stdb.secure.core.internal.Lockouts;
import dev.stdb.secure.core.internal.RankedServices;
import dev.stdb.secure.core.internal.events.EventRouter;
import dev.stdb.secure.protocol.frame.Compression;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;

/**
 * A connection made from configuration, composed from whatever providers are bound. References are dynamic and
 * greedy: a provider that comes or goes never restarts the component or drops the live session; the next token,
 * store access or reconnect uses the best provider bound at that moment, and a connection that needs a provider
 * there is none of waits in {@code WAITING_FOR_PROVIDER}. The references' target filters come from the configuration
 * ({@code auth.target}, {@code tls.target}, {@code store.target}). The {@link Connection} service is registered while
 * the connection is up.
 */
@Designate(ocd = ConnectionConfig.class, factory = true)
@Component(configurationPid = ConnectionComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE, service = {})
public final class ConnectionComponent {
    public static final String PID = "dev.stdb.secure.connection";
    private static final String SOURCE = "dev.stdb.secure.core";

    private final RankedServices<AuthProvider> auth = new RankedServices<>();
    private final RankedServices<TlsContextProvider> tls = new RankedServices<>();
    private final RankedServices<CredentialStore> stores = new RankedServices<>();
    private volatile EventRouter events;
    private volatile ConnectionImpl connection;
    private volatile ServiceRegistration<Connection> registration;

    @Activate
    public ConnectionComponent(BundleContext context, ConnectionConfig config, Map<String, Object> properties) {
        // Findings of the bound detectors go to the lockouts, which the connection asks before it sends a credential.
        Lockouts lockouts = new Lockouts();
        events = EventRouter.builder()
                .spoolDirectory(context.getDataFile("security-event-spool-" + config.name()).toPath())
                .findingListener(lockouts).build();
        ClientSettings settings = new ClientSettings(URI.create(config.uri()), config.database(), auth::best,
                !blank(config.auth_target()), new FallbackCredentialStore(stores, events), tls::best,
                !blank(config.tls_target()), compression(config.compression()),
                new ReconnectPolicy(config.reconnect_enabled(), Duration.ofMillis(config.reconnect_base_millis()),
                        Duration.ofMillis(config.reconnect_cap_millis()), config.reconnect_max_attempts()),
                events, Clock.systemUTC(), Duration.ofMillis(config.timeout_millis()), config.token_exchange(),
                lockouts, statsPeriod(config.stats_period_seconds()), true);
        connection = new ConnectionImpl(settings);
        Hashtable<String, Object> serviceProperties = new Hashtable<>();
        serviceProperties.put("name", config.name());
        serviceProperties.put("uri", config.uri());
        serviceProperties.put("database", config.database());
        connection.addStateListener((target, status) -> {
            if (status.state() == ConnectionState.CONNECTED && registration == null) {
                registration = context.registerService(Connection.class, connection, serviceProperties);
            } else if (status.state() == ConnectionState.CLOSED) {
                unregister();
            }
        });
    }

    /**
     * Opens the first session. Not in the constructor: DS calls the bind methods of the dynamic references after
     * the constructor and before this method, so only here are the providers and sinks there are bound (a connect
     * from the constructor saw no auth provider and went WAITING_FOR_PROVIDER, and sinks missed the first events).
     */
    @Activate
    void activate() {
        // Nothing blocks here: the first session is opened on the connection's own thread.
        connection.start();
    }

    private static Duration statsPeriod(int seconds) {
        if (seconds < 0) {
            throw new dev.stdb.secure.api.ConfigurationException("stats.period.seconds: must be 0 or more, not " + seconds);
        }
        return Duration.ofSeconds(seconds);
    }

    /** Unset target properties come as null: an empty target is no valid filter, and SCR would bind nothing. */
    private static boolean blank(String target) {
        return target == null || target.isBlank();
    }

    private static Compression compression(String name) {
        Compression c = Compression.ofQueryValue(name);
        if (c == null) {
            throw new IllegalArgumentException("compression must be None, Gzip or Brotli, not " + name);
        }
        return c;
    }

    @Deactivate
    void deactivate() {
        unregister();
        ConnectionImpl c = connection;
        if (c != null) {
            // Wait for the close (and its DISCONNECTED event) before the router that carries the event stops.
            c.closeAndWait(Duration.ofSeconds(2));
        }
        EventRouter r = events;
        if (r != null) {
            r.close();
        }
    }

    private synchronized void unregister() {
        ServiceRegistration<Connection> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // The bundle is stopping.
            }
        }
    }

    private void providerChanged(SecurityEventType type, String kind, Map<String, Object> properties) {
        EventRouter r = events;
        if (r != null) {
            r.emit(SecurityEvent.of(type, Outcome.INFO).source(SOURCE).detail("kind", kind)
                    .detail("id", String.valueOf(properties.getOrDefault("provider.id",
                            properties.getOrDefault("store.id", properties.getOrDefault("tls.profile",
                                    properties.get("component.name")))))).build());
        }
        ConnectionImpl c = connection;
        if (c != null) {
            c.providersChanged();
        }
    }

    // ------------------------------------------------------------------ providers (dynamic, greedy)

    @Reference(name = "auth", service = AuthProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindAuth(AuthProvider provider, Map<String, Object> properties) {
        auth.add(provider, properties);
        providerChanged(SecurityEventType.PROVIDER_BOUND, "auth", properties);
    }

    void unbindAuth(AuthProvider provider, Map<String, Object> properties) {
        auth.remove(provider);
        providerChanged(SecurityEventType.PROVIDER_UNBOUND, "auth", properties);
    }

    @Reference(name = "tls", service = TlsContextProvider.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY, updated = "updatedTls")
    void bindTls(TlsContextProvider provider, Map<String, Object> properties) {
        tls.add(provider, properties);
        providerChanged(SecurityEventType.PROVIDER_BOUND, "tls", properties);
    }

    void unbindTls(TlsContextProvider provider, Map<String, Object> properties) {
        tls.remove(provider);
        providerChanged(SecurityEventType.PROVIDER_UNBOUND, "tls", properties);
    }

    /** A TLS provider's service properties changed (its ranking, say): re-ranked, and a failing connection retries. */
    void updatedTls(TlsContextProvider provider, Map<String, Object> properties) {
        tls.remove(provider);
        tls.add(provider, properties);
        providerChanged(SecurityEventType.CONFIGURATION_CHANGED, "tls", properties);
    }

    @Reference(name = "store", service = CredentialStore.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindStore(CredentialStore store, Map<String, Object> properties) {
        stores.add(store, properties);
        providerChanged(SecurityEventType.PROVIDER_BOUND, "store", properties);
    }

    void unbindStore(CredentialStore store, Map<String, Object> properties) {
        stores.remove(store);
        providerChanged(SecurityEventType.PROVIDER_UNBOUND, "store", properties);
    }

    @Reference(name = "audit", service = AuditSink.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindAudit(AuditSink sink, Map<String, Object> properties) {
        String key = key(properties);
        EventRouter r = events;
        if (r != null) {
            r.addSink(key, sink);
        }
    }

    void unbindAudit(AuditSink sink, Map<String, Object> properties) {
        String key = key(properties);
        EventRouter r = events;
        if (r != null) {
            r.removeSink(key);
        }
    }

    @Reference(name = "anomaly", service = AnomalyDetector.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindAnomaly(AnomalyDetector detector, Map<String, Object> properties) {
        String key = key(properties);
        EventRouter r = events;
        if (r != null) {
            r.addDetector(key, detector);
        }
    }

    void unbindAnomaly(AnomalyDetector detector, Map<String, Object> properties) {
        String key = key(properties);
        EventRouter r = events;
        if (r != null) {
            r.removeDetector(key);
        }
    }

    /** A sink's stable identity, so its spool survives it going away and coming back: its PID, else its name. */
    private static String key(Map<String, ?> p) {
        Object pid = p.get("service.pid");
        if (pid != null) {
            return pid.toString();
        }
        Object name = p.get("component.name");
        return name != null ? name.toString() : "service-" + p.get("service.id");
    }
}
