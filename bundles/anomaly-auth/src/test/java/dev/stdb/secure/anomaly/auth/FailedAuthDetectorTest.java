package dev.stdb.secure.anomaly.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.anomaly.auth.BruteForceSettings.Strategy;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every rule of Keycloak's brute-force protection, on an injected clock. */
class FailedAuthDetectorTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String TARGET = "wss://db.example.com/quickstart";

    static final class TestClock extends Clock {
        Instant now = T0;

        @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
        void advance(Duration d) { now = now.plus(d); }
    }

    final TestClock clock = new TestClock();

    /** factor 3, +60 s up to 180 s, quick check 1 s / 30 s, reset after 1 h. */
    static BruteForceSettings settings(boolean permanent, int maxTemporary, Strategy strategy) {
        return new BruteForceSettings(3, 60, 180, 1000, 30, 3600, permanent, maxTemporary, strategy);
    }

    FailedAuthDetector detector(BruteForceSettings s) {
        return FailedAuthDetector.builder().settings(s).clock(clock).build();
    }

    static SecurityEvent failure(String provider) {
        return SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).source("dev.stdb.secure.core")
                .detail("provider", provider).detail("target", TARGET).detail("operation", "acquire")
                .detail("reason", "auth.invalid_credentials").build();
    }

    static SecurityEvent success(String provider) {
        return SecurityEvent.of(SecurityEventType.AUTH_SUCCESS, Outcome.SUCCESS).source("dev.stdb.secure.core")
                .principal("subject-1").detail("provider", provider).detail("target", TARGET).build();
    }

    /** A failure 2 s after the previous one (never quick). */
    List<Finding> fail(FailedAuthDetector d) {
        clock.advance(Duration.ofSeconds(2));
        return d.onEvent(failure("svc"));
    }

    @Test
    void lockedOutAtTheConfiguredCountUntilNowPlusTheIncrement() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        assertEquals(List.of(), fail(d));
        assertEquals(List.of(), fail(d));
        List<Finding> third = fail(d);
        assertEquals(1, third.size());
        Finding f = third.get(0);
        assertEquals(Response.THROTTLE, f.response());
        assertEquals(Severity.MEDIUM, f.severity());
        assertEquals("failed-auth", f.detector());
        assertEquals("svc", f.principal());
        assertEquals(TARGET, f.source());
        assertEquals(clock.instant().plusSeconds(60), f.until());
        assertTrue(f.reason().startsWith("3 failed sign-ins in a row for principal svc"), f.reason());
    }

    @Test
    void waitGrowsByTheIncrementUpToTheMaximum() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        long[] expected = {60, 120, 180, 180};
        for (long wait : expected) {
            fail(d);
            fail(d);
            List<Finding> f = fail(d);
            assertEquals(1, f.size());
            assertEquals(clock.instant().plusSeconds(wait), f.get(0).until());
            clock.advance(Duration.ofSeconds(wait)); // the core keeps the credential back until then
        }
    }

    @Test
    void linearStrategyLocksOutAtEveryFailureFromTheCount() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.LINEAR));
        fail(d);
        fail(d);
        for (long wait : new long[] {60, 120, 180, 180}) {
            Finding f = fail(d).get(0);
            assertEquals(clock.instant().plusSeconds(wait), f.until());
        }
    }

    @Test
    void quickFailureBelowTheCountWaitsTheMinimumQuickLoginWait() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        assertEquals(List.of(), d.onEvent(failure("svc"))); // the first is never quick
        clock.advance(Duration.ofMillis(999));
        List<Finding> quick = d.onEvent(failure("svc"));
        assertEquals(1, quick.size());
        assertEquals(Response.THROTTLE, quick.get(0).response());
        assertEquals(clock.instant().plusSeconds(30), quick.get(0).until());
        assertTrue(quick.get(0).reason().contains("999 ms after the one before"), quick.get(0).reason());
        clock.advance(Duration.ofMillis(1000));
        assertEquals(List.of(), d.onEvent(failure("svc")).stream()
                .filter(f -> f.until().equals(clock.instant().plusSeconds(30))).toList(),
                "1000 ms is not quick; the third failure is the normal lockout");
    }

    @Test
    void failuresFurtherApartThanMaxDeltaTimeStartTheCountAgain() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        fail(d);
        fail(d);
        assertEquals(2, d.failures("svc"));
        clock.advance(Duration.ofSeconds(3601));
        assertEquals(List.of(), d.onEvent(failure("svc")));
        assertEquals(1, d.failures("svc"));
        fail(d);
        assertEquals(1, fail(d).size(), "locked out at the third failure after the reset");
    }

    @Test
    void permanentLockoutAfterMaxTemporaryLockouts() {
        FailedAuthDetector d = detector(settings(true, 2, Strategy.MULTIPLE));
        for (int lockout = 1; lockout <= 2; lockout++) {
            fail(d);
            fail(d);
            Finding f = fail(d).get(0);
            assertEquals(Response.THROTTLE, f.response(), "lockout " + lockout);
            clock.advance(Duration.ofSeconds(60L * lockout));
        }
        fail(d);
        fail(d);
        Finding f = fail(d).get(0);
        assertEquals(Response.BLOCK, f.response());
        assertEquals(Severity.HIGH, f.severity());
        assertNull(f.until());
        assertTrue(f.reason().contains("after 2 temporary lockouts; locked out permanently"), f.reason());
    }

    @Test
    void permanentLockoutWithoutTemporaryOnesBlocksAtTheCount() {
        FailedAuthDetector d = detector(settings(true, 0, Strategy.MULTIPLE));
        fail(d);
        fail(d);
        Finding f = fail(d).get(0);
        assertEquals(Response.BLOCK, f.response());
        assertNull(f.until());
    }

    @Test
    void quickLockoutsDoNotCountAsTemporaryLockouts() {
        FailedAuthDetector d = detector(settings(true, 1, Strategy.MULTIPLE));
        d.onEvent(failure("svc"));
        clock.advance(Duration.ofMillis(10));
        assertEquals(Response.THROTTLE, d.onEvent(failure("svc")).get(0).response()); // quick
        clock.advance(Duration.ofSeconds(30));
        assertEquals(Response.THROTTLE, d.onEvent(failure("svc")).get(0).response()); // first real lockout
    }

    @Test
    void successResetsTheCount() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        fail(d);
        fail(d);
        d.onEvent(success("svc"));
        assertEquals(0, d.failures("svc"));
        fail(d);
        assertEquals(List.of(), fail(d));
        assertEquals(1, fail(d).size());
        SecurityEvent refreshed = SecurityEvent.of(SecurityEventType.TOKEN_REFRESHED, Outcome.SUCCESS)
                .source("dev.stdb.secure.core").detail("provider", "svc").build();
        d.onEvent(refreshed);
        assertEquals(0, d.failures("svc"));
    }

    @Test
    void principalsAreCountedApart() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        fail(d);
        fail(d);
        clock.advance(Duration.ofSeconds(2));
        assertEquals(List.of(), d.onEvent(failure("other")));
        assertEquals(1, fail(d).size());
    }

    @Test
    void onlyCountedSourcesAndCredentialFailuresCount() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        SecurityEvent fromProvider = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.auth.oauth2").detail("provider", "svc").build();
        SecurityEvent unreachable = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("provider", "svc").detail("reason", "auth.idp_unreachable")
                .build();
        SecurityEvent noPrincipal = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("uri", "ws://x").build();
        for (int i = 0; i < 10; i++) {
            clock.advance(Duration.ofSeconds(2));
            assertEquals(List.of(), d.onEvent(fromProvider));
            assertEquals(List.of(), d.onEvent(unreachable));
            assertEquals(List.of(), d.onEvent(noPrincipal));
        }
        assertEquals(0, d.failures("svc"));
        FailedAuthDetector both = FailedAuthDetector.builder().settings(settings(false, 0, Strategy.MULTIPLE))
                .clock(clock).sources(Set.of("dev.stdb.secure.auth.oauth2")).build();
        both.onEvent(fromProvider);
        assertEquals(1, both.failures("svc"));
    }

    @Test
    void sourceTrackingLocksTheTarget() {
        FailedAuthDetector d = FailedAuthDetector.builder().settings(settings(false, 0, Strategy.MULTIPLE))
                .clock(clock).trackSources(true).build();
        for (String p : new String[] {"a", "b"}) {
            clock.advance(Duration.ofSeconds(2));
            assertEquals(List.of(), d.onEvent(failure(p)));
        }
        clock.advance(Duration.ofSeconds(2));
        List<Finding> f = d.onEvent(failure("c"));
        assertEquals(1, f.size());
        assertNull(f.get(0).principal());
        assertEquals(TARGET, f.get(0).source());
        assertEquals(Response.THROTTLE, f.get(0).response());
    }
}
