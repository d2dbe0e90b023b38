package dev.stdb.secure.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.testing.clock.ManualClock;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * THROTTLE and BLOCK findings keep the credential away from its identity provider until they end; ALERT and
 * REQUIRE_MFA are only recorded.
 */
class LockoutEnforcementTest {


    /** Always refuses, counting the calls that reached "the IdP". */
    static final class FailingProvider implements AuthProvider {
        final AtomicInteger calls = new AtomicInteger();

        @Override public String id() { return "svc"; }

        @Override
        public CompletionStage<Credential> acquire(AuthContext context) {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(
                    new AuthenticationException(ReasonCode.INVALID_CREDENTIALS, "invalid client secret"));
        }

        @Override
        public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
            return acquire(context);
        }
    }

    /** Suggests {@code response} for the provider after every second AUTH_FAILURE from the core. */
    static final class EverySecondFailure implements AnomalyDetector {
        final Clock clock;
        final Response response;
        int failures;

        EverySecondFailure(Clock clock, Response response) {
            this.clock = clock;
            this.response = response;
        }

        @Override public String id() { return "test-detector"; }

        @Override
        public List<Finding> onEvent(SecurityEvent e) {
            if (e.type() != SecurityEventType.AUTH_FAILURE || !e.details().containsKey("provider")) {
                return List.of();
            }
            if (++failures % 2 != 0) {
                return List.of();
            }
            Instant until = response == Response.BLOCK ? null : clock.instant().plusSeconds(60);
            return List.of(new Finding(id(), Severity.HIGH, failures + " failed sign-ins", response,
                    e.details().get("provider"), e.details().get("target"), until));
        }
    }

    private static final class Fixture {
        final ManualClock clock = new ManualClock();
        final FailingProvider provider = new FailingProvider();
        final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        final SpacetimeClient.Builder builder;

        Fixture(Response response) {
            builder = SpacetimeClient.builder().uri(URI.create("ws://127.0.0.1:1")).database("db")
                    .authProvider(provider).clock(clock).events(events::add)
                    .anomalyDetector(new EverySecondFailure(clock, response));
        }

        AuthenticationException connectFails() {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> builder.connect().toCompletableFuture().get(10, TimeUnit.SECONDS));
            return assertInstanceOf(AuthenticationException.class, e.getCause());
        }

        long anomalies() {
            return events.stream().filter(e -> e.type() == SecurityEventType.ANOMALY).count();
        }

        void awaitAnomalies(long n) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (anomalies() < n && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(n, anomalies(), () -> "ANOMALY events in " + events);
        }
    }

    @Test
    void throttleRefusesWithoutAskingTheIdpUntilTheWaitIsOver() throws Exception {
        Fixture f = new Fixture(Response.THROTTLE);
        assertEquals(ReasonCode.INVALID_CREDENTIALS, f.connectFails().reason());
        assertEquals(ReasonCode.INVALID_CREDENTIALS, f.connectFails().reason());
        f.awaitAnomalies(1); // the finding, published by the router

        AuthenticationException locked = f.connectFails();
        assertEquals(ReasonCode.LOCKED_OUT, locked.reason());
        assertTrue(locked.getMessage().contains("locked out until 2026-01-01T00:01:00Z by test-detector (2 failed sign-ins)"),
                locked.getMessage());
        assertEquals(2, f.provider.calls.get(), "the locked-out credential reached the IdP");
        f.awaitAnomalies(2); // the refusal
        SecurityEvent refusal = f.events.stream().filter(e -> e.type() == SecurityEventType.ANOMALY)
                .reduce((a, b) -> b).orElseThrow();
        assertEquals("refused", refusal.details().get("action"));
        assertEquals("THROTTLE", refusal.details().get("response"));
        assertEquals("2026-01-01T00:01:00Z", refusal.details().get("until"));

        f.clock.advance(Duration.ofSeconds(59));
        assertEquals(ReasonCode.LOCKED_OUT, f.connectFails().reason());
        f.clock.advance(Duration.ofSeconds(1));
        assertEquals(ReasonCode.INVALID_CREDENTIALS, f.connectFails().reason());
        assertEquals(3, f.provider.calls.get());
    }

    @Test
    void blockWithoutEndLastsUntilLifted() throws Exception {
        Fixture f = new Fixture(Response.BLOCK);
        f.connectFails();
        f.connectFails();
        f.awaitAnomalies(1);
        f.clock.advance(Duration.ofDays(365));
        AuthenticationException locked = f.connectFails();
        assertEquals(ReasonCode.LOCKED_OUT, locked.reason());
        assertTrue(locked.getMessage().contains("until an operator lifts the block"), locked.getMessage());
        assertEquals(2, f.provider.calls.get());
    }

    @Test
    void alertAndRequireMfaAreOnlyRecorded() throws Exception {
        for (Response r : new Response[] {Response.ALERT, Response.REQUIRE_MFA}) {
            Fixture f = new Fixture(r);
            f.connectFails();
            f.connectFails();
            f.awaitAnomalies(1);
            assertEquals(ReasonCode.INVALID_CREDENTIALS, f.connectFails().reason());
            assertEquals(3, f.provider.calls.get());
        }
    }

    @Test
    void locksMatchPrincipalOrSourceAndEnd() {
        Lockouts l = new Lockouts();
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        l.accept(new Finding("d", Severity.LOW, "r", Response.ALERT, "svc", null, null));
        assertTrue(l.active(List.of("svc"), null, t0).isEmpty());
        l.accept(new Finding("d", Severity.HIGH, "r", Response.THROTTLE, "svc", "ws://h/db", t0.plusSeconds(10)));
        assertTrue(l.active(List.of("other", "svc"), null, t0).isPresent());
        assertTrue(l.active(List.of("other"), "ws://h/db", t0).isEmpty(), "a principal lock is not a source lock");
        l.accept(new Finding("d", Severity.HIGH, "r", Response.THROTTLE, "svc", null, t0.plusSeconds(5)));
        assertEquals(t0.plusSeconds(10), l.active(List.of("svc"), null, t0).orElseThrow().until(), "longer kept");
        assertTrue(l.active(List.of("svc"), null, t0.plusSeconds(10)).isEmpty());
        l.accept(new Finding("d", Severity.HIGH, "r", Response.BLOCK, null, "ws://h/db", null));
        assertTrue(l.active(List.of("x"), "ws://h/db", t0.plusSeconds(1_000_000)).isPresent());
        assertTrue(l.lift("ws://h/db"));
        assertTrue(l.active(List.of("x"), "ws://h/db", t0).isEmpty());
    }
}
