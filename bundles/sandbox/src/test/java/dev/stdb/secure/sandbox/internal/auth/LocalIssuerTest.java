package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.testing.clock.ManualClock;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LocalIssuerTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final LocalIssuer issuer = LocalIssuer.generate(LocalIssuer.DEFAULT_ISSUER, clock);

    @Test
    void mintsAnonymousTokensShapedLikeSpacetimeDb() throws Exception {
        MintedToken minted = issuer.mintAnonymous();
        JWSObject jws = JWSObject.parse(minted.token());
        assertEquals(JWSAlgorithm.ES256, jws.getHeader().getAlgorithm());
        assertEquals("JWT", jws.getHeader().getType().getType());
        assertNull(jws.getHeader().getKeyID());
        assertTrue(jws.verify(new ECDSAVerifier(issuer.publicKey())));

        Map<String, Object> claims = jws.getPayload().toJSONObject();
        assertEquals("localhost", claims.get("iss"));
        String sub = (String) claims.get("sub");
        assertEquals(4, UUID.fromString(sub).version());
        assertEquals(List.of("spacetimedb"), claims.get("aud"));
        assertEquals(clock.instant().getEpochSecond(), ((Number) claims.get("iat")).longValue());
        assertFalse(claims.containsKey("exp"));
        Identity expected = IdentityDerivation.fromClaims("localhost", sub);
        assertEquals(expected.toHex(), claims.get("hex_identity"));
        assertEquals(expected, minted.identity());

        assertNotEquals(sub, JWSObject.parse(issuer.mintAnonymous().token()).getPayload().toJSONObject().get("sub"));
    }

    @Test
    void mintedTokenToStringHidesTheToken() {
        MintedToken minted = issuer.mintAnonymous();
        assertTrue(minted.toString().contains(minted.identity().toHex()));
        AuthAssertions.assertNoTokenIn(minted.toString(), minted.token());
        AuthAssertions.assertNoTokenIn(issuer.toString(), minted.token());
    }

    @Test
    void reSignKeepsClaimsAndSetsExpiry() throws Exception {
        String original = issuer.sign(Map.of("iss", "localhost", "sub", "alice", "aud", "game",
                "iat", clock.instant().getEpochSecond() - 100, "role", "admin", "nested", Map.of("a", List.of(1, 2))));
        ValidatedToken caller = new TokenValidator(issuer).validate(original);
        clock.advance(Duration.ofSeconds(5));

        String ws = issuer.reSign(caller, LocalIssuer.WEBSOCKET_TOKEN_TTL);
        Map<String, Object> claims = JWSObject.parse(ws).getPayload().toJSONObject();
        long now = clock.instant().getEpochSecond();
        assertEquals(now, ((Number) claims.get("iat")).longValue());
        assertEquals(now + 60, ((Number) claims.get("exp")).longValue());
        assertEquals("alice", claims.get("sub"));
        assertEquals("localhost", claims.get("iss"));
        assertEquals(List.of("game"), claims.get("aud"));
        assertEquals("admin", claims.get("role"));
        assertEquals(Map.of("a", List.of(1L, 2L)), claims.get("nested"));
        assertEquals(IdentityDerivation.fromClaims("localhost", "alice").toHex(), claims.get("hex_identity"));
    }

    @Test
    void publicKeyPemIsSubjectPublicKeyInfo() throws Exception {
        String pem = issuer.publicKeyPem();
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----\n"));
        assertTrue(pem.endsWith("-----END PUBLIC KEY-----\n"));
        for (String line : pem.split("\n")) {
            assertTrue(line.length() <= 64, line);
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            SubjectPublicKeyInfo spki = (SubjectPublicKeyInfo) parser.readObject();
            assertArrayEquals(issuer.publicKey().getEncoded(), spki.getEncoded());
        }
    }

    @Test
    void fingerprintIsSha256OfSpki() throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(issuer.publicKey().getEncoded());
        assertEquals("SHA256:" + Base64.getEncoder().encodeToString(digest), issuer.publicKeyFingerprint());
        assertNotEquals(issuer.publicKeyFingerprint(), LocalIssuer.generate().publicKeyFingerprint());
    }

    @Test
    void loadsItsKeyFromPkcs8Pem() {
        String pem = issuer.privateKeyPkcs8Pem();
        assertTrue(pem.startsWith("-----BEGIN PRIVATE KEY-----\n"));
        LocalIssuer reloaded = LocalIssuer.fromPkcs8Pem(pem, "sandbox.test", clock);
        assertEquals("sandbox.test", reloaded.issuer());
        assertEquals(issuer.publicKeyFingerprint(), reloaded.publicKeyFingerprint());
        assertEquals(issuer.publicKeyPem(), reloaded.publicKeyPem());
        ECPublicKey pub = reloaded.publicKey();
        assertEquals(issuer.publicKey().getW(), pub.getW());

        // A token of the reloaded issuer validates against the original key.
        MintedToken minted = reloaded.mintAnonymous();
        ValidatedToken v = new TokenValidator(issuer).validate(minted.token());
        assertEquals("sandbox.test", v.issuer());
        assertEquals(minted.identity(), v.identity());
    }

    @Test
    void rejectsNonP256OrGarbagePem() {
        assertThrows(IllegalArgumentException.class, () -> LocalIssuer.fromPkcs8Pem("nope", "x", clock));
        assertThrows(IllegalArgumentException.class, () -> LocalIssuer.fromPkcs8Pem(issuer.publicKeyPem(), "x", clock));
        assertThrows(IllegalArgumentException.class, () -> LocalIssuer.generate("", clock));
        assertThrows(IllegalArgumentException.class, () -> LocalIssuer.generate("x".repeat(129), clock));
    }

    @Test
    void defaultIssuerIsLocalhost() {
        assertEquals("localhost", LocalIssuer.generate().issuer());
    }
}
