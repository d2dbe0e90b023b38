package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ConnectionException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStateListener;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.api.connection.ConnectionTarget;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReducerFailedException;
import dev.stdb.secure.core.ReducerResult;
import dev.stdb.secure.core.SubscriptionHandle;
import dev.stdb.secure.core.TableView;
import dev.stdb.secure.core.internal.cache.ClientCache;
import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ProcedureDef;
import dev.stdb.secure.protocol.value.ReducerCodec;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.function.Supplier;

/**
 * A connection and its sessions. One thread (the loop) owns every piece of state: frames from the server, calls
 * from the application and reconnect timers are all queued onto it, so row listeners run in server order and
 * nothing needs a lock. A session is one WebSocket; when it drops, calls in flight fail as "outcome unknown",
 * calls made meanwhile wait in the outbox, and the next session replays the subscriptions.
 */
public final class ConnectionImpl implements Connection {
    private static final System.Logger LOG = System.getLogger(ConnectionImpl.class.getName());
    private static final String SOURCE = "dev.stdb.secure.core";

    private final ClientSettings settings;
    private final ConnectionTarget target;
    private final ScheduledExecutorService loop;
    private HttpClient http;
    private final TokenSource tokens;
    private final Random jitter = new Random();
    private final List<ConnectionStateListener> stateListeners = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Connection> firstConnect = new CompletableFuture<>();

    // Loop-thread state.
    private volatile ModuleSchema schema;
    private volatile ReducerCodec reducers;
    private ClientCache cache;
    private volatile WebSocketTransport session;
    private ServerFrameCodec serverFrames;
    private volatile ClientFrameCodec clientFrames;
    private Identity identity;
    private ConnectionId connectionId;
    /**
     * Written on the loop under {@link #sendLock}; read by callers, who send straight from their own thread while a
     * session is ready (one thread hop less per call), under the same lock.
     */
    private volatile boolean sessionReady;
    private final Object sendLock = new Object();
    private volatile boolean presentedStoredToken;
    private int attempt;
    private final java.util.concurrent.atomic.AtomicInteger nextRequestId = new java.util.concurrent.atomic.AtomicInteger();
    private int nextQuerySetId;
    private final Map<Integer, Pending<?>> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final Queue<Pending<?>> outbox = new ArrayDeque<>();
    private final Map<Integer, SubscriptionImpl> subscriptions = new LinkedHashMap<>();
    private volatile ConnectionStatus status = ConnectionStatus.connecting();
    private volatile boolean closed;
    /** An attempt is between {@link #connect()} and its outcome (loop thread). */
    private boolean attempting;
    /** Providers changed while an attempt was under way: its failure retries at once (loop thread). */
    private boolean providersChangedMeanwhile;
    /** The pending reconnect, which a provider change brings forward (loop thread). */
    private ScheduledFuture<?> reconnectTimer;
    private final ReducerCallStats reducerStats;

