package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.util.Base64URL;
import dev.stdb.secure.testing.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.stdb.secure.sandbox.internal.auth.AuthAssertions.assertNoTokenIn;
import static dev.stdb.secure.sandbox.internal.auth.AuthAssertions.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tokens of the local issuer, malformed tokens, claim rules and fault controls (no network involved). */
class TokenValidatorTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2026-03-01T12:00:00Z"));
    private final LocalIssuer local = LocalIssuer.generate(LocalIssuer.DEFAULT_ISSUER, clock);
    private final TokenValidator validator = new TokenValidator(local);

    private long now() {
        return clock.instant().getEpochSecond();
    }

    private Map<String, Object> claims(String sub) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", "localhost");
        c.put("sub", sub);
        c.put("iat", now());
        return c;
    }

    @Test
    void ownTokenRoundTrip() {
        MintedToken minted = local.mintAnonymous();
        ValidatedToken v = validator.validate(minted.token());
        assertEquals("localhost", v.issuer());
        assertEquals(minted.identity(), v.identity());
        assertEquals(v.claims().get("hex_identity"), v.identity().toHex());
        assertEquals(IdentityDerivation.fromClaims(v.issuer(), v.subject()), v.identity());
        assertEquals(clock.instant(), v.issuedAt());
        assertNull(v.expiresAt());
        assertEquals(minted.token(), v.token());
        assertEquals(List.of("spacetimedb"), v.audience());
        assertTrue(v.toString().contains(v.identity().toHex()));
        assertNoTokenIn(v.toString(), minted.token());
        assertThrows(UnsupportedOperationException.class, () -> v.claims().put("x", 1));

        // Much later: tokens without exp never expire.
        clock.advance(Duration.ofDays(3650));
        assertEquals(minted.identity(), validator.validate(minted.token()).identity());
    }

    @Test
    void websocketTokenExpiresAfterSixtySeconds() {
        ValidatedToken caller = validator.validate(local.mintAnonymous().token());
        clock.advance(Duration.ofMinutes(3));
        String ws = local.reSign(caller, LocalIssuer.WEBSOCKET_TOKEN_TTL);

        ValidatedToken v = validator.validate(ws);
        assertEquals(clock.instant(), v.issuedAt());
        assertEquals(clock.instant().plusSeconds(60), v.expiresAt());
        assertEquals(caller.identity(), v.identity());
        assertEquals(caller.subject(), v.subject());

        clock.advance(Duration.ofSeconds(60)); // exactly exp: still valid (0 s leeway, exp < now rejects)
        validator.validate(ws);
        clock.advance(Duration.ofSeconds(1));
        assertRejected(401, "token expired", ws, () -> validator.validate(ws));
        // The long-lived token is unaffected.
        validator.validate(caller.token());
    }

    @Test
    void leewayIsConfigurable() {
        TokenValidator lenient = TokenValidator.builder(local).leeway(Duration.ofSeconds(60)).build();
        Map<String, Object> c = claims("bob");
        c.put("exp", now() - 30);
        String token = local.sign(c);
        lenient.validate(token);
        assertRejected(401, "token expired", token, () -> validator.validate(token));
        clock.advance(Duration.ofSeconds(31));
        assertRejected(401, "token expired", token, () -> lenient.validate(token));
    }

    @Test
    void expiredTokenIsRejected() {
        Map<String, Object> c = claims("bob");
        c.put("exp", now() - 1);
        String token = local.sign(c);
        assertRejected(401, "token expired", token, () -> validator.validate(token));
    }

    @Test
    void nullExpMeansNoExpiry() {
        // Rust's serde writes "exp": null for tokens without expiry.
        Map<String, Object> c = claims("bob");
        c.put("exp", null);
        ValidatedToken v = validator.validate(local.sign(c));
        assertNull(v.expiresAt());
    }

    @Test
    void tokenSignedByAnotherKeyWithLocalIssuerIsRejected() {
        LocalIssuer impostor = LocalIssuer.generate(LocalIssuer.DEFAULT_ISSUER, clock);
        String token = impostor.mintAnonymous().token();
        assertRejected(401, "not signed by this instance", token, () -> validator.validate(token));

        // Tampered payload of a genuine token.
        String genuine = local.mintAnonymous().token();
        String[] parts = genuine.split("\\.");
        Map<String, Object> c = claims("mallory");
        String tampered = parts[0] + "." + Base64URL.encode(com.nimbusds.jose.util.JSONObjectUtils.toJSONString(c))
                + "." + parts[2];
        assertRejected(401, "invalid token signature", tampered, () -> validator.validate(tampered));
    }

    @Test
    void localKeyIsAcceptedWhateverTheIssuer() {
        // SpacetimeDB re-signs websocket tokens of OIDC users with its own key, keeping their iss.
        Map<String, Object> c = claims("carol");
        c.put("iss", "https://auth.example.invalid");
        ValidatedToken v = validator.validate(local.sign(c));
        assertEquals(IdentityDerivation.fromClaims("https://auth.example.invalid", "carol"), v.identity());
    }

    @Test
    void malformedTokensAre400() {
        for (String bad : new String[] {"abc", "a.b.c", "", "a.b", "...", "eyJhbGciOiJFUzI1NiJ9.WzFd.c2ln",
                "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "a.b.c.d.e"}) {
            assertRejected(400, "malformed token", bad, () -> validator.validate(bad));
        }
        assertRejected(400, "malformed token", null, () -> validator.validate(null));
    }

    @Test
    void missingSubOrIatIs401() {
        Map<String, Object> noSub = claims("x");
        noSub.remove("sub");
        String t1 = local.sign(noSub);
        assertRejected(401, "missing required claim sub", t1, () -> validator.validate(t1));

        Map<String, Object> noIat = claims("x");
        noIat.remove("iat");
        String t2 = local.sign(noIat);
        assertRejected(401, "missing required claim iat", t2, () -> validator.validate(t2));

        Map<String, Object> noIss = claims("x");
        noIss.remove("iss");
        String t3 = local.sign(noIss);
        assertRejected(401, "missing required claim iss", t3, () -> validator.validate(t3));
    }

    @Test
    void claimSizeAndTypeRules() {
        Map<String, Object> emptySub = claims("");
        String t1 = local.sign(emptySub);
        assertRejected(401, "sub must not be empty", t1, () -> validator.validate(t1));

        String t2 = local.sign(claims("ü".repeat(65))); // 130 UTF-8 bytes
        assertRejected(401, "sub too long: 130 bytes", t2, () -> validator.validate(t2));
        validator.validate(local.sign(claims("x".repeat(128))));

        Map<String, Object> numericSub = claims("x");
        numericSub.put("sub", 42);
        String t3 = local.sign(numericSub);
        assertRejected(401, "sub must be a string", t3, () -> validator.validate(t3));

        Map<String, Object> textIat = claims("x");
        textIat.put("iat", "yesterday");
        String t4 = local.sign(textIat);
        assertRejected(401, "iat must be a number", t4, () -> validator.validate(t4));

        // aud is not validated, whatever its shape.
        Map<String, Object> odd = claims("x");
        odd.put("aud", Map.of("weird", true));
        validator.validate(local.sign(odd));
    }

    @Test
    void hexIdentityMustMatch() {
        Map<String, Object> c = claims("dave");
        c.put("hex_identity", IdentityDerivation.fromClaims("localhost", "erin").toHex());
        String token = local.sign(c);
        assertRejected(401, "does not match", token, () -> validator.validate(token));

        Map<String, Object> garbage = claims("dave");
        garbage.put("hex_identity", "zz");
        String t2 = local.sign(garbage);
        assertRejected(401, "invalid hex_identity", t2, () -> validator.validate(t2));

        Map<String, Object> upper = claims("dave");
        upper.put("hex_identity", IdentityDerivation.fromClaims("localhost", "dave").toHex().toUpperCase());
        validator.validate(local.sign(upper));
    }

    @Test
    void revokedTokenIsRejected() {
        MintedToken a = local.mintAnonymous();
        MintedToken b = local.mintAnonymous();
        validator.validate(a.token());
        validator.revoke(a.token());
        assertRejected(401, "token revoked", a.token(), () -> validator.validate(a.token()));
        validator.validate(b.token());
        validator.clearFaults();
        validator.validate(a.token());
    }

    @Test
    void tokensIssuedBeforeCutoffAreExpired() {
        MintedToken old = local.mintAnonymous();
        clock.advance(Duration.ofSeconds(10));
        validator.expireTokensIssuedBefore(clock.instant());
        assertRejected(401, "token expired", old.token(), () -> validator.validate(old.token()));

        MintedToken fresh = local.mintAnonymous(); // iat == cutoff: not before it
        validator.validate(fresh.token());

        // An earlier cutoff does not undo a later one.
        validator.expireTokensIssuedBefore(clock.instant().minusSeconds(60));
        assertRejected(401, "token expired", old.token(), () -> validator.validate(old.token()));
        validator.clearFaults();
        validator.validate(old.token());
    }

    @Test
    void validatedTokenIsImmutableCopy() {
        Map<String, Object> c = claims("frank");
        c.put("list", List.of("a"));
        ValidatedToken v = validator.validate(local.sign(c));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) v.claims().get("list");
        assertThrows(UnsupportedOperationException.class, () -> list.add("b"));
        Map<String, Object> copy = new HashMap<>(v.claims());
        assertEquals("frank", copy.get("sub"));
    }
}
