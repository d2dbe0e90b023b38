package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Refresh tokens against a real Keycloak whose realm rotates them ({@code revokeRefreshToken}, no reuse), with the
 * svc-refresh client (refresh tokens for client credentials, 40 s access tokens).
 */
class RefreshKeycloakTest {
    private static Keycloak keycloak;
    private static Sandbox sandbox;

    @BeforeAll
    static void start() throws Exception {
        keycloak = Keycloak.shared();
        sandbox = Sandbox.builder().start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static OAuth2Provider.Builder svcRefresh() {
        return OAuth2Provider.clientCredentials(Keycloak.SVC_REFRESH).id("kc-refresh")
                .issuer(URI.create(keycloak.issuer())).clientSecretBasic(Secret.ofString(Keycloak.SVC_REFRESH_SECRET));
    }

    private static AuthContext context(MemoryStore store, RecordingEvents events) {
        return new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, events);
    }

    private static <T> T get(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Exception failure(java.util.concurrent.CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
        return (Exception) e.getCause();
    }

    @Test
    void rotatedRefreshTokenIsStoredAndTheOldOneIsRefused() throws Exception {
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = svcRefresh().build()) {
            AuthContext ctx = context(store, events);
            Credential first = get(p.acquire(ctx));
            String rt1 = store.text(p.storeKey());
            assertNotNull(rt1, "acquire stored the refresh token");
            assertTrue(first.refreshToken().get().contentEquals(Secret.ofString(rt1)));

            Credential second = get(p.refresh(first, ctx));
            String rt2 = store.text(p.storeKey());
            assertNotEquals(rt1, rt2, "the rotated refresh token replaced the old one in the store");
            assertTrue(second.refreshToken().get().contentEquals(Secret.ofString(rt2)));
            assertFalse(second.token().contentEquals(first.token()));
            assertEquals(1, events.of(SecurityEventType.TOKEN_REFRESHED).size());

            Keycloak.Response reuse = keycloak.refreshGrant(rt1, Keycloak.SVC_REFRESH, Keycloak.SVC_REFRESH_SECRET);
            assertEquals(400, reuse.status(), reuse.body());
            assertEquals("invalid_grant", reuse.json().get("error"), "Keycloak refuses the rotated-out token");
            System.out.println("after a reuse of the rotated-out token, the current one answers HTTP "
                    + keycloak.refreshGrant(rt2, Keycloak.SVC_REFRESH, Keycloak.SVC_REFRESH_SECRET).status());
            events.assertNoneContains(rt1);
            events.assertNoneContains(rt2);
        }
    }

