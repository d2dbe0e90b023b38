package dev.stdb.secure.core;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ConnectionException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.core.internal.MemoryCredentialStore;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.sandbox.IssuedToken;
import dev.stdb.secure.sandbox.Sandbox;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/** The connection against the protocol sandbox: the client's whole life, including drops and reconnects. */
class ConnectionTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final ReconnectPolicy FAST = new ReconnectPolicy(true, Duration.ofMillis(50), Duration.ofMillis(200), 0);

    private Sandbox sandbox;
    private final List<Connection> opened = new CopyOnWriteArrayList<>();
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        sandbox = Sandbox.builder().start();
    }

    @AfterEach
    void stop() {
        opened.forEach(Connection::close);
        sandbox.close();
    }

    private SpacetimeClient.Builder client() {
        return SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).reconnect(FAST)
                .events(events::add);
    }

    private Connection connect(SpacetimeClient.Builder builder) {
        Connection c = await(builder.connect());
        opened.add(c);
        return c;
    }

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new CompletionException(e.getCause());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Throwable failure(CompletionStage<?> stage) {
        CompletionException e = assertThrows(CompletionException.class, () -> await(stage));
        return e.getCause();
    }

    private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
        eventually(condition, () -> what);
    }

    private static void eventually(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what.get());
            }
            Thread.sleep(10);
        }
    }

    private static String name(Row row) {
        return row.getString("name");
    }

    @Test
    void anonymousConnectionKeepsItsMintedTokenSoTheIdentitySurvivesARestart() {
        MemoryCredentialStore store = new MemoryCredentialStore();
        Connection first = connect(client().credentialStore(store));
        assertEquals(ConnectionState.CONNECTED, first.status().state());
        assertTrue(first.identity().toHex().startsWith("c200"));
        assertEquals(1, store.list().size(), "the minted token is stored");
        first.close();

        Connection second = connect(client().credentialStore(store));
        assertEquals(first.identity(), second.identity());
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.CREDENTIAL_WRITTEN));
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.CREDENTIAL_READ));
        assertTrue(events.stream().noneMatch(e -> e.details().values().stream().anyMatch(v -> v.startsWith("eyJ"))),
                "no event carries a token");
    }

    @Test
    void connectsWithReconnectDisabled() {
        Connection a = connect(client().reconnect(ReconnectPolicy.NEVER));
        assertEquals(ConnectionState.CONNECTED, a.status().state());
    }

    @Test
    void discoveredProvidersAreUsedOutsideOsgi() {
        DiscoveredStore.WRITTEN.clear();
        Connection a = connect(client().discoverProviders());
        assertEquals(1, DiscoveredStore.WRITTEN.size(), "the minted token went to the store ServiceLoader found");
        Connection again = connect(client().discoverProviders());
        assertEquals(a.identity(), again.identity());
    }

    @Test
    void reducersSubscriptionsAndRowCallbacksAcrossTwoClients() throws Exception {
        Connection a = connect(client());
        Connection b = connect(client());
        List<String> inserted = new CopyOnWriteArrayList<>();
        List<String> updated = new CopyOnWriteArrayList<>();
        List<String> deleted = new CopyOnWriteArrayList<>();
        b.table("person").onInsert(r -> inserted.add(name(r)));
        b.table("person").onUpdate((o, n) -> updated.add(name(o) + "->" + name(n)));
        b.table("person").onDelete(r -> deleted.add(name(r)));
        await(a.subscribe("SELECT * FROM person").applied());
        await(b.subscribe("SELECT * FROM person").applied());

        ReducerResult added = await(a.callReducer("add_person", "Ada", 36));
        assertNotNull(added.timestamp());
        assertEquals(1, a.table("person").size(), "the caller's cache has the row when the call completes");
        eventually(() -> inserted.equals(List.of("Ada")), "B's insert callback");

        await(a.callReducer("update_person", Map.of("id", 1, "name", "Ada L.", "age", 37)));
        eventually(() -> updated.equals(List.of("Ada->Ada L.")), "B's update callback");
        assertEquals("Ada L.", name(a.table("person").findByPrimaryKey(1).orElseThrow()));

        await(a.callReducer("delete_person", 1));
        eventually(() -> deleted.equals(List.of("Ada L.")), "B's delete callback");
        assertEquals(0, b.table("person").size());
    }

    @Test
    void reducerCallsAreSummarisedAsConnectionStatsEventsWhileConnected() throws Exception {
        Connection a = connect(client().statsPeriod(Duration.ofMillis(100)));
        for (int i = 0; i < 7; i++) {
            await(a.callReducer("add_person", "P" + i, 20 + i));
        }
        // Every call is in exactly one summary: the sum over the summaries reaches 7 and stays there.
        eventually(() -> statsCalls() == 7, () -> "7 reducer calls in CONNECTION_STATS events, have " + statsCalls());
        int summaries = stats().size();
        eventually(() -> stats().size() > summaries + 1, "two more (idle) summaries");
        assertEquals(7, statsCalls(), "idle periods add zero calls");
        for (SecurityEvent e : stats()) {
            assertEquals(SecurityEventType.CONNECTION_STATS, e.type());
            assertTrue(Long.parseLong(e.details().get(dev.stdb.secure.api.audit.ConnectionStats.PERIOD_MS)) > 0, e.toString());
            assertEquals(sandbox.wsUri().toString(), e.details().get("uri"));
            assertEquals(sandbox.database(), e.details().get("database"));
            assertEquals(a.connectionId().toHex(), e.connection());
        }
    }

    private List<SecurityEvent> stats() {
        return events.stream().filter(e -> e.type() == SecurityEventType.CONNECTION_STATS).toList();
    }

    private long statsCalls() {
        return stats().stream().mapToLong(e -> Long.parseLong(e.details().get(
                dev.stdb.secure.api.audit.ConnectionStats.REDUCER_CALLS))).sum();
    }

    @Test
    void reducerErrorsAreTyped() {
        Connection a = connect(client());
        Throwable failed = failure(a.callReducer("fail", "out of coffee"));
        assertInstanceOf(ReducerFailedException.class, failed);
        assertEquals(new Value.Str("out of coffee"), ((ReducerFailedException) failed).error());
        assertTrue(failed.getMessage().startsWith("[connection.reducer_failed]"), failed.getMessage());

        Throwable panic = failure(a.callReducer("panic"));
        assertEquals(ReasonCode.REDUCER_INTERNAL_ERROR, ((SecureClientException) panic).reason());

        assertThrows(IllegalArgumentException.class, () -> a.callReducer("add_person", "too", "many", "args"));
    }

    @Test
    void oneOffQueriesProceduresAndSubscriptionErrors() {
        Connection a = connect(client());
        await(a.callReducer("add_person", "Ada", 36));
        await(a.callReducer("add_person", "Bob", 41));
        List<Row> rows = await(a.oneOffQuery("SELECT * FROM person WHERE age = 41"));
        assertEquals(List.of("Bob"), rows.stream().map(ConnectionTest::name).toList());
        Throwable badQuery = failure(a.oneOffQuery("SELECT * FROM nowhere"));
        assertEquals(ReasonCode.QUERY_FAILED, ((SecureClientException) badQuery).reason());

        assertEquals(new Value.Str("hello"), await(a.callProcedure("echo", "hello")));

        SubscriptionHandle bad = a.subscribe("SELECT * FROM nowhere");
        Throwable subscriptionError = failure(bad.applied());
        assertEquals(ReasonCode.SUBSCRIPTION_FAILED, ((SecureClientException) subscriptionError).reason());
        assertFalse(bad.isActive());
    }

    @Test
    void unsubscribeDropsTheRowsThatNoOtherSubscriptionHolds() throws Exception {
        Connection a = connect(client());
        await(a.callReducer("add_person", "Ada", 36));
        await(a.callReducer("add_person", "Bob", 41));
        SubscriptionHandle all = a.subscribe("SELECT * FROM person");
        SubscriptionHandle bob = a.subscribe("SELECT * FROM person WHERE age = 41");
        await(all.applied());
        await(bob.applied());
        assertEquals(2, a.table("person").size());
        await(all.unsubscribe());
        assertEquals(List.of("Bob"), a.table("person").rows().stream().map(ConnectionTest::name).toList());
        assertFalse(all.isActive());
        assertTrue(bob.isActive());
    }

    @Test
    void reconnectsAfterADropReplaysSubscriptionsWithoutSpuriousCallbacks() throws Exception {
        Connection a = connect(client());
        List<ConnectionStatus> states = new CopyOnWriteArrayList<>();
        a.addStateListener((target, s) -> states.add(s));
        await(a.callReducer("add_person", "Ada", 36));
        List<String> inserts = new CopyOnWriteArrayList<>();
        List<String> deletes = new CopyOnWriteArrayList<>();
        a.table("person").onInsert(r -> inserts.add(name(r)));
        a.table("person").onDelete(r -> deletes.add(name(r)));
        await(a.subscribe("SELECT * FROM person").applied());
        assertEquals(List.of("Ada"), inserts);
        var identity = a.identity();

        sandbox.faults().dropConnections();
        eventually(() -> states.stream().anyMatch(s -> s.state() == ConnectionState.RECONNECTING),
                () -> "RECONNECTING; states " + states + ", sandbox connections " + sandbox.connectionCount());
        eventually(() -> a.status().state() == ConnectionState.CONNECTED && sandbox.connectionCount() == 1, "reconnect");
        // Bob arrives through another client: the replayed subscription sees him, Ada is not inserted twice.
        Connection other = connect(client());
        await(other.callReducer("add_person", "Bob", 41));
        eventually(() -> inserts.equals(List.of("Ada", "Bob")), "Bob after the reconnect");
        assertEquals(List.of(), deletes);
        assertEquals(identity, a.identity(), "the same identity after reconnecting");
        ConnectionStatus reconnecting = states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING)
                .findFirst().orElseThrow();
        assertEquals(1, reconnecting.attempt());
        assertNotNull(reconnecting.delay());
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.RECONNECTING));
    }

    @Test
    void aReducerInFlightAtADropFailsAsOutcomeUnknownAndLaterCallsWaitForTheReconnect() throws Exception {
        Connection a = connect(client());
        sandbox.faults().delayFrames(Duration.ofMillis(500));
        CompletionStage<ReducerResult> inFlight = a.callReducer("add_person", "Ada", 36);
        Thread.sleep(100);
        sandbox.faults().refuseConnectionsFor(Duration.ofMillis(400));
        sandbox.faults().dropConnections();
        Throwable unknown = failure(inFlight);
        assertEquals(ReasonCode.OUTCOME_UNKNOWN, ((SecureClientException) unknown).reason());

        sandbox.faults().reset();
        CompletionStage<ReducerResult> queued = a.callReducer("add_person", "Bob", 41);
        await(queued);
        List<Row> people = await(a.oneOffQuery("SELECT * FROM person"));
        assertTrue(people.stream().map(ConnectionTest::name).toList().contains("Bob"));
    }

    @Test
    void aMalformedFrameDropsTheSessionAndTheClientReconnects() throws Exception {
        Connection a = connect(client());
        sandbox.faults().sendMalformedFrame();
        eventually(() -> events.stream().anyMatch(e -> e.type() == SecurityEventType.ANOMALY), "the anomaly event");
        eventually(() -> a.status().state() == ConnectionState.CONNECTED && sandbox.connectionCount() == 1, "reconnect");
        await(a.callReducer("add_person", "Ada", 36));
    }

    @Test
    void aChangedIdentityAfterReconnectClosesTheConnection() throws Exception {
        MemoryCredentialStore store = new MemoryCredentialStore();
        Connection a = connect(client().credentialStore(store));
        store.list().forEach(store::delete);      // the next session connects as somebody else
        sandbox.faults().dropConnections();
        eventually(() -> a.status().state() == ConnectionState.CLOSED, () -> "CLOSED, but the status is " + a.status() + "; events " + events.stream().map(e -> e.type() + e.details().toString()).toList());
        assertTrue(a.status().reason().contains("identity"), a.status().reason());
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.IDENTITY_CHANGED));
        Throwable closed = failure(a.callReducer("add_person", "Ada", 36));
        assertEquals(ReasonCode.CLOSED, ((SecureClientException) closed).reason());
        Thread.sleep(300);   // the connection's thread has stopped by now: calls still fail cleanly
        assertEquals(ReasonCode.CLOSED, ((SecureClientException) failure(a.oneOffQuery("SELECT * FROM person"))).reason());
        assertEquals(ReasonCode.CLOSED, ((SecureClientException) failure(a.subscribe("SELECT * FROM person").applied())).reason());
    }

    /** Hands out the sandbox's tokens, as an identity provider would. */
    private static final class SandboxTokens implements AuthProvider {
        private final IssuedToken token;
        int acquired;

        SandboxTokens(IssuedToken token) {
            this.token = token;
        }

        @Override
        public String id() {
            return "sandbox-test";
        }

        @Override
        public CompletionStage<Credential> acquire(AuthContext context) {
            acquired++;
            return CompletableFuture.completedFuture(Credential.builder(Secret.ofString(token.token())).issuer("localhost").build());
        }

        @Override
        public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
            return acquire(context);
        }
    }

    /** Credentials that live 4 s: the refresh margin is capped at three quarters of that, so one is due after 1 s. */
    private static final class ShortLivedTokens implements AuthProvider {
        private final IssuedToken token;
        final java.util.concurrent.atomic.AtomicInteger acquired = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger refreshed = new java.util.concurrent.atomic.AtomicInteger();

        ShortLivedTokens(IssuedToken token) {
            this.token = token;
        }

        private Credential credential() {
            java.time.Instant now = java.time.Instant.now();
            return Credential.builder(Secret.ofString(token.token())).issuer("localhost")
                    .issuedAt(now).expiresAt(now.plusSeconds(4)).build();
        }

        @Override
        public String id() {
            return "short-lived";
        }

        @Override
        public CompletionStage<Credential> acquire(AuthContext context) {
            acquired.incrementAndGet();
            return CompletableFuture.completedFuture(credential());
        }

        @Override
        public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
            refreshed.incrementAndGet();
            return CompletableFuture.completedFuture(credential());
        }
    }

    @Test
    void credentialsAreRefreshedWhenDueWhileTheSessionLasts() throws Exception {
        ShortLivedTokens provider = new ShortLivedTokens(sandbox.issueToken());
        Connection a = connect(client().authProvider(provider));
        eventually(() -> provider.refreshed.get() >= 2, () -> "two refreshes, got " + provider.refreshed.get());
        assertEquals(1, provider.acquired.get(), "refreshed, not acquired again");
        assertEquals(ConnectionState.CONNECTED, a.status().state(), "the live session is untouched");
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.TOKEN_REFRESHED));
    }

    @Test
    void anAuthProvidersTokenDecidesTheIdentity() {
        IssuedToken token = sandbox.issueToken();
        SandboxTokens provider = new SandboxTokens(token);
        Connection a = connect(client().authProvider(provider));
        assertEquals(token.identity(), a.identity());
        assertEquals(1, provider.acquired);
    }

    @Test
    void theTokenExchangeConnectsAsTheSameIdentityWithoutTheLongLivedTokenInTheUrl() {
        IssuedToken token = sandbox.issueToken();
        Connection a = connect(client().authProvider(new SandboxTokens(token)).tokenExchange(true));
        assertEquals(token.identity(), a.identity());
        sandbox.faults().revokeToken(token.token());
        // The exchange needs the long-lived token: once it is revoked, a new connect is refused.
        Throwable refused = failure(client().authProvider(new SandboxTokens(token)).tokenExchange(true).connect());
        assertInstanceOf(AuthenticationException.class, refused);
    }

    @Test
    void aRejectedTokenFailsTheConnectWithAnAuthenticationError() {
        IssuedToken token = sandbox.issueToken();
        sandbox.faults().revokeToken(token.token());
        Throwable rejected = failure(client().authProvider(new SandboxTokens(token)).connect());
        assertInstanceOf(AuthenticationException.class, rejected);
        assertFalse(rejected.getMessage().contains(token.token()), "the message never carries the token");
    }

    @Test
    void anUnknownDatabaseFailsTheConnect() {
        Throwable rejected = failure(client().database("nope").connect());
        assertInstanceOf(ConnectionException.class, rejected);
        assertEquals(ReasonCode.SERVER_REJECTED, ((SecureClientException) rejected).reason());
    }

    @Test
    void speaksV2WhenTheServerOffersOnlyV2() throws Exception {
        try (Sandbox v2 = Sandbox.builder().protocols(Subprotocol.V2_BSATN).start()) {
            Connection a = connect(SpacetimeClient.builder().uri(v2.wsUri()).database(v2.database()));
            await(a.subscribe("SELECT * FROM person").applied());
            await(a.callReducer("add_person", "Ada", 36));
            assertEquals(1, a.table("person").size());
        }
    }
}
