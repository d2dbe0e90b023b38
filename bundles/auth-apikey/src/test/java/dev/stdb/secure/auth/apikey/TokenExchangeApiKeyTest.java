package dev.stdb.secure.auth.apikey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.stores.InMemoryCredentialStore;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 8693 token exchange against Keycloak's standard token exchange: the API key is a token another client of the
 * realm was issued for this exchanger (its audience); the exchanger trades it for its own token.
 */
class TokenExchangeApiKeyTest {

    private static final String KEY = "stdb/api-key";
    private static Keycloak keycloak;

    private String exchanger;
    private String exchangerSecret;
    private String keyIssuer;
    private String keyIssuerSecret;
    private Sandbox sandbox;
    private ApiKeyProvider provider;
    private final InMemoryCredentialStore store = new InMemoryCredentialStore("test-memory");

    @BeforeAll
    static void idp() {
        keycloak = Keycloak.shared();
    }

    @BeforeEach
    void clients() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        exchanger = "exchanger-" + suffix;
        exchangerSecret = "exch-" + UUID.randomUUID();
        keyIssuer = "key-issuer-" + suffix;
        keyIssuerSecret = "issuer-" + UUID.randomUUID();
        created(keycloak.admin("POST", "/clients", "{\"clientId\":\"" + exchanger + "\",\"enabled\":true,"
                + "\"publicClient\":false,\"secret\":\"" + exchangerSecret + "\",\"serviceAccountsEnabled\":true,"
                + "\"standardFlowEnabled\":false,\"attributes\":{\"standard.token.exchange.enabled\":\"true\"}}"));
        created(keycloak.admin("POST", "/clients", "{\"clientId\":\"" + keyIssuer + "\",\"enabled\":true,"
                + "\"publicClient\":false,\"secret\":\"" + keyIssuerSecret + "\",\"serviceAccountsEnabled\":true,"
                + "\"standardFlowEnabled\":false,\"protocolMappers\":[{\"name\":\"exchanger-audience\","
                + "\"protocol\":\"openid-connect\",\"protocolMapper\":\"oidc-audience-mapper\",\"config\":{"
                + "\"included.client.audience\":\"" + exchanger + "\",\"access.token.claim\":\"true\","
                + "\"id.token.claim\":\"false\"}}]}"));
        sandbox = Sandbox.builder().start();
        provider = ApiKeyProvider.builder("exchanged-key", KEY)
                .tokenExchange(keycloak.tokenEndpoint(), exchanger, () -> Secret.ofString(exchangerSecret))
                .timeout(Duration.ofSeconds(20)).build();
    }

    private static void created(Keycloak.Response r) {
        assertEquals(201, r.status(), r.body());
    }

    @AfterEach
    void stop() {
        provider.close();
        sandbox.close();
        keycloak.admin("DELETE", "/clients/" + keycloak.clientUuid(exchanger), null);
        keycloak.admin("DELETE", "/clients/" + keycloak.clientUuid(keyIssuer), null);
    }

    private String issuedKey() {
        Keycloak.Response r = keycloak.postForm(keycloak.tokenEndpoint(), Map.of("grant_type", "client_credentials"),
                keyIssuer, keyIssuerSecret);
        assertEquals(200, r.status(), r.body());
        return (String) r.json().get("access_token");
    }

    @Test
    void theKeyIsExchangedForTheExchangersTokenAndConnects() throws Exception {
        String key = issuedKey();
        store.write(KEY, Secret.ofString(key));
        Credential token = provider.acquire(new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, e -> { }))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(keycloak.issuer(), token.issuer());
        // the exchanged token speaks for the key's subject, and is a new token
        assertEquals(keycloak.serviceAccountUserId(keyIssuer), token.subject());
        assertNotEquals(key, token.token().withChars(String::new));
        try (Connection c = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                .authProvider(provider).credentialStore(store).timeout(Duration.ofSeconds(20)).connect()
                .toCompletableFuture().get(40, TimeUnit.SECONDS)) {
            assertTrue(c.identity() != null);
        }
    }

    @Test
    void aKeyNotMeantForTheExchangerIsRefused() throws Exception {
        // a token of the exchanger's own service account is not an audience-bound key from another client
        Keycloak.Response r = keycloak.postForm(keycloak.tokenEndpoint(), Map.of("grant_type", "client_credentials"),
                "svc-secret", Keycloak.SVC_SECRET_SECRET);
        assertEquals(200, r.status(), r.body());
        String foreign = (String) r.json().get("access_token");
        store.write(KEY, Secret.ofString(foreign));
        ExecutionException e = assertThrows(ExecutionException.class, () -> provider.acquire(
                new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, ev -> { }))
                .toCompletableFuture().get(30, TimeUnit.SECONDS));
        AuthenticationException failure = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertTrue(failure.reason() == ReasonCode.INVALID_CREDENTIALS || failure.reason() == ReasonCode.TOKEN_INVALID,
                failure.toString());
        assertFalse(failure.getMessage().contains(foreign), failure.getMessage());
        assertFalse(failure.getMessage().contains(exchangerSecret), failure.getMessage());
    }
}
