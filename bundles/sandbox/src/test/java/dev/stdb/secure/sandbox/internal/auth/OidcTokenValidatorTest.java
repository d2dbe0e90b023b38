package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.testing.clock.ManualClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stdb.secure.sandbox.internal.auth.AuthAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokens of a foreign OIDC issuer, served by a JDK HttpServer on 127.0.0.1 (discovery document + JWKS).
 * Nothing leaves the machine.
 */
class OidcTokenValidatorTest {
    private static RSAKey rsaKey;
    private static RSAKey otherRsaKey;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final LocalIssuer local = LocalIssuer.generate(LocalIssuer.DEFAULT_ISSUER, clock);
    private TokenValidator validator;

    private HttpServer server;
    private String base;
    /** Keys served at /jwks. */
    private final List<JWK> served = new CopyOnWriteArrayList<>();
    /** Requests per path. */
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile boolean failing;

    @BeforeAll
    static void keys() throws JOSEException {
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        otherRsaKey = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::handle);
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        served.add(rsaKey.toPublicJWK());
        validator = new TokenValidator(local);
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /**
     * Issuers live at {@code <base>/<tenant>} (or at the root, tenant ""); tenant "nope" does not exist (404);
     * tenant "liar" claims another issuer in its discovery document; tenant "slash" uses a trailing slash.
     */
    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        hits.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        try (ex) {
            if (failing) {
                send(ex, 500, "{}");
                return;
            }
            String suffix = "/.well-known/openid-configuration";
            if (path.equals("/evil" + suffix)) {
                send(ex, 200, "{}");
            } else if (path.endsWith(suffix)) {
                String tenant = path.substring(0, path.length() - suffix.length());
                if (tenant.equals("/nope")) {
                    send(ex, 404, "not found");
                    return;
                }
                String issuer = tenant.equals("/liar") ? "https://someone-else.example" : base + tenant;
                if (tenant.equals("/slash")) {
                    issuer = base + "/slash/";
                }
                send(ex, 200, JSONObjectUtils.toJSONString(Map.of("issuer", issuer, "jwks_uri", base + "/jwks")));
            } else if (path.equals("/jwks")) {
                send(ex, 200, new JWKSet(served).toString());
            } else {
                send(ex, 404, "not found");
            }
        }
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private int jwksHits() {
        return hits("/jwks");
    }

