package dev.stdb.secure.anomaly.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Test;

/** Each connection detector on an injected clock. */
class ConnectionDetectorsTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    static final String URI = "wss://db.example.com";
    static final String TARGET = URI + "/quickstart";


    final ManualClock clock = new ManualClock(T0);

    static SecurityEvent core(SecurityEventType type, Outcome outcome) {
        return SecurityEvent.of(type, outcome).source("dev.stdb.secure.core").detail("uri", URI)
                .detail("database", "quickstart").build();
    }

    static SecurityEvent pinMismatch(String host) {
        return SecurityEvent.of(SecurityEventType.PIN_MISMATCH, Outcome.FAILURE).source("dev.stdb.secure.tls")
                .connection(host).detail("host", host).detail("profile", "prod").build();
    }

    @Test
    void pinMismatchAlertsThenBlocksABurst() {
        PinMismatchBurstDetector d = new PinMismatchBurstDetector(3, Duration.ofMinutes(5), Duration.ofHours(1), clock);
        Finding first = d.onEvent(pinMismatch("db.example.com:443")).get(0);
        assertEquals(Response.ALERT, first.response());
        assertEquals(Severity.HIGH, first.severity());
        clock.advance(Duration.ofMinutes(1));
        assertEquals(Response.ALERT, d.onEvent(pinMismatch("db.example.com:443")).get(0).response());
        assertEquals(Response.ALERT, d.onEvent(pinMismatch("other:443")).get(0).response(), "hosts apart");
        clock.advance(Duration.ofMinutes(1));
        Finding burst = d.onEvent(pinMismatch("db.example.com:443")).get(0);
        assertEquals(Response.BLOCK, burst.response());
        assertEquals(Severity.CRITICAL, burst.severity());
        assertEquals("db.example.com:443", burst.source());
        assertEquals(clock.instant().plus(Duration.ofHours(1)), burst.until());
        assertTrue(burst.reason().contains("3 pin mismatches") && burst.reason().contains("man-in-the-middle"));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(Response.ALERT, d.onEvent(pinMismatch("db.example.com:443")).get(0).response(),
                "outside the window the burst is over");
        assertEquals(List.of(), d.onEvent(core(SecurityEventType.CONNECTED, Outcome.SUCCESS)));
    }

    @Test
    void identityChangeBlocksTheTargetOrAlerts() {
        SecurityEvent changed = SecurityEvent.of(SecurityEventType.IDENTITY_CHANGED, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("uri", URI).detail("database", "quickstart")
                .detail("was", "c200aa").detail("now", "c200bb").build();
        Finding block = new IdentityChangedDetector(Response.BLOCK, Duration.ofHours(1), clock).onEvent(changed).get(0);
        assertEquals(Response.BLOCK, block.response());
        assertEquals(Severity.CRITICAL, block.severity());
        assertEquals(TARGET, block.source(), "the target the core's lockouts check");
        assertEquals(T0.plus(Duration.ofHours(1)), block.until());
        assertTrue(block.reason().contains("c200bb instead of c200aa"), block.reason());
        assertNull(new IdentityChangedDetector(Response.BLOCK, Duration.ZERO, clock).onEvent(changed).get(0).until());
        Finding alert = new IdentityChangedDetector(Response.ALERT, Duration.ZERO, clock).onEvent(changed).get(0);
        assertEquals(Response.ALERT, alert.response());
        assertThrows(IllegalArgumentException.class,
                () -> new IdentityChangedDetector(Response.THROTTLE, Duration.ZERO, clock));
    }

    @Test
    void reconnectStormAlertsOncePerStorm() {
        ReconnectStormDetector d = new ReconnectStormDetector(3, Duration.ofSeconds(60), clock);
        SecurityEvent reconnecting = core(SecurityEventType.RECONNECTING, Outcome.INFO);
        assertEquals(List.of(), d.onEvent(reconnecting));
        clock.advance(Duration.ofSeconds(10));
        assertEquals(List.of(), d.onEvent(reconnecting));
        clock.advance(Duration.ofSeconds(10));
        Finding storm = d.onEvent(reconnecting).get(0);
        assertEquals(Response.ALERT, storm.response());
        assertEquals(Severity.MEDIUM, storm.severity());
        assertEquals(TARGET, storm.source());
        assertTrue(storm.reason().startsWith("3 reconnects of " + TARGET + " within 60 s"), storm.reason());
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of(), d.onEvent(reconnecting), "one alert per storm");
        clock.advance(Duration.ofMinutes(5));
        assertEquals(List.of(), d.onEvent(reconnecting), "calmed down");
        d.onEvent(reconnecting);
        assertEquals(1, d.onEvent(reconnecting).size(), "a new storm");
    }

    static SecurityEvent refreshFailure(String provider) {
        return SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).source("dev.stdb.secure.core")
                .detail("provider", provider).detail("target", TARGET).detail("operation", "refresh")
                .detail("reason", "auth.refresh_failed").build();
    }

    @Test
    void refreshFailuresInARowAlertAndASuccessResets() {
        RefreshFailureDetector d = new RefreshFailureDetector(3);
        assertEquals(List.of(), d.onEvent(refreshFailure("svc")));
        assertEquals(List.of(), d.onEvent(refreshFailure("svc")));
        d.onEvent(SecurityEvent.of(SecurityEventType.TOKEN_REFRESHED, Outcome.SUCCESS).source("dev.stdb.secure.core")
                .detail("provider", "svc").build());
        assertEquals(List.of(), d.onEvent(refreshFailure("svc")));
        assertEquals(List.of(), d.onEvent(refreshFailure("svc")));
        SecurityEvent acquireFailure = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("provider", "svc").detail("operation", "acquire").build();
        assertEquals(List.of(), d.onEvent(acquireFailure), "only refreshes count");
        Finding f = d.onEvent(refreshFailure("svc")).get(0);
        assertEquals(Response.ALERT, f.response());
        assertEquals(Severity.HIGH, f.severity());
        assertEquals("svc", f.principal());
        assertTrue(f.reason().startsWith("3 token refreshes in a row failed for provider svc (last: auth.refresh_failed)"),
                f.reason());
        assertEquals(List.of(), d.onEvent(refreshFailure("other")));
    }

    static SecurityEvent summary(long calls, long periodMs) {
        return SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.INFO).source("dev.stdb.secure.core")
                .time(T0).detail("uri", URI).detail("database", "quickstart")
                .detail(ReducerRateDetector.CALLS, String.valueOf(calls))
                .detail(ReducerRateDetector.PERIOD, String.valueOf(periodMs)).build();
    }

    @Test
    void reducerRateAboveThresholdTimesTheEwmaIsUnusual() {
        ReducerRateDetector d = new ReducerRateDetector(0.5, 3.0, 3, 1.0, Response.ALERT);
        assertEquals(List.of(), d.onEvent(summary(600, 60_000))); // 10/s
        assertEquals(10.0, d.average(TARGET), 1e-9);
        assertEquals(List.of(), d.onEvent(summary(1200, 60_000))); // 20/s -> 15
        assertEquals(15.0, d.average(TARGET), 1e-9);
        assertEquals(List.of(), d.onEvent(summary(6000, 60_000)), "still warming up: 100/s trains the average");
        assertEquals(57.5, d.average(TARGET), 1e-9);
        assertEquals(List.of(), d.onEvent(summary(10_200, 60_000)), "170/s is below 3 x 57.5");
        double avg = d.average(TARGET);
        Finding f = d.onEvent(summary((long) (avg * 3 * 60) + 60, 60_000)).get(0);
        assertEquals(Response.ALERT, f.response());
        assertEquals(Severity.MEDIUM, f.severity());
        assertEquals(TARGET, f.source());
        assertNull(f.until());
        assertEquals(avg, d.average(TARGET), 1e-9, "an unusual rate is not folded into the average");
        assertEquals(Severity.HIGH, d.onEvent(summary((long) (avg * 7 * 60), 60_000)).get(0).severity());
    }

    @Test
    void reducerRateBelowTheMinimumOrWithoutSummaryDetailsIsIgnored() {
        ReducerRateDetector d = new ReducerRateDetector(0.3, 3.0, 1, 1.0, Response.THROTTLE);
        d.onEvent(summary(6, 60_000)); // 0.1/s
        d.onEvent(summary(6, 60_000));
        assertEquals(List.of(), d.onEvent(summary(30, 60_000)), "0.5/s: 5 x the average but below 1/s");
        Finding f = d.onEvent(summary(600, 60_000)).get(0);
        assertEquals(Response.THROTTLE, f.response());
        assertEquals(T0.plusSeconds(60), f.until(), "throttled for one period");
        assertEquals(List.of(), d.onEvent(core(SecurityEventType.CONNECTED, Outcome.SUCCESS)));
        assertThrows(IllegalArgumentException.class, () -> new ReducerRateDetector(0, 3, 1, 1, Response.ALERT));
        assertThrows(IllegalArgumentException.class, () -> new ReducerRateDetector(0.5, 1, 1, 1, Response.ALERT));
        assertThrows(IllegalArgumentException.class, () -> new ReducerRateDetector(0.5, 3, 1, 1, Response.BLOCK));
    }
}
