package dev.stdb.secure.auth.oauth2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The discovery cache with a plain document server (the protocol itself is proven against Keycloak). */
class DiscoveryTest {
    private HttpServer server;
    private String issuer;
    private final AtomicInteger served = new AtomicInteger();
    private final AtomicReference<String> announced = new AtomicReference<>();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    private final Clock clock = new Clock() {
        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(java.time.ZoneId zone) { return this; }
        @Override public Instant instant() { return now.get(); }
    };

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/t";
        announced.set(issuer);
        server.createContext("/realms/t/.well-known/openid-configuration", exchange -> {
            served.incrementAndGet();
            String doc = "{\"issuer\":\"" + announced.get() + "\",\"token_endpoint\":\"" + issuer + "/token\","
                    + "\"revocation_endpoint\":\"" + issuer + "/revoke\",\"jwks_uri\":\"" + issuer + "/certs\","
                    + "\"authorization_endpoint\":\"" + issuer + "/auth\",\"response_types_supported\":[\"code\"],"
                    + "\"mtls_endpoint_aliases\":{\"token_endpoint\":\"https://mtls.idp.test/token\"},"
                    + "\"subject_types_supported\":[\"public\"],\"id_token_signing_alg_values_supported\":[\"RS256\"]}";
            byte[] body = doc.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private Discovery discovery(Duration ttl) {
        return new Discovery(issuer, ttl, Duration.ofSeconds(2), Duration.ofSeconds(2), clock);
    }

    @Test
    void mtlsEndpointAliasesReplaceOnlyWhatTheyName() {
        Discovery.Endpoints e = discovery(Duration.ofMinutes(10)).endpoints();
        assertEquals(URI.create(issuer + "/token"), e.token());
        assertEquals(URI.create("https://mtls.idp.test/token"), e.mtlsToken());
        assertEquals(URI.create(issuer + "/revoke"), e.mtlsRevocation(), "no alias: the plain endpoint");
    }

    @Test
    void cachedForItsLifetimeThenRefetched() {
        Discovery d = discovery(Duration.ofMinutes(10));
        assertEquals(URI.create(issuer + "/token"), d.endpoints().token());
        assertEquals(URI.create(issuer + "/revoke"), d.endpoints().revocation());
        assertEquals(1, served.get());
        now.set(now.get().plus(Duration.ofMinutes(11)));
        d.endpoints();
        assertEquals(2, served.get());
        d.invalidate();
        d.endpoints();
        assertEquals(3, served.get());
    }

    @Test
    void aFailedRefetchKeepsTheStaleCopyButNothingIsUnreachable() {
        Discovery d = discovery(Duration.ofMinutes(10));
        URI token = d.endpoints().token();
        server.stop(0);
        now.set(now.get().plus(Duration.ofMinutes(11)));
        assertEquals(token, d.endpoints().token(), "stale copy used while the provider is down");
        d.invalidate();
        OAuth2Exception e = assertThrows(OAuth2Exception.class, d::endpoints);
        assertEquals(ReasonCode.IDP_UNREACHABLE, e.reason());
    }

    @Test
    void anotherIssuerInTheDocumentIsRefused() {
        announced.set("https://evil.example/realms/t");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> discovery(Duration.ofMinutes(1))
                .endpoints());
        assertTrue(e.getMessage().contains("https://evil.example/realms/t"), e.getMessage());
        assertInstanceOf(ConfigurationException.class, e);
    }
}
