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
import dev.stdb.secure.testing.clock.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.ArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every rule of Keycloak's brute-force protection, on an injected clock. The expected waits are worked out by hand
 * from Keycloak 26.7.3's {@code DefaultBruteForceProtector.failure} (see docs/ARCHITECTURE.md for the formulas).
 */
class FailedAuthDetectorTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String TARGET = "wss://db.example.com/quickstart";


    final ManualClock clock = new ManualClock(T0);

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
    void quickFailureBelowTheCountWaitsTheMinimumQuickLoginWait() {
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        assertEquals(List.of(), d.onEvent(failure("svc"))); // the first is never quick
        clock.advance(Duration.ofMillis(999));
        List<Finding> quick = d.onEvent(failure("svc"));
        assertEquals(1, quick.size());
        assertEquals(Response.THROTTLE, quick.get(0).response());
        // at T0 + 0.999 s: Keycloak's notBefore is the whole second 0 + 30
        assertEquals(T0.plusSeconds(30), quick.get(0).until());
        assertTrue(quick.get(0).reason().contains("999 ms after the one before"), quick.get(0).reason());
        clock.advance(Duration.ofMillis(1000));
        List<Finding> third = d.onEvent(failure("svc"));
        // 1000 ms is not quick; the third failure is the normal lockout: at T0 + 1.999 s, 1 + 60 * (3 / 3)
        assertEquals(1, third.size());
        assertEquals(T0.plusSeconds(61), third.get(0).until());
        assertTrue(third.get(0).reason().endsWith("locked out for 60 s"), third.get(0).reason());
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

    // ---- the wait sequence, table-tested against Keycloak's formulas -------------------------------------------

    /** No lockout after that failure. */
    static final String NONE = "-";
    /** A permanent lockout (BLOCK). */
    static final String BLOCK = "BLOCK";

    /**
     * Fails {@code n} times: each failure {@code gapMillis} after the previous one or after the end of its lockout,
     * whichever is later (the core refuses the credential until then, and Keycloak does not count those attempts).
     * Returns per failure {@link #NONE}, {@link #BLOCK} or the THROTTLE wait in seconds from Keycloak's whole-second
     * {@code now / 1000} to {@code until}; stops at the first BLOCK.
     */
    List<String> sequence(BruteForceSettings s, int n, long gapMillis) {
        FailedAuthDetector d = detector(s);
        List<String> out = new ArrayList<>();
        Instant free = clock.instant();
        for (int i = 0; i < n; i++) {
            if (i > 0) {
                clock.set((free.isAfter(clock.instant()) ? free : clock.instant()).plusMillis(gapMillis));
            }
            List<Finding> f = d.onEvent(failure("svc"));
            assertTrue(f.size() <= 1, f::toString);
            if (f.isEmpty()) {
                out.add(NONE);
                continue;
            }
            Finding one = f.get(0);
            if (one.response() == Response.BLOCK) {
                assertNull(one.until());
                out.add(BLOCK);
                break;
            }
            assertEquals(Response.THROTTLE, one.response());
            out.add(Long.toString(one.until().getEpochSecond() - clock.instant().getEpochSecond()));
            free = one.until();
        }
        return out;
    }

    static BruteForceSettings s(int failureFactor, int waitIncrementSeconds, int maxFailureWaitSeconds,
            long quickLoginCheckMilliSeconds, int minimumQuickLoginWaitSeconds, boolean permanentLockout,
            int maxTemporaryLockouts, Strategy strategy) {
        return new BruteForceSettings(failureFactor, waitIncrementSeconds, maxFailureWaitSeconds,
                quickLoginCheckMilliSeconds, minimumQuickLoginWaitSeconds, 43200, permanentLockout,
                maxTemporaryLockouts, strategy);
    }

    static List<String> waits(String... w) {
        return List.of(w);
    }

    static Stream<Arguments> keycloakWaitSequences() {
        return Stream.of(
                // MULTIPLE, Keycloak's documented example (failureFactor 5, waitIncrement 30 s), 2 s apart (never
                // quick): wait = 30 * (n / 5), integer division: n 1..4 -> 0; 5..9 -> 30 * 1 = 30;
                // 10..14 -> 30 * 2 = 60; 15 -> 30 * 3 = 90. Below maxFailureWait 900.
                Arguments.of("MULTIPLE 5 x 30 s", s(5, 30, 900, 1000, 60, false, 0, Strategy.MULTIPLE), 15, 2000,
                        waits("-", "-", "-", "-", "30", "30", "30", "30", "30", "60", "60", "60", "60", "60", "90")),
                // LINEAR, the documented example: wait = 30 * (1 + n - 5): n 1..4 -> -120..0, none;
                // 5 -> 30; 6 -> 60; 7 -> 90; 8 -> 120; 9 -> 150; 10 -> 180.
                Arguments.of("LINEAR 5 x 30 s", s(5, 30, 900, 1000, 60, false, 0, Strategy.LINEAR), 10, 2000,
                        waits("-", "-", "-", "-", "30", "60", "90", "120", "150", "180")),
                // MULTIPLE capped: wait = min(250, 100 * (n / 2)): 1 -> 0; 2, 3 -> 100; 4, 5 -> 200;
                // 6, 7 -> min(250, 300) = 250; 8 -> min(250, 400) = 250.
                Arguments.of("MULTIPLE capped", s(2, 100, 250, 1000, 60, false, 0, Strategy.MULTIPLE), 8, 2000,
                        waits("-", "100", "100", "200", "200", "250", "250", "250")),
                // LINEAR capped: wait = min(180, 60 * (1 + n - 3)): 1 -> -60, 2 -> 0: none; 3 -> 60; 4 -> 120;
                // 5 -> 180; 6 -> min(180, 240) = 180.
                Arguments.of("LINEAR capped", s(3, 60, 180, 1000, 60, false, 0, Strategy.LINEAR), 6, 2000,
                        waits("-", "-", "60", "120", "180", "180")),
                // Quick login (check 120 s, so a failure 2 s after the end of a 30 s or 60 s lockout is quick):
                // 1: first failure, never quick; 2: 60 * (2 / 3) = 0 and delta 2 s < 120 s -> min quick wait 30;
                // 3: 60 * 1 = 60 > 0, the quick rule does not apply -> 60; 4, 5: 60; 6: 60 * 2 = 120.
                Arguments.of("MULTIPLE quick", s(3, 60, 900, 120_000, 30, false, 0, Strategy.MULTIPLE), 6, 2000,
                        waits("-", "30", "60", "60", "60", "120")),
                // Quick login capped by maxFailureWait 10 (temporary lockout mode): 1: none; 2: 0 -> quick 30,
                // min(10, 30) = 10; 3: 60 * (3 / 5) = 0 -> quick (delta 12 s) -> 10.
                Arguments.of("quick capped", s(5, 60, 10, 120_000, 30, false, 0, Strategy.MULTIPLE), 3, 2000,
                        waits("-", "10", "10")),
                // Permanent after temporary lockouts (maxTemporaryLockouts 2), MULTIPLE 3 x 60 s: 1, 2: none;
                // 3: 60 * 1 = 60, lockout #1 <= 2 -> 60; 4: 60 * (4 / 3) = 60, #2 <= 2 -> 60;
                // 5: 60 * (5 / 3) = 60, #3 > 2 -> permanent.
                Arguments.of("mixed MULTIPLE", s(3, 60, 900, 1000, 60, true, 2, Strategy.MULTIPLE), 6, 2000,
                        waits("-", "-", "60", "60", BLOCK)),
                // Mixed, LINEAR 2 x 10 s, maxTemporaryLockouts 1: 1: 10 * 0 = 0, none; 2: 10 * 1 = 10, #1 <= 1 -> 10;
                // 3: 10 * 2 = 20, #2 > 1 -> permanent.
                Arguments.of("mixed LINEAR", s(2, 10, 900, 1000, 60, true, 1, Strategy.LINEAR), 4, 2000,
                        waits("-", "10", BLOCK)),
                // Mixed with quick logins (check 120 s, maxTemporaryLockouts 1): 1: none; 2: 60 * 0 = 0, quick ->
                // 30, a quick lockout is not counted; 3: 60 * 1 = 60, #1 <= 1 -> 60; 4: 60, #2 > 1 -> permanent.
                Arguments.of("mixed quick", s(3, 60, 900, 120_000, 30, true, 1, Strategy.MULTIPLE), 5, 2000,
                        waits("-", "30", "60", BLOCK)),
                // Permanent only (maxTemporaryLockouts 0), 2 s apart, never quick: no strategy wait at all; the count
                // reaches failureFactor 3 at the third failure -> permanent.
                Arguments.of("permanent only", s(3, 60, 900, 1000, 60, true, 0, Strategy.MULTIPLE), 4, 2000,
                        waits("-", "-", BLOCK)),
                // Permanent only with quick logins (check 120 s, min 30 s, maxFailureWait 10): 2: no strategy wait,
                // quick -> 30, not capped in this mode; 3: quick, but 3 >= failureFactor 3 -> permanent.
                Arguments.of("permanent only quick", s(3, 60, 10, 120_000, 30, true, 0, Strategy.LINEAR), 4, 2000,
                        waits("-", "30", BLOCK)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("keycloakWaitSequences")
    void waitSequenceFollowsKeycloak(String name, BruteForceSettings s, int failures, long gapMillis,
            List<String> expected) {
        assertEquals(expected, sequence(s, failures, gapMillis));
    }

    @Test
    void keycloakDefaultsWaitSequence() {
        // 30 failures, MULTIPLE, 60 s up to 900 s, 2 s apart after each lockout: wait = min(900, 60 * (n / 30)):
        // n 1..29 -> none; 30..59 -> 60; 60..89 -> 120; 449 -> 60 * 14 = 840; 450 -> 60 * 15 = 900;
        // 480 -> min(900, 60 * 16 = 960) = 900.
        List<String> w = sequence(BruteForceSettings.KEYCLOAK_DEFAULTS, 480, 2000);
        assertEquals(480, w.size());
        assertEquals(List.of(NONE), w.subList(0, 29).stream().distinct().toList());
        assertEquals(List.of("60"), w.subList(29, 59).stream().distinct().toList());
        assertEquals(List.of("120"), w.subList(59, 89).stream().distinct().toList());
        assertEquals("840", w.get(448));
        assertEquals("900", w.get(449));
        assertEquals("900", w.get(479));
    }

    @Test
    void lockoutEndsAtKeycloaksWholeSecondNotBefore() {
        // Keycloak stores failedLoginNotBefore = failureTime / 1000 + wait, in whole seconds
        clock.set(T0.plusMillis(750));
        FailedAuthDetector d = detector(settings(false, 0, Strategy.MULTIPLE));
        d.onEvent(failure("svc"));
        clock.advance(Duration.ofSeconds(2));
        d.onEvent(failure("svc"));
        clock.advance(Duration.ofSeconds(2));
        Finding f = d.onEvent(failure("svc")).get(0); // at T0 + 4.750 s: 4 + 60
        assertEquals(T0.plusSeconds(64), f.until());
    }

    @Test
    void temporaryLockoutsStartAgainAfterMaxDeltaTime() {
        // mixed, LINEAR 2 x 10 s, maxTemporaryLockouts 1, reset after 1 h
        FailedAuthDetector d = detector(new BruteForceSettings(2, 10, 900, 1000, 60, 3600, true, 1, Strategy.LINEAR));
        fail(d);
        assertEquals(Response.THROTTLE, fail(d).get(0).response()); // 10 * (1 + 2 - 2) = 10 s, lockout #1
        clock.advance(Duration.ofSeconds(3601));
        assertEquals(List.of(), d.onEvent(failure("svc"))); // reset: count 1, lockouts 0
        // count 2: 10 s, lockout #1 again (without the reset it would be #2 > 1 and permanent)
        assertEquals(Response.THROTTLE, fail(d).get(0).response());
    }

    @Test
    void permanentOnlyFailuresNeverReset() {
        // Keycloak skips the failure reset time when permanentLockout has no temporary lockouts
        FailedAuthDetector d = detector(new BruteForceSettings(3, 60, 900, 1000, 60, 3600, true, 0, Strategy.MULTIPLE));
        fail(d);
        fail(d);
        clock.advance(Duration.ofSeconds(3601));
        List<Finding> third = d.onEvent(failure("svc"));
        assertEquals(3, d.failures("svc"));
        assertEquals(Response.BLOCK, third.get(0).response());
        assertTrue(third.get(0).reason().endsWith("3 failed sign-ins in a row for principal svc; locked out permanently"),
                third.get(0).reason());
    }

    @Test
    void mixedModeNamesTheTemporaryLockoutsWhenBlocking() {
        FailedAuthDetector d = detector(settings(true, 2, Strategy.MULTIPLE));
        List<Finding> last = List.of();
        for (int i = 0; i < 5; i++) {
            last = fail(d);
            clock.advance(Duration.ofSeconds(60));
        }
        Finding f = last.get(0);
        assertEquals(Response.BLOCK, f.response());
        assertEquals(Severity.HIGH, f.severity());
        assertTrue(f.reason().equals("5 failed sign-ins in a row for principal svc after 2 temporary lockouts; "
                + "locked out permanently"), f.reason());
    }
}
