package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.keycloak.MtlsPki;
import dev.stdb.secure.tls.TlsPolicy;
import dev.stdb.secure.tls.TlsProfile;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.sandbox.internal.auth.IdentityDerivation;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RFC 8705 tls_client_auth against a real Keycloak over HTTPS: client {@value Keycloak#SVC_MTLS} is authenticated by
 * the subject of its certificate ({@code client-x509}), which the TLS bundle's profile presents; its access tokens
 * are bound to that certificate ({@code cnf.x5t#S256}).
 */
class TlsClientAuthKeycloakTest {
    private static Keycloak keycloak;
    private static MtlsPki pki;

    @BeforeAll
    static void start() {
        keycloak = Keycloak.shared();
        pki = Keycloak.pki();
    }

    /** A TLS profile trusting only the test CA, presenting the certificate in {@code pkcs12} (none when null). */
    private static TlsProfile profile(Path pkcs12) {
        TlsProfile.Builder b = TlsProfile.builder("idp-mtls").trustSystem(false).trustPem(pki.caPem());
        if (pkcs12 != null) {
            b.clientPkcs12(pkcs12, pki.password());
        }
        return b.build();
    }

    private static OAuth2Provider.Builder mtls() {
        return OAuth2Provider.clientCredentials(Keycloak.SVC_MTLS).id("kc-mtls")
                .issuer(URI.create(keycloak.httpsIssuer()));
    }

    private static AuthContext context(RecordingEvents events) {
        return new AuthContext(URI.create("wss://127.0.0.1:1"), "db", new MemoryStore(), null, events);
    }

    @Test
    void theClientCertificateGetsATokenBoundToIt() throws Exception {
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = mtls().tlsClientAuth(profile(pki.clientPkcs12())).build()) {
            Credential c = p.acquire(context(events)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(keycloak.httpsIssuer(), c.issuer());
            assertEquals(keycloak.serviceAccountUserId(Keycloak.SVC_MTLS), c.subject());
            assertEquals(Keycloak.SVC_MTLS, c.claims().get("azp"));
            Map<?, ?> cnf = (Map<?, ?>) c.claims().get("cnf");
            assertEquals(MtlsPki.x5tS256(pki.client()), cnf.get("x5t#S256"),
                    "the access token is bound to the certificate presented (RFC 8705 3.1)");
            assertTrue(p.toString().contains("auth=tls_client_auth"), p.toString());
            assertEquals(1, events.of(SecurityEventType.TOKEN_ISSUED).size());
            String token = c.token().withChars(String::new);
            events.assertNoneContains(token);

            // Revocation authenticates the same way, over the same TLS.
            p.revoke(c).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(1, events.of(SecurityEventType.TOKEN_REVOKED).size());
        }
    }

    /**
     * End to end: the core connects to the sandbox with the provider; the sandbox validates the certificate-bound
     * token through Keycloak's HTTPS discovery and JWKS (trusting the test CA) and derives the identity from iss + sub.
     */
    @Test
    void theCoreConnectsToTheSandboxWithTheToken() throws Exception {
        SSLContext trustTestCa = profile(null).contextFor(URI.create(keycloak.httpsIssuer())).sslContext();
        try (Sandbox sandbox = Sandbox.builder().oidcTrust(trustTestCa).start();
             OAuth2Provider p = mtls().tlsClientAuth(profile(pki.clientPkcs12())).build()) {
            Identity expected = IdentityDerivation.fromClaims(keycloak.httpsIssuer(),
                    keycloak.serviceAccountUserId(Keycloak.SVC_MTLS));
            RecordingEvents coreEvents = new RecordingEvents();
            Connection db = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                    .authProvider(p).credentialStore(new MemoryStore()).events(coreEvents)
                    .timeout(Duration.ofSeconds(20)).connect().toCompletableFuture().get(60, TimeUnit.SECONDS);
            try {
                assertEquals(expected, db.identity(), "the sandbox derived the identity from the https iss and sub");
                db.callReducer("add_person", "via tls_client_auth", 31).toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
            } finally {
                db.close();
            }
            assertEquals(1, p.tokenRequests());
        }
    }

    @Test
    void aCertificateWithAnotherSubjectIsRefused() {
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = mtls().tlsClientAuth(profile(pki.otherPkcs12())).build()) {
            OAuth2Exception e = refused(p, events);
            assertEquals(ReasonCode.INVALID_CREDENTIALS, e.reason());
            assertEquals("invalid_client", e.error());
            assertTrue(e.getMessage().contains("tls_client_auth"), e.getMessage());
            SecurityEvent failure = events.of(SecurityEventType.AUTH_FAILURE).get(0);
            assertEquals("invalid_client", failure.details().get("error"));
            assertEquals(ReasonCode.INVALID_CREDENTIALS.code(), failure.details().get("reason"));
        }
    }

    @Test
    void noCertificateIsRefused() {
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = mtls().tlsClientAuth(profile(null)).build()) {
            OAuth2Exception e = refused(p, events);
            assertEquals(ReasonCode.INVALID_CREDENTIALS, e.reason());
            assertEquals("invalid_client", e.error());
            assertEquals(1, events.of(SecurityEventType.AUTH_FAILURE).size());
        }
    }

    /**
     * Keycloak refuses a certificate of a CA it does not trust in the handshake. Under TLS 1.2 the client learns it
     * from the alert before its handshake completes (unless the server's close overtakes the client's last writes:
     * then only the hint of a refused certificate is possible); under TLS 1.3 the server's check comes after the client's
     * handshake, and the client only sees the connection closed. So the profile allows TLS 1.2 only, which also shows
     * that the profile's parameters reach the connections (with TLS 1.3 offered the reason would differ).
     */
    @Test
    void aCertificateOfAnUntrustedCaFailsTheHandshake() throws Exception {
        RecordingEvents events = new RecordingEvents();
        TlsProfile tls12 = TlsProfile.builder("idp-mtls-tls12").trustSystem(false).trustPem(pki.caPem())
                .clientPkcs12(pki.strangerPkcs12(), pki.password())
                .policy(new TlsPolicy(List.of("TLSv1.2"), List.of())).build();
        try (OAuth2Provider p = mtls().tlsClientAuth(tls12).build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.acquire(context(events)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            SecureClientException cause = assertInstanceOf(SecureClientException.class, e.getCause());
            if (cause.reason() == ReasonCode.IDP_UNREACHABLE) {
                // The server's alert and close can overtake the rest of the client's TLS 1.2 flight: the client then
                // fails writing into a closed socket before it reads the alert, and can only say what may be wrong.
                assertTrue(cause.getMessage().contains("with a TLS client certificate, the provider may have refused"
                        + " it"), cause.getMessage());
            } else {
                assertEquals(ReasonCode.UNTRUSTED_CHAIN, cause.reason(), cause.getMessage());
            }
            assertEquals(1, events.of(SecurityEventType.AUTH_FAILURE).size());
        }
    }

    /** The key store file and CA file of the configuration's style, without a TLS profile, as the builder takes it. */
    @Test
    void aKeyStoreFileWithTheCaFile() throws Exception {
        try (OAuth2Provider p = mtls().tlsClientAuth(pki.clientPkcs12(), "PKCS12", pki.password(), MtlsPki.ALIAS,
                pki.caPem()).build()) {
            Credential c = p.acquire(context(new RecordingEvents())).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(MtlsPki.x5tS256(pki.client()), ((Map<?, ?>) c.claims().get("cnf")).get("x5t#S256"));
        }
    }

    /**
     * Discovery announces {@code mtls_endpoint_aliases} (RFC 8705 5): the token request goes to the alias. Here the
     * plain token endpoint is Keycloak's HTTP one, which tls_client_auth refuses to use; the alias is its HTTPS one.
     */
    @Test
    void theMtlsAliasOfDiscoveryIsUsed() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
        String issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/aliased";
        AtomicInteger served = new AtomicInteger();
        server.createContext("/realms/aliased/.well-known/openid-configuration", exchange -> {
            served.incrementAndGet();
            String doc = "{\"issuer\":\"" + issuer + "\",\"token_endpoint\":\"" + keycloak.tokenEndpoint() + "\","
                    + "\"jwks_uri\":\"" + issuer + "/certs\",\"response_types_supported\":[\"code\"],"
                    + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"],"
                    + "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"" + keycloak.httpsIssuer()
                    + "/protocol/openid-connect/token\"}}";
            byte[] body = doc.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_MTLS).id("kc-alias")
                .issuer(URI.create(issuer)).tlsClientAuth(profile(pki.clientPkcs12())).build()) {
            Credential c = p.acquire(context(new RecordingEvents())).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(1, served.get());
            assertEquals(keycloak.httpsIssuer(), c.issuer(), "the token came from the HTTPS alias");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void anHttpTokenEndpointIsAConfigurationError() {
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = OAuth2Provider.clientCredentials(Keycloak.SVC_MTLS).id("kc-http")
                .tokenEndpoint(keycloak.tokenEndpoint()).tlsClientAuth(profile(pki.clientPkcs12())).build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.acquire(context(events)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            ConfigurationException cause = assertInstanceOf(ConfigurationException.class, e.getCause());
            assertTrue(cause.getMessage().contains("tls_client_auth needs https"), cause.getMessage());
            assertEquals(0, p.tokenRequests(), "nothing was sent without the certificate");
        }
    }

    private static OAuth2Exception refused(OAuth2Provider p, RecordingEvents events) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> p.acquire(context(events)).toCompletableFuture().get(60, TimeUnit.SECONDS));
        OAuth2Exception cause = assertInstanceOf(OAuth2Exception.class, e.getCause());
        assertFalse(cause.getMessage().contains(new String(pki.password())), cause.getMessage());
        return cause;
    }
}
