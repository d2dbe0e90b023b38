package dev.stdb.secure.core;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.internal.ClientSettings;
import dev.stdb.secure.core.internal.ConnectionImpl;
import dev.stdb.secure.core.internal.Lockouts;
import dev.stdb.secure.core.internal.events.EventRouter;
import dev.stdb.secure.core.internal.MemoryCredentialStore;
import dev.stdb.secure.protocol.frame.Compression;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * Opens connections without an OSGi container: the same providers the OSGi components bind, handed over directly.
 *
 * <pre>{@code
 * Connection c = SpacetimeClient.builder()
 *         .uri(URI.create("wss://db.example.com"))
 *         .database("quickstart")
 *         .authProvider(oauth2)                  // none: anonymous, the minted token kept in the store
 *         .credentialStore(keyring)              // none: memory only
 *         .connect().toCompletableFuture().join();
 * }</pre>
 */
public final class SpacetimeClient {
    private SpacetimeClient() {
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private static final Set<String> SCHEMES = Set.of("ws", "wss", "http", "https");

        private URI uri;
        private String database;
        private AuthProvider authProvider;
        private CredentialStore store;
        private TlsContextProvider tls;
        private Compression compression = Compression.GZIP;
        private ReconnectPolicy reconnect = ReconnectPolicy.DEFAULT;
        private SecurityEventSink events = e -> { };
        private Clock clock = Clock.systemUTC();
        private Duration timeout = Duration.ofSeconds(10);
        private boolean tokenExchange;
        private Duration statsPeriod = Duration.ofSeconds(60);
        private final List<AnomalyDetector> detectors = new ArrayList<>();
        private EventRouter router;
        private final Lockouts lockouts = new Lockouts();

        private Builder() {
        }

        /** The server: {@code ws://}, {@code wss://}, {@code http://} or {@code https://}, with an optional path prefix. */
        public Builder uri(URI uri) {
            if (uri == null || !SCHEMES.contains(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("the server URI must be ws, wss, http or https with a host: " + uri);
            }
            if (uri.getUserInfo() != null) {
                throw new IllegalArgumentException("the server URI must not carry credentials");
            }
            this.uri = uri;
            return this;
        }

        public Builder database(String database) {
            if (database == null || database.isBlank()) {
                throw new IllegalArgumentException("database must not be blank");
            }
            this.database = database;
            return this;
        }

        /** Where tokens come from; without one the connection is anonymous. */
        public Builder authProvider(AuthProvider provider) {
            this.authProvider = provider;
            return this;
        }

        /** Where the anonymous token is kept between runs; memory only by default. */
        public Builder credentialStore(CredentialStore store) {
            this.store = store;
            return this;
        }

        /** TLS for {@code wss}; the JDK's defaults when none is given. */
        public Builder tls(TlsContextProvider tls) {
            this.tls = tls;
            return this;
        }

        /** What the server compresses frames with: Gzip by default, as the official TypeScript client asks. */
        public Builder compression(Compression compression) {
            this.compression = Objects.requireNonNull(compression, "compression");
            return this;
        }

        public Builder reconnect(ReconnectPolicy policy) {
            this.reconnect = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where security events go (connects, disconnects, token use); nowhere by default. */
        public Builder events(SecurityEventSink sink) {
            this.events = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Feeds every security event of the connections this builder opens to {@code detector}, and enforces the
         * THROTTLE and BLOCK responses it suggests: while one is in force for the auth provider's id (or the token's
         * subject, or the target), connecting or refreshing fails fast with an
         * {@link dev.stdb.secure.api.AuthenticationException} ({@code auth.locked_out}) without asking the identity
         * provider. Detectors, their counters and the locks are shared by all connections of this builder, so
         * failed sign-ins of one {@link #connect()} count for the next. Add detectors before the first
         * {@link #connect()}. With detectors, events reach the {@link #events(SecurityEventSink) sink} from the
         * security event thread, each followed by the ANOMALY events of the findings it caused.
         */
        public Builder anomalyDetector(AnomalyDetector detector) {
            if (router != null) {
                throw new IllegalStateException("add anomaly detectors before the first connect()");
            }
            detectors.add(Objects.requireNonNull(detector, "detector"));
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Timeout of the HTTP requests and of the WebSocket handshake. */
        public Builder timeout(Duration timeout) {
            this.timeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Sends the token in the upgrade URL as a 60-second token from {@code POST /v1/identity/websocket-token}
         * instead of as an {@code Authorization} header: only for proxies that strip that header.
         */
        public Builder tokenExchange(boolean enabled) {
            this.tokenExchange = enabled;
            return this;
        }

        /**
         * How often a live connection reports how many reducer calls the application made, as one
         * {@link dev.stdb.secure.api.audit.SecurityEventType#CONNECTION_STATS} event (details named in
         * {@link dev.stdb.secure.api.audit.ConnectionStats}); what a reducer-rate detector reads. Every 60 s by
         * default; zero disables. The call path only increments a counter.
         */
        public Builder statsPeriod(Duration period) {
            Objects.requireNonNull(period, "period");
            if (period.isNegative()) {
                throw new IllegalArgumentException("the stats period must not be negative: " + period);
            }
            this.statsPeriod = period;
            return this;
        }

        /**
         * Fills in the providers not given explicitly from {@link ServiceLoader} (the module path or class path):
         * the first {@link AuthProvider}, {@link CredentialStore} and {@link TlsContextProvider} found. The plain-Java
         * counterpart of what the OSGi component binds.
         */
        public Builder discoverProviders() {
            if (authProvider == null) {
                authProvider = first(AuthProvider.class);
            }
            if (store == null) {
                store = first(CredentialStore.class);
            }
            if (tls == null) {
                tls = first(TlsContextProvider.class);
            }
            return this;
        }

        private static <T> T first(Class<T> type) {
            // On the module path a module may only load services it declares it uses; it may declare that itself.
            SpacetimeClient.class.getModule().addUses(type);
            return ServiceLoader.load(type).findFirst().orElse(null);
        }

        /** The application's sink, or with detectors a router that feeds them and then the sink. */
        private synchronized SecurityEventSink eventSink() {
            if (detectors.isEmpty()) {
                return events;
            }
            if (router == null) {
                SecurityEventSink application = events;
                router = EventRouter.builder().findingListener(lockouts).build();
                router.addSink("application", application::emit);
                for (AnomalyDetector d : detectors) {
                    router.addDetector(d.id(), d);
                }
            }
            return router;
        }

        /** Opens the connection; completes when the server has sent its {@code InitialConnection}. */
        public CompletionStage<Connection> connect() {
            if (uri == null || database == null) {
                throw new IllegalStateException("uri and database are required");
            }
            AuthProvider auth = authProvider;
            TlsContextProvider tlsProvider = tls;
            ClientSettings settings = new ClientSettings(uri, database, () -> auth, auth != null,
                    store != null ? store : new MemoryCredentialStore(), () -> tlsProvider, false, compression, reconnect,
                    eventSink(), clock, timeout, tokenExchange, lockouts, statsPeriod, false);
            return new ConnectionImpl(settings).start();
        }
    }
}
