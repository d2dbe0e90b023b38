package dev.stdb.secure.auth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.jwt.JwtRefusedException.Check;
import dev.stdb.secure.testing.clock.ManualClock;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtValidatorTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    private Idp idp;
    private ManualClock clock;

    @BeforeEach
    void start() throws Exception {
        idp = new Idp();
        clock = new ManualClock(T0);
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    private JwtValidator.Builder validator() {
        return JwtValidator.builder().issuer(idp.issuer()).audience("stdb").clock(clock);
    }

    private static Credential accept(JwtValidator v, String token) {
        return v.validate(Secret.ofString(token));
    }

    /** Refused with {@code reason} by {@code check}; the message never holds the token or its signature. */
    private static JwtRefusedException refused(JwtValidator v, String token, ReasonCode reason, Check check) {
        JwtRefusedException e = assertThrows(JwtRefusedException.class, () -> v.validate(Secret.ofString(token)));
        assertEquals(reason, e.reason(), e.getMessage());
        assertEquals(check, e.check(), e.getMessage());
        assertFalse(e.getMessage().contains(token), e.getMessage());
        for (String part : token.split("\\.")) {
            if (part.length() > 8) {
                assertFalse(e.getMessage().contains(part), "message quotes part of the token: " + e.getMessage());
            }
        }
        return e;
    }

    @Test
    void rsaAndEcTokensAreAcceptedAndDescribed() {
        JwtValidator v = validator().build();
        Credential rs = accept(v, Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).claim("role", "ops").build()));
        assertEquals(idp.issuer(), rs.issuer());
        assertEquals("alice", rs.subject());
        assertEquals(T0, rs.issuedAt());
        assertEquals(T0.plusSeconds(3600), rs.expiresAt());
        assertEquals("ops", rs.claims().get("role"));
        assertEquals("bob", accept(v, Idp.sign(Idp.EC, JWSAlgorithm.ES256, idp.claims("bob", T0).build())).subject());
        assertEquals("carol", accept(v, Idp.sign(Idp.RSA, JWSAlgorithm.PS256, idp.claims("carol", T0).build())).subject());
        assertFalse(rs.toString().contains("ey"), rs.toString());
        // discovery once, JWKS once, for all three
        assertEquals(1, idp.discoveryRequests());
        assertEquals(1, idp.jwksRequests());
    }

    @Test
    void ed25519TokensAreVerifiedWithTheJdk() throws Exception {
        KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        byte[] spki = pair.getPublic().getEncoded();
        byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
        OctetKeyPair okp = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID("ed-1").build();
        idp.serve(Idp.RSA, okp);
        String header = Base64URL.encode("{\"alg\":\"EdDSA\",\"kid\":\"ed-1\"}".getBytes(StandardCharsets.UTF_8)).toString();
        String payload = Base64URL.encode(idp.claims("eve", T0).build().toString().getBytes(StandardCharsets.UTF_8)).toString();
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(pair.getPrivate());
        s.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        String token = header + "." + payload + "." + Base64URL.encode(s.sign());
        JwtValidator v = validator().build();
        assertEquals("eve", accept(v, token).subject());
        String tampered = header + "." + Base64URL.encode(idp.claims("mallory", T0).build().toString()
                .getBytes(StandardCharsets.UTF_8)) + "." + token.substring(token.lastIndexOf('.') + 1);
        refused(v, tampered, ReasonCode.TOKEN_FORGED, Check.SIGNATURE);
    }

    @Test
    void algNoneIsRefused() {
        String token = new PlainJWT(idp.claims("alice", T0).build()).serialize();
        refused(validator().build(), token, ReasonCode.TOKEN_INVALID, Check.ALGORITHM);
        assertEquals(0, idp.jwksRequests());
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> validator().algorithms("RS256", "none").build());
        assertTrue(e.getMessage().contains("algorithms"), e.getMessage());
    }

    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefused() throws Exception {
        // The classic alg confusion: the attacker knows the public key and uses its bytes as an HMAC secret.
        byte[] publicKeyBytes = Idp.RSA.toRSAPublicKey().getEncoded();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                idp.claims("mallory", T0).build());
        jwt.sign(new MACSigner(publicKeyBytes));
        JwtValidator v = validator().build();
        JwtRefusedException e = refused(v, jwt.serialize(), ReasonCode.TOKEN_INVALID, Check.ALGORITHM);
        assertTrue(e.getMessage().contains("HMAC"), e.getMessage());
        // the same with the PEM-ish modulus bytes, and with HS256 in the configured allow-list: refused at build
        ConfigurationException c = assertThrows(ConfigurationException.class,
                () -> validator().algorithms("RS256", "HS256").build());
        assertTrue(c.getMessage().startsWith("[config.invalid] algorithms: HS256"), c.getMessage());
    }

    @Test
    void aSymmetricKeyInTheJwksIsNeverUsed() throws Exception {
        byte[] secret = new byte[32];
        Arrays.fill(secret, (byte) 7);
        idp.serve(Idp.RSA, new com.nimbusds.jose.jwk.OctetSequenceKey.Builder(secret).keyID("oct-1").build());
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("oct-1").build(),
                idp.claims("mallory", T0).build());
        jwt.sign(new MACSigner(secret));
        refused(validator().build(), jwt.serialize(), ReasonCode.TOKEN_INVALID, Check.ALGORITHM);
        // and an allowed asymmetric alg naming the oct key finds no key of the issuer
        refused(validator().build(), Idp.sign(Idp.RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("oct-1"),
                idp.claims("mallory", T0).build()), ReasonCode.TOKEN_FORGED, Check.KEY);
    }

    @Test
    void aTokenSignedWithAnotherKeyIsForged() {
        // same kid as the issuer's key, another key pair
        String token = Idp.sign(Idp.RSA_OTHER, JWSAlgorithm.RS256, idp.claims("mallory", T0).build());
        refused(validator().build(), token, ReasonCode.TOKEN_FORGED, Check.SIGNATURE);
    }

    @Test
    void headerAlgMustMatchTheKeyType() {
        // ES256 header naming the RSA key's kid
        String token = Idp.sign(Idp.EC, new JWSHeader.Builder(JWSAlgorithm.ES256).keyID("rsa-1"),
                idp.claims("mallory", T0).build());
        JwtRefusedException e = refused(validator().build(), token, ReasonCode.TOKEN_INVALID, Check.KEY);
        assertTrue(e.getMessage().contains("RSA"), e.getMessage());
    }

    @Test
    void algorithmOutsideTheAllowListIsRefused() {
        String token = Idp.sign(Idp.RSA, JWSAlgorithm.RS512, idp.claims("alice", T0).build());
        refused(validator().build(), token, ReasonCode.TOKEN_INVALID, Check.ALGORITHM);
        assertEquals("alice", accept(validator().algorithms("RS512").build(), token).subject());
    }

    @Test
    void unknownKidRefetchesOnceThenIsRateLimited() throws Exception {
        JwtValidator v = validator().jwksRefetchMinInterval(Duration.ofSeconds(30)).build();
        accept(v, Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).build()));
        assertEquals(1, idp.jwksRequests());
        clock.advance(Duration.ofSeconds(31));
        String ghost = Idp.sign(Idp.RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ghost-1"),
                idp.claims("mallory", T0).build());
        refused(v, ghost, ReasonCode.TOKEN_FORGED, Check.KEY);
        assertEquals(2, idp.jwksRequests(), "one refetch for the unknown kid");
        // a flood of made-up kids from 4 threads: no further request to the issuer
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String forged = Idp.sign(Idp.RSA, new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("ghost-" + i + 2),
                        idp.claims("mallory", T0).build());
                results.add(pool.submit(() -> {
                    try {
                        v.validate(Secret.ofString(forged));
                        return false;
                    } catch (JwtRefusedException e) {
                        return e.reason() == ReasonCode.TOKEN_FORGED;
                    }
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(2, idp.jwksRequests(), "rate-limited");
        clock.advance(Duration.ofSeconds(30));
        refused(v, ghost, ReasonCode.TOKEN_FORGED, Check.KEY);
        assertEquals(3, idp.jwksRequests(), "one more once the interval has passed");
        assertEquals(1, idp.discoveryRequests());
    }

    @Test
    void aRotatedKeyIsPickedUpAfterTheRefetch() {
        JwtValidator v = validator().jwksRefetchMinInterval(Duration.ofSeconds(60)).build();
        accept(v, Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).build()));
        idp.serve(Idp.RSA_ROTATED);
        String rotated = Idp.sign(Idp.RSA_ROTATED, JWSAlgorithm.RS256, idp.claims("alice", T0).build());
        clock.advance(Duration.ofSeconds(10));
        refused(v, rotated, ReasonCode.TOKEN_FORGED, Check.KEY); // within the interval: the cache decides
        assertEquals(1, idp.jwksRequests());
        clock.advance(Duration.ofSeconds(50));
        assertEquals("alice", accept(v, rotated).subject());
        assertEquals(2, idp.jwksRequests());
        // the old key is gone from the issuer's set, and so from the cache
        refused(v, Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).build()),
                ReasonCode.TOKEN_FORGED, Check.KEY);
    }

    @Test
    void issuerAndAudienceAreCheckedWhateverTheClockSkew() {
        // spring-security#18230: setting the skew dropped the issuer and audience validators. Here it cannot.
        JwtValidator v = validator().clockSkew(Duration.ofDays(3650)).build();
        String wrongIss = Idp.sign(Idp.RSA, JWSAlgorithm.RS256,
                idp.claims("alice", T0).issuer("https://evil.example/").build());
        JwtRefusedException e = refused(v, wrongIss, ReasonCode.TOKEN_INVALID, Check.ISSUER);
        assertTrue(e.getMessage().contains("https://evil.example/"), e.getMessage());
        String wrongAud = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).audience("other").build());
        refused(v, wrongAud, ReasonCode.TOKEN_INVALID, Check.AUDIENCE);
        String noAud = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).audience((String) null).build());
        refused(v, noAud, ReasonCode.TOKEN_INVALID, Check.AUDIENCE);
        // the skew itself is in force: a token expired a year ago passes the time checks
        String old = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0.minus(Duration.ofDays(366))).build());
        assertEquals("alice", accept(v, old).subject());
        // one of several audiences is enough
        String multi = Idp.sign(Idp.RSA, JWSAlgorithm.RS256,
                idp.claims("alice", T0).audience(List.of("x", "stdb")).build());
        assertEquals("alice", accept(validator().audience("other").build(), multi).subject());
    }

    @Test
    void timesAreCheckedWithTheSkewAtTheEdges() {
        JwtValidator v = validator().build(); // 60 s
        JWTClaimsSet.Builder base = idp.claims("alice", T0.minusSeconds(7200));
        String atEdge = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, base.expirationTime(Date.from(T0.minusSeconds(60))).build());
        assertEquals("alice", accept(v, atEdge).subject());
        String pastEdge = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, base.expirationTime(Date.from(T0.minusSeconds(61))).build());
        JwtRefusedException e = refused(v, pastEdge, ReasonCode.TOKEN_EXPIRED, Check.EXPIRY);
        assertTrue(e.getMessage().contains("expired at " + T0.minusSeconds(61)), e.getMessage());

        String nbfEdge = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).notBeforeTime(Date.from(T0.plusSeconds(60))).build());
        assertEquals("alice", accept(v, nbfEdge).subject());
        String nbfPast = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).notBeforeTime(Date.from(T0.plusSeconds(61))).build());
        refused(v, nbfPast, ReasonCode.TOKEN_INVALID, Check.NOT_BEFORE);

        String iatEdge = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0.plusSeconds(60)).build());
        assertEquals("alice", accept(v, iatEdge).subject());
        String iatFuture = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0.plusSeconds(61)).build());
        refused(v, iatFuture, ReasonCode.TOKEN_INVALID, Check.ISSUED_AT);

        String noExp = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).expirationTime(null).build());
        refused(v, noExp, ReasonCode.TOKEN_INVALID, Check.EXPIRY);

        JwtValidator strict = validator().clockSkew(Duration.ZERO).build();
        String justExpired = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, base.expirationTime(Date.from(T0.minusSeconds(1))).build());
        refused(strict, justExpired, ReasonCode.TOKEN_EXPIRED, Check.EXPIRY);
        clock.advance(Duration.ofSeconds(-1));
        assertEquals("alice", accept(strict, justExpired).subject());
    }

    @Test
    void requiredClaimsMustBePresent() {
        JwtValidator v = validator().requiredClaims("sub", "tenant").build();
        String without = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).build());
        JwtRefusedException e = refused(v, without, ReasonCode.TOKEN_INVALID, Check.REQUIRED_CLAIM);
        assertTrue(e.getMessage().contains("'tenant'"), e.getMessage());
        String with = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).claim("tenant", "t1").build());
        assertEquals("t1", accept(v, with).claims().get("tenant"));
    }

    @Test
    void headersCarryingTheirOwnKeyAreRefusedEvenWhenSelfConsistent() throws Exception {
        JwtValidator v = validator().build();
        // jwk: the attacker's public key inside the header, the token signed with its private key
        String jwk = Idp.sign(Idp.RSA_OTHER, JWSAlgorithm.RS256, idp.claims("mallory", T0),
                h -> h.jwk(Idp.RSA_OTHER.toPublicJWK()));
        refused(v, jwk, ReasonCode.TOKEN_INVALID, Check.HEADER_KEY);
        // jku: a JWKS of the attacker's, served and holding the signing key
        String jku = Idp.sign(Idp.RSA_OTHER, JWSAlgorithm.RS256, idp.claims("mallory", T0),
                h -> h.jwkURL(URI.create(idp.baseUrl() + "/evil/jwks")));
        refused(v, jku, ReasonCode.TOKEN_INVALID, Check.HEADER_KEY);
        // x5u
        String x5u = Idp.sign(Idp.RSA_OTHER, JWSAlgorithm.RS256, idp.claims("mallory", T0),
                h -> h.x509CertURL(URI.create(idp.baseUrl() + "/evil/cert.pem")));
        refused(v, x5u, ReasonCode.TOKEN_INVALID, Check.HEADER_KEY);
        // even when the real key signed it and the header merely names a location
        String realWithJku = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0),
                h -> h.jwkURL(URI.create(idp.issuer() + "/jwks")));
        refused(v, realWithJku, ReasonCode.TOKEN_INVALID, Check.HEADER_KEY);
        assertEquals(0, idp.requests("/evil/jwks"));
        assertEquals(0, idp.requests("/evil/cert.pem"));
        assertEquals(0, idp.jwksRequests(), "refused before any key was looked up");
    }

    @Test
    void malformedAndEncryptedTokensAreRefused() {
        JwtValidator v = validator().build();
        refused(v, "not-a-jwt-at-all-but-long", ReasonCode.TOKEN_INVALID, Check.FORMAT);
        refused(v, "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2lnbmF0dXJlLWJ5dGVz", ReasonCode.TOKEN_INVALID, Check.FORMAT);
    }

    @Test
    void anOversizedTokenIsRefusedBeforeItIsParsed() {
        JwtValidator v = validator().build();
        // a validly signed token whose claims carry 20 KiB of padding: refused on its size alone
        String token = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0)
                .claim("padding", "x".repeat(20 * 1024)).build());
        JwtRefusedException e = refused(v, token, ReasonCode.TOKEN_INVALID, Check.FORMAT);
        assertTrue(e.getMessage().contains("at most " + JwtValidator.MAX_TOKEN_CHARS), e.getMessage());
    }

    @Test
    void discoveryMustNameTheConfiguredIssuer() {
        idp.discoveryIssuer("https://someone-else.example");
        JwtValidator v = validator().jwksRefetchMinInterval(Duration.ofSeconds(60)).build();
        String token = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", T0).build());
        JwtRefusedException e = refused(v, token, ReasonCode.IDP_UNREACHABLE, Check.JWKS);
        assertTrue(e.getMessage().contains("someone-else"), e.getMessage());
        assertEquals(0, idp.jwksRequests());
        // the failure counts against the interval: no request storm while the issuer is misconfigured
        refused(v, token, ReasonCode.IDP_UNREACHABLE, Check.JWKS);
        assertEquals(1, idp.discoveryRequests());
        idp.discoveryIssuer(null);
        clock.advance(Duration.ofSeconds(60));
        assertEquals("alice", accept(v, token).subject());
    }

    @Test
    void aConfiguredJwksUrlSkipsDiscovery() {
        JwtValidator v = validator().jwksUri(URI.create(idp.issuer() + "/jwks")).build();
        assertEquals("alice", accept(v, Idp.sign(Idp.EC, JWSAlgorithm.ES256, idp.claims("alice", T0).build())).subject());
        assertEquals(0, idp.discoveryRequests());
        assertEquals(1, idp.jwksRequests());
    }

    @Test
    void settingsAreCheckedAtBuild() {
        assertConfig("issuer", () -> JwtValidator.builder().audience("a").build());
        assertConfig("audience", () -> JwtValidator.builder().issuer(idp.issuer()).build());
        assertConfig("issuer", () -> JwtValidator.builder().issuer("http://idp.example.com").audience("a").build());
        assertConfig("jwks.uri", () -> JwtValidator.builder().issuer("x").audience("a")
                .jwksUri(URI.create("http://idp.example.com/jwks")).build());
        assertConfig("algorithms", () -> validator().algorithms("HS512").build());
        assertConfig("algorithms", () -> validator().algorithms("XYZ").build());
        assertConfig("clock.skew.seconds", () -> validator().clockSkew(Duration.ofSeconds(-1)).build());
        // an issuer that is not a URL is fine with a JWKS URL
        JwtValidator.builder().issuer("urn:issuer").audience("a").jwksUri(URI.create("https://idp.example.com/jwks")).build();
        assertEquals(new java.util.LinkedHashSet<>(JwtValidator.DEFAULT_ALGORITHMS), validator().build().algorithms());
        assertEquals(Duration.ofSeconds(60), validator().build().clockSkew());
    }

    private static void assertConfig(String property, org.junit.jupiter.api.function.Executable build) {
        ConfigurationException e = assertThrows(ConfigurationException.class, build);
        assertTrue(e.getMessage().startsWith("[config.invalid] " + property + ":"), e.getMessage());
    }
}