    @Test
    void aNewerTokenInTheStoreIsUsedFirst() throws Exception {
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = svcRefresh().build()) {
            AuthContext ctx = context(store, events);
            Credential mine = get(p.acquire(ctx));
            // "another process" sharing the store refreshes first and stores the rotated token
            Keycloak.Response other = keycloak.refreshGrant(store.text(p.storeKey()), Keycloak.SVC_REFRESH,
                    Keycloak.SVC_REFRESH_SECRET);
            assertEquals(200, other.status(), other.body());
            String theirs = (String) other.json().get("refresh_token");
            store.write(p.storeKey(), Secret.ofString(theirs));

            Credential fresh = get(p.refresh(mine, ctx));
            assertNotNull(fresh.token());
            String stored = store.text(p.storeKey());
            assertNotEquals(theirs, stored, "the refresh with the stored token rotated it again");
            assertTrue(fresh.refreshToken().get().contentEquals(Secret.ofString(stored)));
            assertEquals(0, events.of(SecurityEventType.AUTH_FAILURE).size(), "the stale token was never presented");
        }
    }

    @Test
    void endedSessionAsksToSignInAgain() throws Exception {
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = svcRefresh().build()) {
            AuthContext ctx = context(store, events);
            Credential c = get(p.acquire(ctx));
            keycloak.logoutUser(keycloak.serviceAccountUserId(Keycloak.SVC_REFRESH));

            Exception e = failure(p.refresh(c, ctx));
            OAuth2Exception oauth = assertInstanceOf(OAuth2Exception.class, e);
            assertEquals(ReasonCode.RELOGIN_REQUIRED, oauth.reason());
            assertEquals("invalid_grant", oauth.error());
            assertTrue(oauth.getMessage().contains("sign in again"), oauth.getMessage());
            assertEquals(2, events.of(SecurityEventType.CREDENTIAL_READ).size(),
                    "the store was read before the refresh and re-read after invalid_grant");
            SecurityEvent failure = events.of(SecurityEventType.AUTH_FAILURE).get(0);
            assertEquals("invalid_grant", failure.details().get("error"));
            assertEquals(ReasonCode.RELOGIN_REQUIRED.code(), failure.details().get("reason"));
            events.assertNoneContains(c.refreshToken().get().withChars(String::new));
        }
    }

    @Test
    void reacquireOnInvalidGrantFallsBackToClientCredentials() throws Exception {
        MemoryStore store = new MemoryStore();
        try (OAuth2Provider p = svcRefresh().reacquireOnInvalidGrant(true).build()) {
            AuthContext ctx = context(store, new RecordingEvents());
            Credential c = get(p.acquire(ctx));
            keycloak.logoutUser(keycloak.serviceAccountUserId(Keycloak.SVC_REFRESH));
            Credential fresh = get(p.refresh(c, ctx));
            assertFalse(fresh.token().contentEquals(c.token()));
        }
    }

    @Test
    void revokeEndsTheTokens() throws Exception {
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = svcRefresh().build()) {
            AuthContext ctx = context(store, events);
            Credential c = get(p.acquire(ctx));
            String access = c.token().withChars(String::new);
            String refresh = c.refreshToken().get().withChars(String::new);
            // the realm puts each service client in its own tokens' audience: Keycloak 26.7 introspects only then
            Map<String, Object> before = keycloak.introspect(access, Keycloak.SVC_REFRESH, Keycloak.SVC_REFRESH_SECRET);
            assertEquals(Boolean.TRUE, before.get("active"), String.valueOf(before));

            get(p.revoke(c));

            assertEquals(Boolean.FALSE, keycloak.introspect(access, Keycloak.SVC_REFRESH,
                    Keycloak.SVC_REFRESH_SECRET).get("active"), "the access token is no longer active");
            Keycloak.Response r = keycloak.refreshGrant(refresh, Keycloak.SVC_REFRESH, Keycloak.SVC_REFRESH_SECRET);
            assertEquals(400, r.status(), r.body());
            assertEquals(1, events.of(SecurityEventType.TOKEN_REVOKED).size());
            assertEquals(null, store.text(p.storeKey()), "the revoked refresh token left the store");
            events.assertNoneContains(access);
            events.assertNoneContains(refresh);
        }
    }

    @Test
    void aThousandConcurrentRefreshesSendOneTokenRequest() throws Exception {
        try (CountingProxy proxy = new CountingProxy(keycloak.baseUri());
             OAuth2Provider p = svcRefresh()
                     .tokenEndpoint(URI.create(proxy.uri() + "/realms/stdb/protocol/openid-connect/token")).build()) {
            String tokenPath = "/realms/stdb/protocol/openid-connect/token";
            AuthContext ctx = context(new MemoryStore(), new RecordingEvents());
            Credential c = get(p.acquire(ctx));
            assertEquals(1, proxy.count(tokenPath));

            proxy.close(true); // hold token requests until every caller has asked
            CountDownLatch go = new CountDownLatch(1);
            List<CompletableFuture<Credential>> results = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> threads = new ArrayList<>();
            int callers = 1_000;
            for (int i = 0; i < callers; i++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        results.add(p.refresh(c, ctx).toCompletableFuture());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                t.start();
                threads.add(t);
            }
            go.countDown();
            for (Thread t : threads) {
                t.join(30_000);
            }
            assertEquals(callers, results.size(), "every caller got its stage at once, without blocking");
            proxy.open();
            Credential first = results.get(0).get(60, TimeUnit.SECONDS);
            for (CompletableFuture<Credential> f : results) {
                assertSame(first, f.get(60, TimeUnit.SECONDS), "all callers share one refresh");
            }
            assertEquals(2, proxy.count(tokenPath), "one acquire and one refresh reached Keycloak");
            assertEquals(2, p.tokenRequests());
        }
    }

    /**
     * A subscription held for 35 s with reducer calls in a loop while the core refreshes the 40 s tokens (due
     * 30 s before expiry, so every ~10 s): no call fails and the provider refreshed more than once.
     */
    @Test
    void refreshesDuringALiveSubscriptionLoseNothing() throws Exception {
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = svcRefresh().events(events).build()) {
            Connection db = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                    .authProvider(p).credentialStore(new MemoryStore()).events(events)
                    .timeout(Duration.ofSeconds(20)).connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try {
                AtomicInteger inserts = new AtomicInteger();
                db.table("person").onInsert(row -> inserts.incrementAndGet());
                db.subscribe("SELECT * FROM person").applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
                int before = inserts.get();
                long end = System.nanoTime() + Duration.ofSeconds(35).toNanos();
                int calls = 0;
                int failures = 0;
                while (System.nanoTime() < end) {
                    try {
                        db.callReducer("add_person", "refresh-" + calls, 40).toCompletableFuture()
                                .get(20, TimeUnit.SECONDS);
                    } catch (ExecutionException e) {
                        failures++;
                    }
                    calls++;
                    Thread.sleep(250); // pacing of the load, not a wait for a condition
                }
                assertEquals(0, failures, "reducer calls failed during token refreshes");
                long refreshed = events.of(SecurityEventType.TOKEN_REFRESHED).stream()
                        .filter(e -> OAuth2Provider.SOURCE.equals(e.source())).count();
                assertTrue(refreshed >= 2, "the provider refreshed during the subscription: " + refreshed);
                int expected = before + calls;
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (inserts.get() < expected && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                assertEquals(expected, inserts.get(), "every insert reached the subscription");
            } finally {
                db.close();
            }
        }
    }
}
