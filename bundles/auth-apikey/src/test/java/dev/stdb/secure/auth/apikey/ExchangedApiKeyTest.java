package dev.stdb.secure.auth.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.stores.InMemoryCredentialStore;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Client-credentials exchange against a real Keycloak: the API key is a confidential client's secret; the JWT it
 * buys connects the core client to the sandbox, which validates it through Keycloak's discovery and JWKS.
 */
class ExchangedApiKeyTest {

    private static final String KEY = "stdb/api-key";
    private static Keycloak keycloak;

    private String clientId;
    private String secret;
    private Sandbox sandbox;
    private ApiKeyProvider provider;
    private final InMemoryCredentialStore store = new InMemoryCredentialStore("test-memory");
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void idp() {
        keycloak = Keycloak.shared();
    }

    @BeforeEach
    void client() throws Exception {
        clientId = "svc-apikey-" + UUID.randomUUID().toString().substring(0, 8);
        secret = "apikey-" + UUID.randomUUID();
        Keycloak.Response r = keycloak.admin("POST", "/clients", "{\"clientId\":\"" + clientId + "\",\"enabled\":true,"
                + "\"protocol\":\"openid-connect\",\"publicClient\":false,\"clientAuthenticatorType\":\"client-secret\","
                + "\"secret\":\"" + secret + "\",\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":false,"
                + "\"directAccessGrantsEnabled\":false}");
        assertEquals(201, r.status(), r.body());
        sandbox = Sandbox.builder().start();
        provider = ApiKeyProvider.builder("svc-apikey", KEY).clientCredentials(keycloak.tokenEndpoint(), clientId)
                .timeout(Duration.ofSeconds(20)).build();
    }

    @AfterEach
    void stop() {
        provider.close();
        sandbox.close();
        keycloak.admin("DELETE", "/clients/" + keycloak.clientUuid(clientId), null);
    }

    private Credential acquire() throws Exception {
        return provider.acquire(new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, events::add))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private Connection connect() throws Exception {
        return SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).authProvider(provider)
                .credentialStore(store).events(events::add).timeout(Duration.ofSeconds(20)).connect()
                .toCompletableFuture().get(40, TimeUnit.SECONDS);
    }

    @Test
    void theKeyBuysAKeycloakTokenThatConnectsAsTheServiceAccount() throws Exception {
        store.write(KEY, Secret.ofString(secret));
        Credential token = acquire();
        assertEquals(keycloak.issuer(), token.issuer());
        assertEquals(keycloak.serviceAccountUserId(clientId), token.subject());
        assertTrue(token.expiresAt() != null);
        try (Connection first = connect(); Connection second = connect()) {
            // the sandbox derives the identity from iss + sub: the same service account, the same identity
            assertEquals(first.identity(), second.identity());
        }
        assertNoSecretIn(secret);
    }

    @Test
    void clientSecretBasicRemainsAvailableForIdpsThatNeedIt() throws Exception {
        store.write(KEY, Secret.ofString(secret));
        try (ApiKeyProvider basic = ApiKeyProvider.builder("svc-apikey-basic", KEY)
                .clientCredentials(keycloak.tokenEndpoint(), clientId)
                .clientAuth(ApiKeyProvider.ClientAuth.CLIENT_SECRET_BASIC).timeout(Duration.ofSeconds(20)).build()) {
            Credential token = basic.acquire(new AuthContext(sandbox.wsUri(), sandbox.database(), store, null,
                    events::add)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals(keycloak.serviceAccountUserId(clientId), token.subject());
        }
        assertNoSecretIn(secret);
    }

    @Test
    void aClosedProviderRequestsNoMoreTokens() throws Exception {
        store.write(KEY, Secret.ofString(secret));
        ApiKeyProvider closed = ApiKeyProvider.builder("svc-apikey-closed", KEY)
                .clientCredentials(keycloak.tokenEndpoint(), clientId).executor(Runnable::run).build();
        closed.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> closed.acquire(new AuthContext(
                sandbox.wsUri(), sandbox.database(), store, null, events::add)).toCompletableFuture()
                .get(30, TimeUnit.SECONDS));
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertTrue(failure.getMessage().contains("closed"), failure.getMessage());
    }

    @Test
    void aRotationFinishesWhenTheNewKeyIsAccepted() throws Exception {
        String newSecret = "apikey-" + UUID.randomUUID();
        keycloak.setClientSecret(clientId, newSecret);
        store.write(KEY, Secret.ofString(secret));
        store.write(KEY + ApiKeyProvider.NEXT_SUFFIX, Secret.ofString(newSecret));
        Credential token = acquire();
        assertEquals(keycloak.serviceAccountUserId(clientId), token.subject());
        assertEquals(newSecret, store.text(KEY));
        assertNull(store.text(KEY + ApiKeyProvider.NEXT_SUFFIX));
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.CREDENTIAL_WRITTEN), events.toString());
        assertNoSecretIn(secret);
        assertNoSecretIn(newSecret);
    }

    @Test
    void aRefusedNewKeyLeavesTheOldOneInUseAndBothKept() throws Exception {
        String wrong = "apikey-not-registered-" + UUID.randomUUID();
        store.write(KEY, Secret.ofString(secret));
        store.write(KEY + ApiKeyProvider.NEXT_SUFFIX, Secret.ofString(wrong));
        Credential token = acquire();
        assertEquals(keycloak.serviceAccountUserId(clientId), token.subject());
        assertEquals(secret, store.text(KEY));
        assertEquals(wrong, store.text(KEY + ApiKeyProvider.NEXT_SUFFIX));
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.AUTH_FAILURE
                && e.outcome() == Outcome.WARNING), events.toString());
        assertNoSecretIn(secret);
        assertNoSecretIn(wrong);
    }

    @Test
    void aWrongKeyIsInvalidCredentialsNamingTheIdpsAnswer() throws Exception {
        String wrong = "apikey-wrong-" + UUID.randomUUID();
        store.write(KEY, Secret.ofString(wrong));
        ExecutionException e = assertThrows(ExecutionException.class, this::acquire);
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertEquals(ReasonCode.INVALID_CREDENTIALS, failure.reason());
        assertTrue(failure.getMessage().contains("unauthorized_client") || failure.getMessage().contains("invalid_client"),
                failure.getMessage());
        assertFalse(failure.getMessage().contains(wrong), failure.getMessage());
        assertTrue(events.stream().anyMatch(ev -> ev.type() == SecurityEventType.AUTH_FAILURE), events.toString());
        assertNoSecretIn(wrong);
    }

    private void assertNoSecretIn(String value) {
        for (SecurityEvent e : events) {
            assertFalse(e.toString().contains(value), e.toString());
            e.details().values().forEach(v -> assertNotEquals(true, v.contains(value), v));
        }
    }
}