    private String token(JWK key, String kid, String iss, String sub) throws JOSEException {
        JWSSigner signer = key instanceof RSAKey ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key);
        JWSAlgorithm alg = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(iss)
                .subject(sub)
                .audience("my-app")
                .issueTime(Date.from(clock.instant()))
                .expirationTime(Date.from(clock.instant().plus(Duration.ofHours(1))))
                .claim("email", sub + "@example.com")
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }

    @Test
    void acceptsTokenOfOidcIssuer() throws Exception {
        String token = token(rsaKey, "rsa-1", base, "user-1");
        ValidatedToken v = validator.validate(token);
        assertEquals(base, v.issuer());
        assertEquals("user-1", v.subject());
        assertEquals(IdentityDerivation.fromClaims(base, "user-1"), v.identity());
        assertEquals("user-1@example.com", v.claims().get("email"));
        assertEquals(List.of("my-app"), v.audience());
        assertEquals(1, hits("/.well-known/openid-configuration"));
        assertEquals(1, jwksHits());
    }

    @Test
    void reSignedOidcTokenValidatesWithoutNetwork() throws Exception {
        ValidatedToken caller = validator.validate(token(rsaKey, "rsa-1", base, "user-2"));
        String ws = local.reSign(caller, LocalIssuer.WEBSOCKET_TOKEN_TTL);
        server.stop(0);
        ValidatedToken v = validator.validate(ws);
        assertEquals(base, v.issuer());
        assertEquals(caller.identity(), v.identity());
        assertEquals("user-2@example.com", v.claims().get("email"));
        assertEquals(clock.instant().plusSeconds(60), v.expiresAt());
    }

    @Test
    void tokenSignedWithKeyNotInJwksIsRejected() throws Exception {
        String wrongKeySameKid = token(otherRsaKey, "rsa-1", base, "user-3");
        assertRejected(401, "invalid token signature", wrongKeySameKid, () -> validator.validate(wrongKeySameKid));

        String unknownKid = token(otherRsaKey, "rsa-2", base, "user-3");
        assertRejected(401, "no key with kid \"rsa-2\"", unknownKid, () -> validator.validate(unknownKid));

        String noKid = token(otherRsaKey, null, base, "user-3");
        assertRejected(401, "invalid token signature", noKid, () -> validator.validate(noKid));
    }

    @Test
    void tokenWithoutKidTriesAllKeys() throws Exception {
        ECKey ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        served.add(ec.toPublicJWK());
        assertEquals(base, validator.validate(token(ec, null, base, "user-4")).issuer());
        assertEquals(base, validator.validate(token(rsaKey, null, base, "user-4")).issuer());
        assertEquals(base, validator.validate(token(ec, "ec-1", base, "user-4")).issuer());
        assertEquals(1, jwksHits());
    }

    @Test
    void unknownIssuerIsRejectedClearly() throws Exception {
        String iss = base + "/nope";
        String token = token(rsaKey, "rsa-1", iss, "user-5");
        assertRejected(401, "cannot fetch the OIDC discovery document of OIDC issuer \"" + iss + "\": HTTP 404",
                token, () -> validator.validate(token));
        // Failures are not cached.
        assertRejected(401, "HTTP 404", token, () -> validator.validate(token));
        assertEquals(2, hits("/nope/.well-known/openid-configuration"));
    }

    @Test
    void unreachableIssuerFailsFast() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String iss = "http://127.0.0.1:" + port;
        String token = token(rsaKey, "rsa-1", iss, "user-6");
        long start = System.nanoTime();
        assertRejected(401, "cannot reach OIDC issuer " + iss + ": ConnectException", token,
                () -> validator.validate(token));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(Duration.ofSeconds(6)) < 0, "took " + took);
    }

    @Test
    void onlyHttpsOrLoopbackIssuersAreFetched() throws Exception {
        for (String iss : new String[] {"http://example.com", "http://10.0.0.1:8080", "ftp://127.0.0.1",
                "not a url", "http://127.0.0.1.example.com"}) {
            String token = token(rsaKey, "rsa-1", iss, "user-7");
            assertRejected(401, "OIDC issuer must use https", token, () -> validator.validate(token));
        }
        assertTrue(hits.isEmpty());
        assertTrue(TokenValidator.isLoopback("localhost"));
        assertTrue(TokenValidator.isLoopback("127.1.2.3"));
        assertTrue(TokenValidator.isLoopback("[::1]"));
        assertFalse(TokenValidator.isLoopback("[::2]"));
        assertFalse(TokenValidator.isLoopback("192.168.1.1"));
    }

    @Test
    void issuerMustMatchDiscoveryDocument() throws Exception {
        String iss = base + "/liar";
        String token = token(rsaKey, "rsa-1", iss, "user-8");
        assertRejected(401, "does not equal the issuer \"https://someone-else.example\"", token,
                () -> validator.validate(token));
    }

    @Test
    void trailingSlashIssuer() throws Exception {
        String iss = base + "/slash/";
        ValidatedToken v = validator.validate(token(rsaKey, "rsa-1", iss, "user-9"));
        assertEquals(iss, v.issuer());
        assertEquals(1, hits("/slash/.well-known/openid-configuration"));
        assertEquals(0, hits("/slash//.well-known/openid-configuration"));
    }

    @Test
    void discoveryWithoutJwksUriIsRejected() throws Exception {
        String token = token(rsaKey, "rsa-1", base + "/evil", "user-10");
        assertRejected(401, "lacks the string members issuer and jwks_uri", token, () -> validator.validate(token));
    }

    @Test
    void jwksIsCachedAndRefreshed() throws Exception {
        String token = token(rsaKey, "rsa-1", base, "user-11");
        validator.validate(token);
        validator.validate(token);
        validator.validate(token(rsaKey, "rsa-1", base, "user-12"));
        assertEquals(1, jwksHits());
        assertEquals(1, hits("/.well-known/openid-configuration"));

        clock.advance(Duration.ofMinutes(4));
        validator.validate(token);
        assertEquals(1, jwksHits());

        clock.advance(Duration.ofMinutes(2)); // 6 min after the fetch: refresh
        validator.validate(token);
        assertEquals(2, jwksHits());
        validator.validate(token);
        assertEquals(2, jwksHits());
    }

    @Test
    void staleJwksIsUsedUntilExpiryWhenIssuerIsDown() throws Exception {
        // exp far in the future, so only the cache decides.
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(base).subject("user-13")
                .issueTime(Date.from(clock.instant())).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), claims);
        jwt.sign(new RSASSASigner(rsaKey));
        String token = jwt.serialize();

        validator.validate(token);
        failing = true;
        clock.advance(Duration.ofMinutes(30));
        validator.validate(token); // refetch fails, stale copy used
        assertEquals(2, hits("/.well-known/openid-configuration"));
        assertEquals(1, jwksHits());
        clock.advance(Duration.ofMinutes(91)); // 2 h 1 min after the only successful fetch
        assertRejected(401, "HTTP 500", token, () -> validator.validate(token));
        failing = false;
        validator.validate(token);
    }

    @Test
    void unknownKidTriggersOneRefetch() throws Exception {
        validator.validate(token(rsaKey, "rsa-1", base, "user-14"));
        assertEquals(1, jwksHits());

        // The issuer rotates in a new key: the first token with its kid refetches once.
        served.add(otherRsaKey.toPublicJWK());
        validator.validate(token(otherRsaKey, "rsa-2", base, "user-14"));
        assertEquals(2, jwksHits());
        validator.validate(token(otherRsaKey, "rsa-2", base, "user-14"));
        assertEquals(2, jwksHits());

        // A kid nobody knows: one refetch per attempt, then 401.
        String bogus = token(otherRsaKey, "rsa-404", base, "user-14");
        assertRejected(401, "no key with kid \"rsa-404\"", bogus, () -> validator.validate(bogus));
        assertEquals(3, jwksHits());
    }

    @Test
    void oidcClaimRulesStillApply() throws Exception {
        String token = token(rsaKey, "rsa-1", base, "user-15"); // exp = now + 1 h
        validator.validate(token);
        clock.advance(Duration.ofMinutes(61));
        assertRejected(401, "token expired", token, () -> validator.validate(token));

        JWTClaimsSet noIat = new JWTClaimsSet.Builder().issuer(base).subject("user-16").build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(), noIat);
        jwt.sign(new RSASSASigner(rsaKey));
        String t2 = jwt.serialize();
        assertRejected(401, "missing required claim iat", t2, () -> validator.validate(t2));
    }
}
