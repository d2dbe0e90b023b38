package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Typed errors: wrong secret (real Keycloak), identity provider down or silent, unknown issuer, issuer mismatch.
 */
class FailureKeycloakTest {
    private static final String WRONG = "wrong-secret-that-must-never-be-printed";
    private static Keycloak keycloak;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.shared();
    }

    private static AuthContext context(RecordingEvents events) {
        return new AuthContext(URI.create("ws://127.0.0.1:1"), "db", new MemoryStore(), null, events);
    }

    private static Exception failure(CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(60, TimeUnit.SECONDS));
        return (Exception) e.getCause();
    }

    private static String stackTrace(Throwable t) {
        StringWriter w = new StringWriter();
        t.printStackTrace(new PrintWriter(w));
        return w.toString();
    }

    @Test
    void wrongSecretIsInvalidCredentialsWithoutTheSecret() {
        for (ClientAuth method : new ClientAuth[] {ClientAuth.CLIENT_SECRET_BASIC, ClientAuth.CLIENT_SECRET_POST}) {
            RecordingEvents events = new RecordingEvents();
            try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_SECRET)
                    .issuer(URI.create(keycloak.issuer()))
                    .clientSecret(method, () -> Secret.ofString(WRONG)).build()) {
                Exception e = failure(p.acquire(context(events)));
                OAuth2Exception oauth = assertInstanceOf(OAuth2Exception.class, e, method.value());
                assertEquals(ReasonCode.INVALID_CREDENTIALS, oauth.reason());
                // RFC 6749 says invalid_client; Keycloak 26 answers unauthorized_client. Both mean: wrong secret.
                assertTrue(java.util.Set.of("invalid_client", "unauthorized_client").contains(oauth.error()),
                        oauth.error());
                assertEquals(401, oauth.httpStatus());
                assertFalse(stackTrace(oauth).contains(WRONG));
                SecurityEvent failure = events.of(SecurityEventType.AUTH_FAILURE).get(0);
                assertEquals(oauth.error(), failure.details().get("error"), "the IdP's error code");
                assertEquals(ReasonCode.INVALID_CREDENTIALS.code(), failure.details().get("reason"));
                events.assertNoneContains(WRONG);
            }
        }
    }

    @Test
    void identityProviderDownIsUnreachableWithinTheTimeout() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        RecordingEvents events = new RecordingEvents();
        long t0 = System.nanoTime();
        try (OAuth2Provider byEndpoint = OAuth2Provider.clientCredentials("svc")
                .tokenEndpoint(URI.create("http://127.0.0.1:" + closed + "/token"))
                .clientSecretBasic(Secret.ofString(WRONG)).connectTimeout(Duration.ofSeconds(3)).build();
             OAuth2Provider byIssuer = OAuth2Provider.clientCredentials("svc")
                .issuer(URI.create("http://127.0.0.1:" + closed + "/realms/stdb"))
                .clientSecretBasic(Secret.ofString(WRONG)).connectTimeout(Duration.ofSeconds(3)).build()) {
            for (OAuth2Provider p : new OAuth2Provider[] {byEndpoint, byIssuer}) {
                OAuth2Exception e = assertInstanceOf(OAuth2Exception.class, failure(p.acquire(context(events))));
                assertEquals(ReasonCode.IDP_UNREACHABLE, e.reason());
                assertTrue(e.getMessage().contains("connection refused"), e.getMessage());
            }
        }
        assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(10)) < 0);
        assertEquals(2, events.of(SecurityEventType.AUTH_FAILURE).size());
        events.assertNoneContains(WRONG);
    }

    @Test
    void identityProviderThatNeverAnswersTimesOut() throws Exception {
        // The kernel completes the TCP handshake into the backlog; nothing ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             OAuth2Provider p = OAuth2Provider.clientCredentials("svc")
                     .tokenEndpoint(URI.create("http://127.0.0.1:" + silent.getLocalPort() + "/token"))
                     .clientSecretBasic(Secret.ofString(WRONG)).readTimeout(Duration.ofSeconds(1)).build()) {
            long t0 = System.nanoTime();
            OAuth2Exception e = assertInstanceOf(OAuth2Exception.class,
                    failure(p.acquire(context(new RecordingEvents()))));
            assertEquals(ReasonCode.IDP_UNREACHABLE, e.reason());
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(10)) < 0);
        }
    }

    @Test
    void unknownIssuerIsAConfigurationError() {
        try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_SECRET)
                .issuer(URI.create(keycloak.baseUri() + "/realms/no-such-realm"))
                .clientSecretBasic(Secret.ofString(Keycloak.SVC_SECRET_SECRET)).build()) {
            Exception e = failure(p.acquire(context(new RecordingEvents())));
            assertInstanceOf(ConfigurationException.class, e);
            assertTrue(e.getMessage().contains("HTTP 404"), e.getMessage());
        }
    }

    @Test
    void discoveryDocumentForAnotherIssuerIsRefused() throws Exception {
        // Through the proxy Keycloak announces its own address as issuer, not the proxy's: a mismatch.
        try (CountingProxy proxy = new CountingProxy(keycloak.baseUri());
             OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_SECRET)
                     .issuer(URI.create(proxy.uri() + "/realms/stdb"))
                     .clientSecretBasic(Secret.ofString(Keycloak.SVC_SECRET_SECRET)).build()) {
            Exception e = failure(p.acquire(context(new RecordingEvents())));
            assertInstanceOf(ConfigurationException.class, e);
            assertTrue(e.getMessage().contains("names issuer '" + keycloak.issuer() + "'"), e.getMessage());
        }
    }
}
