package dev.stdb.secure.api.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class SecurityEventTest {

    private static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

    @Test
    void builderFillsEveryField() {
        UUID id = UUID.randomUUID();
        SecurityEvent e = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .id(id).time(T0).principal("alice").connection("prod").source("dev.stdb.secure.auth.oauth2")
                .detail("reason", "auth.invalid_credentials").build();
        assertEquals(id, e.id());
        assertEquals(T0, e.time());
        assertEquals(SecurityEventType.AUTH_FAILURE, e.type());
        assertEquals(Outcome.FAILURE, e.outcome());
        assertEquals("alice", e.principal());
        assertEquals("prod", e.connection());
        assertEquals("dev.stdb.secure.auth.oauth2", e.source());
        assertEquals(Map.of("reason", "auth.invalid_credentials"), e.details());
    }

    @Test
    void builderDefaultsIdAndTime() {
        Instant before = Instant.now();
        SecurityEvent a = SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.SUCCESS).source("core").build();
        SecurityEvent b = SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.SUCCESS).source("core").build();
        assertNotNull(a.id());
        assertNotEquals(a.id(), b.id());
        assertFalse(a.time().isBefore(before));
        assertNull(a.principal());
        assertTrue(a.details().isEmpty());
    }

    @Test
    void sourceIsRequired() {
        assertThrows(NullPointerException.class,
                () -> SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING).build());
    }

    @Test
    void detailsAreAnUnmodifiableSortedCopy() {
        Map<String, String> details = new HashMap<>();
        details.put("zeta", "1");
        details.put("alpha", "2");
        SecurityEvent e = new SecurityEvent(UUID.randomUUID(), T0, SecurityEventType.STORE_FALLBACK, Outcome.WARNING,
                null, null, "core", details);
        details.put("injected", "later");
        assertEquals(Map.of("zeta", "1", "alpha", "2"), e.details());
        assertEquals(List.of("alpha", "zeta"), List.copyOf(e.details().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> e.details().put("x", "y"));

        SecurityEvent.Builder builder = SecurityEvent.of(SecurityEventType.CREDENTIAL_READ, Outcome.SUCCESS)
                .source("core").detail("key", "a");
        SecurityEvent first = builder.build();
        builder.detail("key2", "b");
        assertEquals(Map.of("key", "a"), first.details(), "built event is detached from its builder");
    }

    @Test
    void nullDetailValuesAreRejected() {
        Map<String, String> details = new HashMap<>();
        details.put("k", null);
        assertThrows(NullPointerException.class, () -> new SecurityEvent(UUID.randomUUID(), T0,
                SecurityEventType.ANOMALY, Outcome.INFO, null, null, "x", details));
    }

    @Test
    void secretDetailsAreStoredAsFingerprintOnly() {
        Secret token = Secret.ofString("super-secret-token-value");
        SecurityEvent e = SecurityEvent.of(SecurityEventType.TOKEN_REFRESHED, Outcome.SUCCESS)
                .source("core").detail("token", token).build();
        assertEquals(token.fingerprint(), e.details().get("token"));
        assertTrue(e.details().get("token").startsWith("sha256:"));
        assertFalse(e.toString().contains("super-secret-token-value"), e.toString());
    }

    @Test
    void queryMatchesEveryCriterion() {
        SecurityEvent e = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).time(T0)
                .principal("alice").connection("prod").source("core").build();
        assertTrue(AuditQuery.all().matches(e));
        assertTrue(AuditQuery.between(T0, T0.plusSeconds(1)).matches(e), "from is inclusive");
        assertFalse(AuditQuery.between(T0.minusSeconds(1), T0).matches(e), "to is exclusive");
        assertTrue(AuditQuery.builder().types(SecurityEventType.AUTH_FAILURE, SecurityEventType.ANOMALY)
                .principal("alice").connection("prod").build().matches(e));
        assertFalse(AuditQuery.builder().types(SecurityEventType.ANOMALY).build().matches(e));
        assertFalse(AuditQuery.builder().principal("bob").build().matches(e));
        assertFalse(AuditQuery.builder().connection("test").build().matches(e));
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.between(T0, T0.minusSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> AuditQuery.builder().limit(-1).build());
    }

    @Test
    void verificationResultIsConsistent() {
        assertTrue(VerificationResult.ok(10).intact());
        assertEquals(-1, VerificationResult.ok(10).problemSequence());
        VerificationResult broken = VerificationResult.broken(10, 7, "hash of record 7 does not match");
        assertFalse(broken.intact());
        assertEquals(7, broken.problemSequence());
        assertThrows(IllegalArgumentException.class, () -> new VerificationResult(true, 1, "x", 3));
        assertThrows(NullPointerException.class, () -> new VerificationResult(false, 1, null, 3));
    }

    @Test
    void unpairedSurrogatesBecomeReplacementCharacters() {
        Map<String, String> details = new HashMap<>();
        details.put("a\ud800", "lone high \ud800 and a pair \ud83d\ude00");
        details.put("b", "lone low \udc00, reversed \ude00\ud83d, at the end \ud83d");
        SecurityEvent e = new SecurityEvent(UUID.randomUUID(), T0, SecurityEventType.ANOMALY, Outcome.WARNING,
                "\udc00eve", "conn\ud800", "src\ud83d\ud83d\ude00", details);
        assertEquals("\ufffdeve", e.principal());
        assertEquals("conn\ufffd", e.connection());
        assertEquals("src\ufffd\ud83d\ude00", e.source());
        assertEquals(Map.of("a\ufffd", "lone high \ufffd and a pair \ud83d\ude00",
                "b", "lone low \ufffd, reversed \ufffd\ufffd, at the end \ufffd"), e.details());
        // sorted by the stored key: "a\ue000" < "a\ufffd", though "a\ud800" sorts before "a\ue000"
        SecurityEvent sorted = new SecurityEvent(UUID.randomUUID(), T0, SecurityEventType.ANOMALY, Outcome.WARNING,
                null, null, "s", Map.of("a\ud800", "1", "a\ue000", "2"));
        assertEquals(List.of("a\ue000", "a\ufffd"), List.copyOf(sorted.details().keySet()));
        // keys equal once replaced are one detail
        SecurityEvent merged = SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING).source("s")
                .detail("k\ud800", "first").detail("k\udc00", "second").build();
        assertEquals(Map.of("k\ufffd", "second"), merged.details());
        // well-formed text is kept as it is, the same instance
        String text = "J\u00fcrgen \ud83d\ude00 \ufffd";
        assertTrue(text == SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING).source(text).build()
                .source());
    }
}
