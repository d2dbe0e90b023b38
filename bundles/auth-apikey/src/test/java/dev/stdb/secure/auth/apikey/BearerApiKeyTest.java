package dev.stdb.secure.auth.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.IssuedToken;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.testing.stores.InMemoryCredentialStore;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bearer mode against the sandbox: a long-lived SpacetimeDB token is the API key, read from the store. */
class BearerApiKeyTest {

    private static final String KEY = "stdb/api-key";

    private Sandbox sandbox;
    private Connection connection;
    private ApiKeyProvider provider;
    private final InMemoryCredentialStore store = new InMemoryCredentialStore("test-memory");
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        sandbox = Sandbox.builder().start();
    }

    @AfterEach
    void stop() {
        if (connection != null) {
            connection.close();
        }
        if (provider != null) {
            provider.close();
        }
        sandbox.close();
    }

    private Connection connect() throws Exception {
        return SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).authProvider(provider)
                .credentialStore(store).events(events::add).timeout(Duration.ofSeconds(10)).connect()
                .toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void theStoredKeyConnectsAsItsIdentity() throws Exception {
        IssuedToken key = sandbox.issueToken();
        store.write(KEY, Secret.ofString(key.token()));
        provider = ApiKeyProvider.builder("svc-key", KEY).build();
        connection = connect();
        assertEquals(key.identity(), connection.identity());
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.TOKEN_ISSUED
                && KEY.equals(e.details().get("key"))), events.toString());
        assertNoKeyIn(key.token());
    }

    @Test
    void duringARotationTheNewKeyIsSentAndBothStay() throws Exception {
        IssuedToken old = sandbox.issueToken();
        IssuedToken next = sandbox.issueToken();
        store.write(KEY, Secret.ofString(old.token()));
        store.write(KEY + ApiKeyProvider.NEXT_SUFFIX, Secret.ofString(next.token()));
        provider = ApiKeyProvider.builder("svc-key", KEY).build();
        connection = connect();
        assertEquals(next.identity(), connection.identity());
        assertEquals(old.token(), store.text(KEY));
        assertEquals(next.token(), store.text(KEY + ApiKeyProvider.NEXT_SUFFIX));
        assertNoKeyIn(old.token());
        assertNoKeyIn(next.token());
    }

    @Test
    void aJwtShapedKeyTellsItsIssuerAndSubject() throws Exception {
        IssuedToken key = sandbox.issueToken();
        store.write(KEY, Secret.ofString(key.token()));
        provider = ApiKeyProvider.builder("svc-key", KEY).build();
        Credential c = provider.acquire(new AuthContext(sandbox.wsUri(), sandbox.database(), store, null,
                events::add)).toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertEquals(sandbox.issuer(), c.issuer());
        assertFalse(c.subject() == null || c.subject().isEmpty());
        assertFalse(c.toString().contains(key.token()), c.toString());
    }

    @Test
    void noKeyInTheStoreIsATypedErrorBeforeAnyConnection() {
        provider = ApiKeyProvider.builder("svc-key", KEY).build();
        ExecutionException e = assertThrows(ExecutionException.class, () -> SpacetimeClient.builder()
                .uri(sandbox.wsUri()).database(sandbox.database()).authProvider(provider).credentialStore(store)
                .events(events::add).reconnect(new ReconnectPolicy(false, Duration.ofMillis(10),
                        Duration.ofMillis(10), 0))
                .connect().toCompletableFuture().get(20, TimeUnit.SECONDS));
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertEquals(ReasonCode.INVALID_CREDENTIALS, failure.reason());
        assertTrue(failure.getMessage().contains("'" + KEY + "'") && failure.getMessage().contains("test-memory"),
                failure.getMessage());
        assertTrue(events.stream().anyMatch(ev -> ev.type() == SecurityEventType.AUTH_FAILURE), events.toString());
        assertEquals(0, sandbox.connectionCount());
    }

    @Test
    void withoutAStoreTheProviderSaysWhereTheKeyShouldBe() {
        provider = ApiKeyProvider.builder("svc-key", KEY).build();
        ExecutionException e = assertThrows(ExecutionException.class, () -> provider.acquire(
                new AuthContext(sandbox.wsUri(), sandbox.database(), null, null, events::add))
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertTrue(failure.getMessage().contains("no credential store"), failure.getMessage());
    }

    @Test
    void anUnreachableTokenEndpointIsIdpUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        store.write(KEY, Secret.ofString("marker-key-0123456789"));
        provider = ApiKeyProvider.builder("svc-key", KEY)
                .clientCredentials(URI.create("http://127.0.0.1:" + closedPort + "/token"), "svc")
                .timeout(Duration.ofSeconds(2)).build();
        ExecutionException e = assertThrows(ExecutionException.class, () -> provider.acquire(
                new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, events::add))
                .toCompletableFuture().get(10, TimeUnit.SECONDS));
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertEquals(ReasonCode.IDP_UNREACHABLE, failure.reason());
        assertTrue(failure.getMessage().contains(":" + closedPort + "/token"), failure.getMessage());
        assertNoKeyIn("marker-key-0123456789");
        assertFalse(failure.getMessage().contains("marker-key"), failure.getMessage());
    }

    private void assertNoKeyIn(String key) {
        for (SecurityEvent e : events) {
            assertFalse(e.toString().contains(key), e.toString());
            e.details().values().forEach(v -> assertFalse(v.contains(key), v));
        }
        assertFalse(String.valueOf(provider).contains(key));
    }
}