    public ConnectionImpl(ClientSettings settings) {
        this.settings = settings;
        this.target = new ConnectionTarget(settings.uri(), settings.database());
        this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "stdb-connection-" + settings.database());
            t.setDaemon(true);
            return t;
        });
        this.tokens = new TokenSource(settings.auth(), settings.authRequired(), settings.store(),
                new AuthContext(settings.uri(), settings.database(), settings.store(), null, settings.events()),
                "spacetimedb/" + settings.uri().getHost() + ":" + port(settings.uri()) + "/" + settings.database() + "/token",
                settings.clock(), settings.events(), loop, settings.lockouts());
        this.reducerStats = new ReducerCallStats(settings.clock());
    }

    /**
     * Connections without a TLS provider share one client per timeout: each JDK client has a selector thread and
     * workers of its own, which a thousand connections should not multiply.
     */
    private static final Map<Duration, HttpClient> PLAIN_CLIENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** A client with the current TLS provider's context; built per attempt, so a swapped provider applies. */
    private static HttpClient httpClient(ClientSettings settings, TlsContextProvider tlsProvider) {
        if (tlsProvider == null) {
            return PLAIN_CLIENTS.computeIfAbsent(settings.timeout(), t -> HttpClient.newBuilder().connectTimeout(t)
                    .followRedirects(HttpClient.Redirect.NEVER).build());
        }
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER);
        if (tlsProvider != null) {
            TlsContext tls = tlsProvider.contextFor(settings.uri(), settings.events());
            b.sslContext(tls.sslContext()).sslParameters(tls.sslParameters());
        }
        return b.build();
    }

    private boolean secure() {
        String scheme = settings.uri().getScheme();
        return "wss".equals(scheme) || "https".equals(scheme);
    }

    /**
     * Providers came or went (or a TLS profile was replaced): a connection waiting for one tries again now, and so
     * does one waiting out a reconnect delay, since what failed (pins, trust anchors, a client certificate, a
     * credential) may be fixed now. An attempt under way when the change came is retried at once if it fails. Each
     * change brings forward at most one attempt, so this cannot loop; without a change, failures keep their backoff.
     */
    public void providersChanged() {
        onLoop(() -> {
            if (closed) {
                return;
            }
            if (attempting) {
                providersChangedMeanwhile = true;
            } else if (status.state() == ConnectionState.WAITING_FOR_PROVIDER) {
                connect();
            } else if (status.state() == ConnectionState.RECONNECTING && reconnectTimer != null
                    && reconnectTimer.cancel(false)) {
                reconnectTimer = null;
                connect();
            }
        });
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return "wss".equals(uri.getScheme()) || "https".equals(uri.getScheme()) ? 443 : 80;
    }

    /**
     * Runs {@code task} on the loop; after the connection has closed and its loop has stopped, the task runs
     * nowhere and requests are failed by their callers' checks.
     */
    private boolean onLoop(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (java.util.concurrent.RejectedExecutionException closedLoop) {
            return false;
        }
    }

    /** Starts the first session; completes when it is connected (or fails as the first attempt fails). */
    public CompletableFuture<Connection> start() {
        onLoop(this::connect);
        loop.scheduleWithFixedDelay(this::watchSession, 1, 1, TimeUnit.SECONDS);
        long statsMs = settings.statsPeriod().toMillis();
        if (statsMs > 0) {
            loop.scheduleAtFixedRate(this::reportStats, statsMs, statsMs, TimeUnit.MILLISECONDS);
        }
        return firstConnect;
    }

    /** One {@code CONNECTION_STATS} event per period while the connection is up (on the loop). */
    private void reportStats() {
        if (closed) {
            return;
        }
        SecurityEvent e = reducerStats.summary(sessionReady && status.state() == ConnectionState.CONNECTED,
                this::decorate);
        if (e != null) {
            settings.events().emit(e);
        }
    }

    /**
     * The server pings every 15 s. A session quiet for {@value #PING_AFTER_SECONDS} s gets a ping of ours: on a
     * connection that is gone it fails, or draws the reset that tells the JDK so (an abrupt close is not always
     * reported otherwise). A session that heard nothing for {@value #SILENCE_SECONDS} s is half-open and is dropped,
     * and one the JDK knows is closed is dropped even if its listener was never told.
     */
    private static final long PING_AFTER_SECONDS = 5;
    private static final long SILENCE_SECONDS = 45;

    private void watchSession() {
        WebSocketTransport s = session;
        if (s == null || closed) {
            return;
        }
        if (s.isClosed()) {
            sessionLost("the connection closed");
        } else if (sessionReady && s.quietNanos() > TimeUnit.SECONDS.toNanos(SILENCE_SECONDS)) {
            sessionLost("no traffic from the server for " + SILENCE_SECONDS + " s");
        } else if (sessionReady && s.quietNanos() > TimeUnit.SECONDS.toNanos(PING_AFTER_SECONDS)) {
            s.ping().exceptionally(e -> {
                onLoop(() -> {
                    if (session == s) {
                        sessionLost("ping failed: " + e.getMessage());
                    }
                });
                return null;
            });
        }
    }

    // ------------------------------------------------------------------ sessions

    private void connect() {
        if (closed) {
            return;
        }
        TlsContextProvider tlsProvider = secure() ? settings.tls().get() : null;
        String missing = tokens.providerMissing() ? "no auth provider matches the configured target"
                : secure() && settings.tlsRequired() && tlsProvider == null ? "no TLS provider matches the configured target"
                : null;
        if (missing != null) {
            setStatus(ConnectionStatus.waitingForProvider(missing));
            settings.events().emit(event(SecurityEventType.PROVIDER_MISSING, Outcome.WARNING).detail("reason", missing).build());
            return;
        }
        try {
            http = httpClient(settings, tlsProvider);
        } catch (RuntimeException e) {
            sessionFailed(e);
            return;
        }
        setStatus(attempt == 0 ? ConnectionStatus.connecting() : status);
        attempting = true;
        providersChangedMeanwhile = false;
        tokens.token().thenCompose(token -> {
            String t = token.orElse(null);
            presentedStoredToken = t != null && tokens.anonymous();
            CompletableFuture<ModuleSchema> schemaReady = schema != null ? CompletableFuture.completedFuture(schema)
                    : SchemaFetcher.fetch(http, httpBase(), settings.database(), t, settings.timeout());
            return schemaReady.thenCompose(s -> {
                onLoop(() -> adoptSchema(s));
                if (t != null && settings.tokenExchange()) {
                    // For proxies that strip Authorization: trade the long-lived token for a 60-s one that can
                    // travel in the URL, as the official browser client does. The long-lived one never does.
                    return WebSocketTokenExchange.exchange(http, httpBase(), t, settings.timeout())
                            .thenCompose(shortLived -> WebSocketTransport.open(http,
                                    URI.create(subscribeUri() + "&token=" + URLEncoder.encode(shortLived, StandardCharsets.UTF_8)),
                                    null, settings.timeout(), new Handler()));
                }
                return WebSocketTransport.open(http, subscribeUri(), t, settings.timeout(), new Handler());
            });
        }).whenComplete((opened, error) -> onLoop(() -> {
            attempting = false;
            if (error != null) {
                sessionFailed(unwrap(error));
            } else if (closed) {
                opened.close();
            } else {
                serverFrames = new ServerFrameCodec(opened.subprotocol());
                clientFrames = new ClientFrameCodec(opened.subprotocol());
                session = opened;
                session.startReceiving();
            }
        }));
    }

    private void adoptSchema(ModuleSchema s) {
        if (schema == null) {
            schema = s;
            reducers = new ReducerCodec(s);
            cache = new ClientCache(s);
        }
    }

    private URI httpBase() {
        URI u = settings.uri();
        String scheme = "wss".equals(u.getScheme()) || "https".equals(u.getScheme()) ? "https" : "http";
        String path = u.getPath() == null || u.getPath().isEmpty() ? "/" : u.getPath().endsWith("/") ? u.getPath() : u.getPath() + "/";
        return URI.create(scheme + "://" + u.getRawAuthority() + path);
    }

    private URI subscribeUri() {
        URI base = httpBase();
        String scheme = "https".equals(base.getScheme()) ? "wss" : "ws";
        return URI.create(scheme + "://" + base.getRawAuthority() + base.getRawPath() + "v1/database/"
                + URLEncoder.encode(settings.database(), StandardCharsets.UTF_8) + "/subscribe?compression="
                + settings.compression().queryValue());
    }

    /** Transport callbacks arrive on JDK threads and are handed to the loop. */
    private final class Handler implements WebSocketTransport.Handler {
        @Override
        public void onFrame(WebSocketTransport transport, byte[] frame) {
            onLoop(() -> {
                if (transport == session) {
                    received(frame);
                }
            });
        }

        @Override
        public void onClosed(WebSocketTransport transport, int code, String reason, Throwable error) {
            onLoop(() -> {
                if (transport == session) {
                    sessionLost("closed by the server (" + code + (reason == null || reason.isEmpty() ? "" : ": " + reason) + ")");
                }
            });
        }
    }

    private void received(byte[] frame) {
        List<ServerMessage> messages;
        try {
            messages = serverFrames.decode(frame);
        } catch (ProtocolException e) {
            settings.events().emit(event(SecurityEventType.ANOMALY, Outcome.FAILURE)
                    .detail("problem", "malformed frame from the server").detail("error", e.getMessage()).build());
            WebSocketTransport s = session;
            sessionLost("the server sent a malformed frame: " + e.getMessage());
            s.abort();
            return;
        }
        for (ServerMessage m : messages) {
            handle(m);
        }
    }

    private void handle(ServerMessage m) {
        if (m instanceof ServerMessage.InitialConnection ic) {
            initialConnection(ic);
        } else if (m instanceof ServerMessage.SubscribeApplied a) {
            SubscriptionImpl sub = subscriptions.get(a.querySetId());
            if (sub != null) {
                cache.applySubscribeApplied(a.querySetId(), a.rows());
                sub.applied.complete(null);
            }
        } else if (m instanceof ServerMessage.UnsubscribeApplied u) {
            SubscriptionImpl sub = subscriptions.remove(u.querySetId());
            cache.applyUnsubscribe(u.querySetId());
            if (sub != null) {
                sub.ended.complete(null);
            }
        } else if (m instanceof ServerMessage.SubscriptionError e) {
            SubscriptionImpl sub = subscriptions.remove(e.querySetId());
            cache.applyUnsubscribe(e.querySetId());
            if (sub != null) {
                ConnectionException failure = new ConnectionException(ReasonCode.SUBSCRIPTION_FAILED,
                        "subscription " + sub.queries + " failed: " + e.error());
                sub.applied.completeExceptionally(failure);
                sub.ended.completeExceptionally(failure);
            }
        } else if (m instanceof ServerMessage.TransactionUpdate tu) {
            cache.applyTransaction(tu);
        } else if (m instanceof ServerMessage.ReducerResult r) {
            reducerResult(r);
        } else if (m instanceof ServerMessage.OneOffQueryResult q) {
            oneOffResult(q);
        } else if (m instanceof ServerMessage.ProcedureResult p) {
            procedureResult(p);
        }
    }

    private void initialConnection(ServerMessage.InitialConnection ic) {
        if (identity != null && !identity.equals(ic.identity())) {
            settings.events().emit(event(SecurityEventType.IDENTITY_CHANGED, Outcome.FAILURE)
                    .detail("was", identity.toHex()).detail("now", ic.identity().toHex()).build());
            shutDown(new ConnectionException(ReasonCode.IDENTITY_CHANGED, "the server reported identity "
                    + ic.identity() + " after a reconnect, but this connection is " + identity));
            return;
        }
        identity = ic.identity();
        connectionId = ic.connectionId();
        if (tokens.anonymous() && !presentedStoredToken) {
            tokens.rememberAnonymous(ic.token());
        }
        attempt = 0;
        providersChangedMeanwhile = false; // this session is up; a later drop keeps its backoff
        synchronized (sendLock) {
            // Replayed subscriptions and queued calls go out before any call made from now on.
            for (SubscriptionImpl sub : subscriptions.values()) {
                send(new ClientMessage.Subscribe(nextRequestId.getAndIncrement(), sub.querySetId, sub.queries));
            }
            while (!outbox.isEmpty()) {
                dispatch(outbox.poll());
            }
            sessionReady = true;
        }
        setStatus(ConnectionStatus.connected());
        settings.events().emit(event(SecurityEventType.CONNECTED, Outcome.SUCCESS).principal(identity.toHex())
                .detail("subprotocol", session.subprotocol().wireName()).build());
        firstConnect.complete(this);
    }

    private void sessionFailed(Throwable error) {
        synchronized (sendLock) {
            session = null;
            sessionReady = false;
        }
        SecureClientException failure = translate(error);
        if (failure instanceof dev.stdb.secure.api.ProviderUnavailableException) {
            // The provider left between the check and the call: wait for its replacement.
            setStatus(ConnectionStatus.waitingForProvider(failure.getMessage()));
            settings.events().emit(event(SecurityEventType.PROVIDER_MISSING, Outcome.WARNING)
                    .detail("reason", failure.getMessage()).build());
            return;
        }
        if (failure instanceof AuthenticationException && presentedStoredToken) {
            // The server no longer accepts the identity kept from an earlier run: start over as a new anonymous one.
            tokens.forgetAnonymous();
            presentedStoredToken = false;
            settings.events().emit(event(SecurityEventType.AUTH_FAILURE, Outcome.WARNING)
                    .detail("error", failure.getMessage()).detail("action", "stored anonymous token forgotten").build());
            onLoop(this::connect);
            return;
        }
        if (failure instanceof dev.stdb.secure.api.TlsException && !reportedByTrustManager(failure)) {
            // The TLS provider's trust manager reports what it refused (its messages carry the code); a refusal
            // before it ran (protocol version, cipher suites, the server's alert) is reported here.
            settings.events().emit(event(SecurityEventType.TLS_FAILURE, Outcome.FAILURE)
                    .detail("reason", failure.reason().code()).detail("message", failure.getMessage()).build());
        }
        settings.events().emit(event(failure instanceof AuthenticationException
                ? SecurityEventType.AUTH_FAILURE : SecurityEventType.DISCONNECTED, Outcome.FAILURE)
                .detail("error", failure.getMessage()).build());
        if (!firstConnect.isDone() && attempt == 0 && failure.reason() != ReasonCode.CONNECTION_FAILED
                && !settings.retryFirstConnect()) {
            shutDown(failure);
            return;
        }
        scheduleReconnect(failure.getMessage(), failure);
    }

    /** True when a cause of {@code failure} (not its own message, which always starts with it) carries its code. */
    private static boolean reportedByTrustManager(SecureClientException failure) {
        String code = "[" + failure.reason().code() + "]";
        for (Throwable t = failure.getCause(); t != null; t = t.getCause()) {
            if (String.valueOf(t.getMessage()).contains(code)) {
                return true;
            }
        }
        return false;
    }

    private void sessionLost(String reason) {
        WebSocketTransport lost;
        boolean wasReady;
        synchronized (sendLock) {
            lost = session;
            session = null;
            wasReady = sessionReady;
            sessionReady = false;
            // Under the lock: a call sent on this session is in flight now, or waits for the next one.
            failInFlight(new ConnectionException(ReasonCode.OUTCOME_UNKNOWN,
                    "the connection dropped while the call was in flight (" + reason + ")"));
        }
        if (lost != null) {
            lost.abort();
        }
        if (closed) {
            return;
        }
        settings.events().emit(event(SecurityEventType.DISCONNECTED, Outcome.WARNING).detail("reason", reason).build());
        if (!wasReady && !firstConnect.isDone()) {
            scheduleReconnect(reason, new ConnectionException(ReasonCode.CONNECTION_FAILED, reason));
            return;
        }
        scheduleReconnect(reason, new ConnectionException(ReasonCode.CONNECTION_LOST, reason));
    }

    private void scheduleReconnect(String reason, SecureClientException failure) {
        attempt++;
        if (!settings.reconnect().allows(attempt)) {
            shutDown(failure);
            return;
        }
        // Providers changed while the failed attempt ran (it may have used the old ones): try the new ones now, once.
        boolean changed = providersChangedMeanwhile;
        providersChangedMeanwhile = false;
        Duration delay = changed ? Duration.ZERO : settings.reconnect().delay(attempt, jitter);
        setStatus(ConnectionStatus.reconnecting(attempt, delay, reason));
        settings.events().emit(event(SecurityEventType.RECONNECTING, Outcome.INFO)
                .detail("attempt", String.valueOf(attempt)).detail("delay_ms", String.valueOf(delay.toMillis())).build());
        reconnectTimer = loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void failInFlight(SecureClientException failure) {
        List<Pending<?>> failed = new ArrayList<>(inFlight.values());
        inFlight.clear();
        failed.forEach(p -> p.future.completeExceptionally(failure));
    }

    private void shutDown(SecureClientException failure) {
        WebSocketTransport s;
        synchronized (sendLock) {
            closed = true;
            s = session;
            session = null;
            sessionReady = false;
            failInFlight(failure);
        }
        tokens.close();
        if (s != null) {
            s.close();
        }
        outbox.forEach(p -> p.future.completeExceptionally(failure));
        outbox.clear();
        subscriptions.values().forEach(sub -> {
            sub.applied.completeExceptionally(failure);
            sub.ended.complete(null);
        });
        setStatus(ConnectionStatus.closed(failure.getMessage()));
        firstConnect.completeExceptionally(failure);
        loop.schedule(loop::shutdown, 100, TimeUnit.MILLISECONDS);
    }

    private static Throwable unwrap(Throwable t) {
        Throwable e = t;
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private static SecureClientException translate(Throwable error) {
        if (error instanceof SecureClientException s) {
            return s;
        }
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException ssl) {
                return tlsFailure(ssl);
            }
        }
        if (error instanceof WebSocketHandshakeException h) {
            int status = h.getResponse().statusCode();
            String body = h.getResponse().body() instanceof String s ? ": " + s : "";
            if (status == 401 || status == 400 && body.contains("token")) {
                return new AuthenticationException(ReasonCode.TOKEN_INVALID, "the server rejected the token (" + status + body + ")");
            }
            return new ConnectionException(status == 503 ? ReasonCode.CONNECTION_FAILED : ReasonCode.SERVER_REJECTED,
                    "the server refused the WebSocket upgrade (" + status + body + ")");
        }
        return new ConnectionException(ReasonCode.CONNECTION_FAILED, "cannot connect: " + error, error);
    }

    /**
     * A TLS handshake failure, typed by what failed. The TLS bundle's trust manager starts its messages with the reason
     * code ({@code [tls.pin_mismatch] ...}), which wins; otherwise the JDK's message (often the alert the server sent)
     * names it: a refused client certificate, no shared TLS version, no shared cipher suite, else an untrusted chain.
     */
    private static SecureClientException tlsFailure(javax.net.ssl.SSLException ssl) {
        String message = String.valueOf(ssl.getMessage());
        ReasonCode reason = ssl instanceof javax.net.ssl.SSLHandshakeException ? ReasonCode.UNTRUSTED_CHAIN
                : ReasonCode.PROTOCOL_REFUSED;
        String what = "";
        if (message.matches("(?s).*Received fatal alert: (bad_certificate|certificate_required|certificate_unknown"
                + "|unknown_ca|certificate_expired|certificate_revoked|unsupported_certificate).*")) {
            // The server sent the alert: it refused this client's certificate, or the lack of one.
            reason = ReasonCode.CLIENT_CERT_UNAVAILABLE;
        } else if (message.matches("(?s).*(Received fatal alert: protocol_version|The server selected protocol version"
                + "|No appropriate protocol|Unsupported protocol|not enabled or supported).*")) {
            reason = ReasonCode.PROTOCOL_REFUSED;
            what = "the server and this client share no TLS version (the profile allows only the versions of its"
                    + " policy, TLS 1.3 and 1.2 at most): ";
        } else if (message.matches("(?s).*(Received fatal alert: (handshake_failure|insufficient_security)"
                + "|no cipher suites in common|No negotiable cipher suite).*")) {
            // handshake_failure is also what a TLS 1.2 server that requires a client certificate sends when it got
            // none; the message says so, since the alert alone cannot tell the two apart.
            reason = ReasonCode.WEAK_CIPHER;
            what = "no acceptable protocol/cipher suite was shared with the server (the profile refuses weak suites;"
                    + " a TLS 1.2 server also sends this alert when it requires a client certificate): ";
        }
        // The trust manager's coded message may sit deeper in the cause chain (Bouncy Castle's JSSE wraps it in an
        // alert), so every cause is read.
        codes:
        for (Throwable t = ssl; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            for (ReasonCode code : ReasonCode.values()) {
                if (m.contains("[" + code.code() + "]")) {
                    reason = code;
                    what = "";
                    if (t != ssl) {
                        message = message + " (" + m + ")";
                    }
                    break codes;
                }
            }
        }
        return new dev.stdb.secure.api.TlsException(reason, "the TLS handshake failed: " + what + message, ssl);
    }

    private void setStatus(ConnectionStatus s) {
        status = s;
        for (ConnectionStateListener l : stateListeners) {
            try {
                l.stateChanged(target, s);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "connection state listener failed", e);
            }
        }
    }

    private SecurityEvent.Builder event(SecurityEventType type, Outcome outcome) {
        return decorate(SecurityEvent.of(type, outcome));
    }

    /** What every event of the connection carries: the source, the target and the connection id once known. */
    private SecurityEvent.Builder decorate(SecurityEvent.Builder b) {
        b.source(SOURCE).detail("uri", settings.uri().toString()).detail("database", settings.database());
        if (connectionId != null) {
            b.connection(connectionId.toHex());
        }
        return b;
    }

    // ------------------------------------------------------------------ requests

    /** A call waiting for its answer; {@code message} is built once its request id is known. */
    private static final class Pending<T> {
        final CompletableFuture<T> future = new CompletableFuture<>();
        final String name;
        final IntFunction<ClientMessage> message;

        Pending(String name, IntFunction<ClientMessage> message) {
            this.name = name;
            this.message = message;
        }
    }

    /** Sends the call now if a session is ready, else after the next one connects. */
    private <T> CompletableFuture<T> request(Pending<T> pending) {
        if (sessionReady) {
            synchronized (sendLock) {
                if (sessionReady && !closed) {
                    dispatch(pending);
                    return pending.future;
                }
            }
        }
        boolean queued = onLoop(() -> {
            if (closed) {
                pending.future.completeExceptionally(new ConnectionException(ReasonCode.CLOSED, "the connection is closed"));
            } else {
                synchronized (sendLock) {
                    if (sessionReady) {
                        dispatch(pending);
                    } else {
                        outbox.add(pending);
                    }
                }
            }
        });
        if (!queued) {
            pending.future.completeExceptionally(new ConnectionException(ReasonCode.CLOSED, "the connection is closed"));
        }
        return pending.future;
    }

    private void dispatch(Pending<?> pending) {
        int requestId = nextRequestId.getAndIncrement();
        inFlight.put(requestId, pending);
        send(pending.message.apply(requestId));
    }

    private void send(ClientMessage message) {
        WebSocketTransport s = session;
        if (s == null) {
            return;
        }
        s.send(clientFrames.encode(message)).exceptionally(e -> {
            onLoop(() -> {
                if (session == s) {
                    sessionLost("send failed: " + e.getMessage());
                }
            });
            return null;
        });
    }

    @SuppressWarnings("unchecked")
    private <T> Pending<T> take(int requestId) {
        return (Pending<T>) inFlight.remove(requestId);
    }

    @Override
    public CompletionStage<ReducerResult> callReducer(String reducer, Object... args) {
        return callReducer(reducer, () -> reducers.encodeArgs(reducer, args));
    }

    @Override
    public CompletionStage<ReducerResult> callReducer(String reducer, Map<String, ?> args) {
        return callReducer(reducer, () -> reducers.encodeArgs(reducer, args));
    }

    /** Arguments that do not fit the schema throw here, in the caller's thread, before anything is sent. */
    private CompletionStage<ReducerResult> callReducer(String reducer, Supplier<byte[]> encode) {
        if (schema != null) {
            byte[] args = encode.get();
            reducerStats.called();
            return request(new Pending<ReducerResult>(reducer, id -> new ClientMessage.CallReducer(id, reducer, args)));
        }
        return schemaReady().thenCompose(s -> callReducer(reducer, encode));
    }

    private CompletableFuture<ModuleSchema> schemaReady() {
        CompletableFuture<ModuleSchema> f = new CompletableFuture<>();
        boolean queued = onLoop(() -> {
            if (schema != null) {
                f.complete(schema);
            } else {
                firstConnect.whenComplete((c, e) -> {
                    if (e != null) {
                        f.completeExceptionally(e);
                    } else {
                        f.complete(schema);
                    }
                });
            }
        });
        if (!queued) {
            f.completeExceptionally(new ConnectionException(ReasonCode.CLOSED, "the connection is closed"));
        }
        return f;
    }

    private void reducerResult(ServerMessage.ReducerResult r) {
        Pending<ReducerResult> p = take(r.requestId());
        ServerMessage.ReducerOutcome outcome = r.result();
        if (outcome instanceof ServerMessage.ReducerOutcome.Ok ok) {
            cache.applyTransaction(ok.transactionUpdate());
            if (p != null) {
                p.future.complete(new ReducerResult(r.timestamp(), ok.returnValue()));
            }
        } else if (outcome instanceof ServerMessage.ReducerOutcome.OkEmpty) {
            if (p != null) {
                p.future.complete(new ReducerResult(r.timestamp(), ByteString.EMPTY));
            }
        } else if (outcome instanceof ServerMessage.ReducerOutcome.Err err) {
            if (p != null) {
                p.future.completeExceptionally(new ReducerFailedException(p.name,
                        reducers.decodeError(p.name, err.error().toByteArray())));
            }
        } else if (p != null) {
            p.future.completeExceptionally(new ConnectionException(ReasonCode.REDUCER_INTERNAL_ERROR,
                    "reducer " + p.name + " could not run: " + ((ServerMessage.ReducerOutcome.InternalError) outcome).message()));
        }
    }

    @Override
    public CompletionStage<List<Row>> oneOffQuery(String sql) {
        return schemaReady().thenCompose(s -> request(new Pending<List<Row>>(sql, id -> new ClientMessage.OneOffQuery(id, sql))));
    }

    private void oneOffResult(ServerMessage.OneOffQueryResult q) {
        Pending<List<Row>> p = take(q.requestId());
        if (p == null) {
            return;
        }
        if (!q.isOk()) {
            p.future.completeExceptionally(new ConnectionException(ReasonCode.QUERY_FAILED, "query failed: " + q.error()));
            return;
        }
        List<Row> rows = new ArrayList<>();
        for (ServerMessage.SingleTableRows t : q.rows().tables()) {
            for (Row row : RowDecoder.forTable(schema, t.table()).decode(t.rows())) {
                rows.add(row.detach());
            }
        }
        p.future.complete(List.copyOf(rows));
    }

    @Override
    public CompletionStage<Value> callProcedure(String procedure, Object... args) {
        return schemaReady().thenCompose(s -> {
            ProcedureDef def = s.procedure(procedure).orElseThrow(() -> new ConnectionException(
                    ReasonCode.REDUCER_INTERNAL_ERROR, "the module has no procedure " + procedure));
            byte[] encoded = ValueCodec.compile(s.typespace(), def.params()).encode(Arrays.asList(args));
            return request(new Pending<ByteString>(procedure, id -> new ClientMessage.CallProcedure(id, procedure, encoded))).thenApply(bytes ->
                    ValueCodec.compile(s.typespace(), def.returnType()).decode(bytes.toByteArray()));
        });
    }

    private void procedureResult(ServerMessage.ProcedureResult r) {
        Pending<ByteString> p = take(r.requestId());
        if (p == null) {
            return;
        }
        if (r.status() instanceof ServerMessage.ProcedureStatus.Returned ret) {
            p.future.complete(ret.value());
        } else {
            p.future.completeExceptionally(new ConnectionException(ReasonCode.REDUCER_INTERNAL_ERROR,
                    "procedure failed: " + ((ServerMessage.ProcedureStatus.InternalError) r.status()).message()));
        }
    }

    // ------------------------------------------------------------------ subscriptions

    private final class SubscriptionImpl implements SubscriptionHandle {
        final int querySetId;
        final List<String> queries;
        final CompletableFuture<Void> applied = new CompletableFuture<>();
        final CompletableFuture<Void> ended = new CompletableFuture<>();

        SubscriptionImpl(int querySetId, List<String> queries) {
            this.querySetId = querySetId;
            this.queries = List.copyOf(queries);
        }

        @Override
        public List<String> queries() {
            return queries;
        }

        @Override
        public CompletionStage<Void> applied() {
            return applied;
        }

        @Override
        public boolean isActive() {
            return applied.isDone() && !applied.isCompletedExceptionally() && !ended.isDone();
        }

        @Override
        public CompletionStage<Void> unsubscribe() {
            onLoop(() -> {
                if (subscriptions.containsKey(querySetId) && sessionReady) {
                    send(new ClientMessage.Unsubscribe(nextRequestId.getAndIncrement(), querySetId,
                            ClientMessage.UnsubscribeFlags.SEND_DROPPED_ROWS));
                } else if (subscriptions.remove(querySetId) != null) {
                    cache.applyUnsubscribe(querySetId);
                    ended.complete(null);
                }
            });
            return ended;
        }

        @Override
        public String toString() {
            return "Subscription" + queries;
        }
    }

    @Override
    public SubscriptionHandle subscribe(String... queries) {
        return subscribe(List.of(queries));
    }

    @Override
    public SubscriptionHandle subscribe(List<String> queries) {
        if (queries.isEmpty()) {
            throw new IllegalArgumentException("a subscription needs at least one query");
        }
        return new DeferredSubscription(queries);
    }

    /** Registers a subscription on the loop and sends it when a session is ready (or replays it on the next). */
    private SubscriptionImpl register(List<String> queries) {
        SubscriptionImpl sub = new SubscriptionImpl(nextQuerySetId++, queries);
        subscriptions.put(sub.querySetId, sub);
        if (sessionReady) {
            send(new ClientMessage.Subscribe(nextRequestId.getAndIncrement(), sub.querySetId, sub.queries));
        }
        return sub;
    }

    /** Hands out a handle at once; the query set is created on the loop thread. */
    private final class DeferredSubscription implements SubscriptionHandle {
        private final List<String> queries;
        private final CompletableFuture<SubscriptionImpl> inner = new CompletableFuture<>();

        DeferredSubscription(List<String> queries) {
            this.queries = List.copyOf(queries);
            boolean queued = onLoop(() -> {
                if (closed) {
                    inner.completeExceptionally(new ConnectionException(ReasonCode.CLOSED, "the connection is closed"));
                } else {
                    inner.complete(register(this.queries));
                }
            });
            if (!queued) {
                inner.completeExceptionally(new ConnectionException(ReasonCode.CLOSED, "the connection is closed"));
            }
        }

        @Override
        public List<String> queries() {
            return queries;
        }

        @Override
        public CompletionStage<Void> applied() {
            return inner.thenCompose(SubscriptionImpl::applied);
        }

        @Override
        public boolean isActive() {
            return inner.isDone() && !inner.isCompletedExceptionally() && inner.join().isActive();
        }

        @Override
        public CompletionStage<Void> unsubscribe() {
            return inner.thenCompose(SubscriptionImpl::unsubscribe);
        }
    }

    // ------------------------------------------------------------------ state

    @Override
    public Identity identity() {
        return identity;
    }

    @Override
    public ConnectionId connectionId() {
        return connectionId;
    }

    @Override
    public ConnectionStatus status() {
        return status;
    }

    @Override
    public void addStateListener(ConnectionStateListener listener) {
        stateListeners.add(listener);
    }

    @Override
    public void removeStateListener(ConnectionStateListener listener) {
        stateListeners.remove(listener);
    }

    @Override
    public ModuleSchema schema() {
        return schema;
    }

    @Override
    public TableView table(String name) {
        if (cache == null) {
            throw new IllegalStateException("the connection has no schema yet; wait for connect() to complete");
        }
        return cache.table(name);
    }

    @Override
    public void close() {
        onLoop(() -> {
            if (!closed) {
                settings.events().emit(event(SecurityEventType.DISCONNECTED, Outcome.INFO).detail("reason", "closed by the application").build());
                shutDown(new ConnectionException(ReasonCode.CLOSED, "the connection was closed by the application"));
            }
        });
    }

    /** {@link #close()}, and waits (at most {@code timeout}) until it is done. */
    public void closeAndWait(Duration timeout) {
        close();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            if (onLoop(() -> done.complete(null))) {
                done.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
        }
    }

}
