package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.oauth2.internal.Pem;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.sandbox.internal.auth.IdentityDerivation;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.net.URI;
import java.security.PrivateKey;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Each client authentication method gets a token from a real Keycloak, and that token connects the core client to
 * the sandbox, which validates it through Keycloak's discovery and JWKS and derives the identity from iss + sub.
 */
class ClientAuthKeycloakTest {
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

    private static OAuth2Provider.Builder svcSecret() {
        return OAuth2Provider.clientCredentials(Keycloak.SVC_SECRET).id("kc-svc")
                .issuer(URI.create(keycloak.issuer()));
    }

    @Test
    void clientSecretBasic() throws Exception {
        try (Secret secret = Secret.ofString(Keycloak.SVC_SECRET_SECRET);
             OAuth2Provider p = svcSecret().clientSecretBasic(secret).build()) {
            connectsAsServiceAccount(p, Keycloak.SVC_SECRET);
        }
    }

    @Test
    void clientSecretPost() throws Exception {
        try (Secret secret = Secret.ofString(Keycloak.SVC_SECRET_SECRET);
             OAuth2Provider p = svcSecret().clientSecretPost(secret).build()) {
            connectsAsServiceAccount(p, Keycloak.SVC_SECRET);
        }
    }

    @Test
    void privateKeyJwt() throws Exception {
        PrivateKey key = Pem.privateKey(Keycloak.svcJwtKeyPem(), "test key");
        try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_JWT).id("kc-jwt")
                .issuer(URI.create(keycloak.issuer())).privateKeyJwt(key, Keycloak.SVC_JWT_KID).build()) {
            connectsAsServiceAccount(p, Keycloak.SVC_JWT);
        }
    }

    @Test
    void privateKeyJwtSignedByKeyService() throws Exception {
        TestKeyService keys = new TestKeyService("svc", Pem.privateKey(Keycloak.svcJwtKeyPem(), "test key"));
        try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_JWT).id("kc-jwt-ks")
                .issuer(URI.create(keycloak.issuer())).privateKeyJwt(keys, "svc", Keycloak.SVC_JWT_KID, "RS256")
                .build()) {
            connectsAsServiceAccount(p, Keycloak.SVC_JWT);
        }
        assertTrue(keys.signatures.get() >= 1, "the KeyService signed the client assertion");
    }

    /** The core connects with the provider; the sandbox's identity is the one iss + sub of the token give. */
    private static void connectsAsServiceAccount(OAuth2Provider provider, String clientId) throws Exception {
        RecordingEvents events = new RecordingEvents();
        AuthContext ctx = new AuthContext(sandbox.wsUri(), sandbox.database(), new MemoryStore(), null, events);
        Credential c = provider.acquire(ctx).toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertEquals(keycloak.issuer(), c.issuer());
        assertEquals(keycloak.serviceAccountUserId(clientId), c.subject(), "sub is the client's service account");
        assertNotNull(c.expiresAt());
        assertEquals(clientId, c.claims().get("azp"));
        String token = c.token().withChars(String::new);
        assertFalse(c.toString().contains(token));
        assertFalse(provider.toString().contains(Keycloak.SVC_SECRET_SECRET));
        SecurityEvent issued = events.of(SecurityEventType.TOKEN_ISSUED).get(0);
        assertEquals(c.token().fingerprint(), issued.details().get("token"));
        events.assertNoneContains(token);
        events.assertNoneContains(Keycloak.SVC_SECRET_SECRET);

        Identity expected = IdentityDerivation.fromClaims(c.issuer(), c.subject());
        RecordingEvents coreEvents = new RecordingEvents();
        Connection db = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                .authProvider(provider).credentialStore(new MemoryStore()).events(coreEvents)
                .timeout(Duration.ofSeconds(20)).connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
        try {
            assertEquals(expected, db.identity(), "the sandbox derived the identity from Keycloak's iss and sub");
            db.callReducer("add_person", "via " + clientId, 30).toCompletableFuture().get(20, TimeUnit.SECONDS);
        } finally {
            db.close();
        }
        coreEvents.assertNoneContains(token);
    }
}
