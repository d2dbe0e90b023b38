package dev.stdb.secure.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CredentialTest {

    private static final String TOKEN = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl";
    private static final String REFRESH = "rt-9f8e7d6c5b4a";
    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    private static Credential.Builder jwt() {
        return Credential.builder(Secret.ofString(TOKEN)).issuer("https://idp.example/realms/x").subject("alice");
    }

    @Test
    void toStringShowsNoTokenText() {
        Credential c = jwt().issuedAt(T0).expiresAt(T0.plusSeconds(3600))
                .refreshToken(Secret.ofString(REFRESH)).claims(Map.of("scope", "openid")).build();
        String s = c.toString();
        assertFalse(s.contains(TOKEN), s);
        assertFalse(s.contains("c2lnbmF0dXJl"), s);
        assertFalse(s.contains(REFRESH), s);
        assertTrue(s.contains("alice"), s);
        assertTrue(s.contains("https://idp.example/realms/x"), s);
        assertTrue(s.contains(T0.plusSeconds(3600).toString()), s);
        assertTrue(s.contains(c.token().fingerprint()), s);
        assertTrue(s.contains(c.refreshToken().orElseThrow().fingerprint()), s);
    }

    @Test
    void toStringSurvivesDestroyedTokens() {
        Credential c = jwt().build();
        c.destroy();
        assertTrue(c.token().isDestroyed());
        assertTrue(c.toString().contains("token=destroyed"), c.toString());
    }

    @Test
    void refreshDueAtUsesThirtySecondFloorForShortTokens() {
        // 5 % of 10 min = 30 s: the floor and the share meet; 5 % of 5 min = 15 s < 30 s
        Credential fiveMinutes = jwt().issuedAt(T0).expiresAt(T0.plusSeconds(300)).build();
        assertEquals(T0.plusSeconds(270), fiveMinutes.refreshDueAt());
        Credential tenMinutes = jwt().issuedAt(T0).expiresAt(T0.plusSeconds(600)).build();
        assertEquals(T0.plusSeconds(570), tenMinutes.refreshDueAt());
    }

    @Test
    void refreshDueAtLeavesShortTokensTheirFirstQuarter() {
        Credential fortySeconds = Credential.builder(Secret.ofString("t")).issuedAt(T0).expiresAt(T0.plusSeconds(40))
                .build();
        assertEquals(T0.plusSeconds(10), fortySeconds.refreshDueAt(), "the 30 s floor and the cap meet at 40 s");
        Credential tenSeconds = Credential.builder(Secret.ofString("t")).issuedAt(T0).expiresAt(T0.plusSeconds(10))
                .build();
        assertEquals(T0.plusMillis(2500), tenSeconds.refreshDueAt());
        Credential oneMinute = Credential.builder(Secret.ofString("t")).issuedAt(T0).expiresAt(T0.plusSeconds(60))
                .build();
        assertEquals(T0.plusSeconds(30), oneMinute.refreshDueAt());
    }

    @Test
    void refreshDueAtUsesFivePercentForLongTokens() {
        Credential hour = jwt().issuedAt(T0).expiresAt(T0.plusSeconds(3600)).build();
        assertEquals(T0.plusSeconds(3600 - 180), hour.refreshDueAt(), "5 % of 1 h is 3 min");
        Credential day = jwt().issuedAt(T0).expiresAt(T0.plus(Duration.ofDays(1))).build();
        assertEquals(T0.plus(Duration.ofDays(1)).minus(Duration.ofMinutes(72)), day.refreshDueAt());
    }

    @Test
    void refreshDueAtIsNullWithoutBothTimes() {
        assertNull(jwt().expiresAt(T0).build().refreshDueAt());
        assertNull(jwt().issuedAt(T0).build().refreshDueAt());
        assertNull(jwt().build().refreshDueAt());
    }

    @Test
    void expiryBeforeIssueIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> jwt().issuedAt(T0).expiresAt(T0.minusSeconds(1)).build());
    }

    @Test
    void expiresWithin() {
        Credential c = jwt().expiresAt(T0).build();
        Clock before = Clock.fixed(T0.minusSeconds(60), ZoneOffset.UTC);
        assertTrue(c.expiresWithin(Duration.ofSeconds(60), before));
        assertFalse(c.expiresWithin(Duration.ofSeconds(59), before));
        assertFalse(c.isExpired(before));
        assertTrue(c.isExpired(Clock.fixed(T0, ZoneOffset.UTC)));
        assertFalse(jwt().build().expiresWithin(Duration.ofDays(365), before), "unknown expiry never expires");
    }

    @Test
    void claimsAreAnUnmodifiableCopy() {
        Map<String, Object> claims = new HashMap<>(Map.of("sub", "alice", "aud", "stdb"));
        Credential c = jwt().claims(claims).build();
        claims.put("role", "admin");
        assertEquals(Map.of("sub", "alice", "aud", "stdb"), c.claims());
        assertThrows(UnsupportedOperationException.class, () -> c.claims().put("x", "y"));
    }

    @Test
    void claimsMustNotCarryTheToken() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> jwt().claims(Map.of("raw", TOKEN)).build());
        assertFalse(e.getMessage().contains(TOKEN));
        assertThrows(IllegalArgumentException.class,
                () -> jwt().claims(Map.of("rt", Secret.ofString(REFRESH))).build());
        assertEquals("prefix" + TOKEN,
                jwt().claims(Map.of("other", "prefix" + TOKEN)).build().claims().get("other"),
                "only the exact token is refused");
    }

    @Test
    void destroyDestroysBothTokens() {
        Credential c = jwt().refreshToken(Secret.ofString(REFRESH)).build();
        c.destroy();
        assertTrue(c.token().isDestroyed());
        assertTrue(c.refreshToken().orElseThrow().isDestroyed());
    }

    @Test
    void mfaResponseMasksItsCode() {
        MfaResponse r = MfaResponse.withCode(Secret.ofString("123456"));
        assertFalse(r.toString().contains("123456"), r.toString());
        assertTrue(r.approved());
        assertFalse(MfaResponse.deny().approved());
    }
}
