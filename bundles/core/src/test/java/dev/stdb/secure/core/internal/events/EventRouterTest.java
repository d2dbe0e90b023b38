package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.internal.events.EventFixtures.RecordingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static dev.stdb.secure.api.audit.SecurityEventType.ANOMALY;
import static dev.stdb.secure.api.audit.SecurityEventType.AUDIT_FAILURE;
import static dev.stdb.secure.api.audit.SecurityEventType.AUTH_SUCCESS;
import static dev.stdb.secure.core.internal.events.EventFixtures.await;
import static dev.stdb.secure.core.internal.events.EventFixtures.event;
import static dev.stdb.secure.core.internal.events.EventFixtures.events;
import static org.junit.jupiter.api.Assertions.*;

/** Fan-out, ordering, spooling and retry, detectors: the {@link EventRouter} with memory spools. */
class EventRouterTest {
    private final List<Finding> findings = new CopyOnWriteArrayList<>();
    private final EventRouter router = EventRouter.builder()
            .initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(40))
            .closeGrace(Duration.ofSeconds(1))
            .findingListener(findings::add)
            .build();

    @AfterEach
    void close() {
        router.close();
    }

    @Test
    void everySinkGetsEveryEventInEmitOrderOnTheWorkerThread() {
        RecordingSink a = new RecordingSink();
        RecordingSink b = new RecordingSink();
        RecordingSink c = new RecordingSink();
        router.addSink("a", a);
        router.addSink("b", b);
        router.addSink("c", c);
        List<SecurityEvent> sent = events(200);
        sent.forEach(router::emit);
        for (RecordingSink s : List.of(a, b, c)) {
            await("200 events", () -> s.accepted.size() == 200);
            assertEquals(sent, s.accepted);
            assertEquals(EventRouter.THREAD_NAME, s.thread);
        }
        assertEquals(Map.of(), router.spooled());
    }

    @Test
    void aFailingSinkGetsEveryEventInOrderOnceItRecoversAndOthersAreNotHeldUp() {
        RecordingSink good = new RecordingSink();
        RecordingSink bad = new RecordingSink(true);
        router.addSink("good", good);
        router.addSink("bad", bad);
        List<SecurityEvent> sent = events(60);
        sent.subList(0, 30).forEach(router::emit);

        await("the good sink is not held up", () -> good.of(AUTH_SUCCESS).size() == 30);
        await("30 events spooled for the bad sink", () -> router.spooled().getOrDefault("bad", 0) >= 30);
        assertTrue(bad.accepted.isEmpty());
        await("retries with backoff", () -> bad.refused.get() >= 3);

        bad.failing = false;
        sent.subList(30, 60).forEach(router::emit); // some of these land in the spool, behind the older ones
        await("the bad sink recovers", () -> bad.of(AUTH_SUCCESS).size() == 60);
        assertEquals(sent, bad.of(AUTH_SUCCESS));
        assertEquals(sent, good.of(AUTH_SUCCESS));
        await("spool drained", () -> router.spooled().isEmpty());

        // one AUDIT_FAILURE when the sink started failing, also delivered (late) to the failing sink itself
        await("failure reported", () -> bad.of(AUDIT_FAILURE).size() == 1);
        List<SecurityEvent> failures = good.of(AUDIT_FAILURE);
        assertEquals(1, failures.size());
        SecurityEvent failure = failures.get(0);
        assertEquals(Outcome.FAILURE, failure.outcome());
        assertEquals(EventRouter.SOURCE, failure.source());
        assertEquals("bad", failure.details().get("sink"));
        assertEquals("audit.sink_unavailable", failure.details().get("reason"));
        assertEquals(dev.stdb.secure.api.AuditException.class.getName(), failure.details().get("error"));
    }

    @Test
    void aRemovedSinkKeepsItsSpoolAndDeliversItWhenItsKeyReturns() {
        RecordingSink down = new RecordingSink(true);
        router.addSink("trail", down);
        List<SecurityEvent> sent = events(12);
        sent.subList(0, 10).forEach(router::emit);
        await("spooled", () -> router.spooled().getOrDefault("trail", 0) == 11); // 10 + AUDIT_FAILURE

        router.removeSink("trail");
        router.emit(sent.get(10)); // no sink has the key: not spooled for it
        RecordingSink marker = new RecordingSink();
        router.addSink("marker", marker);
        router.emit(event(SecurityEventType.CONNECTED, 0));
        await("removal processed", () -> marker.accepted.size() == 1);
        assertEquals(Map.of("trail", 11), router.spooled());

        RecordingSink back = new RecordingSink();
        router.addSink("trail", back);
        router.emit(sent.get(11));
        await("spool delivered", () -> back.of(AUTH_SUCCESS).size() == 11);
        List<SecurityEvent> expected = new ArrayList<>(sent.subList(0, 10));
        expected.add(sent.get(11));
        assertEquals(expected, back.of(AUTH_SUCCESS));
        assertEquals(1, back.of(AUDIT_FAILURE).size());
        await("spool empty", () -> router.spooled().isEmpty());
    }

    @Test
    void replacingAFailingSinkUnderTheSameKeyDrainsItsSpoolRightAway() {
        router.addSink("k", new RecordingSink(true));
        List<SecurityEvent> sent = events(5);
        sent.forEach(router::emit);
        await("spooled", () -> router.spooled().getOrDefault("k", 0) == 6);
        RecordingSink replacement = new RecordingSink();
        router.addSink("k", replacement);
        await("drained", () -> replacement.of(AUTH_SUCCESS).size() == 5);
        assertEquals(sent, replacement.of(AUTH_SUCCESS));
    }

    @Test
    void findingsBecomeAnomalyEventsAndAreNeverFedBackToDetectors() {
        RecordingSink sink = new RecordingSink();
        router.addSink("sink", sink);
        List<SecurityEvent> seen = new CopyOnWriteArrayList<>();
        Instant until = Instant.parse("2030-01-01T00:00:00Z");
        // reports a finding on every event it sees: any feedback would loop forever
        router.addDetector("brute-force", detector("brute-force", seen,
                e -> List.of(new Finding("brute-force", Severity.HIGH, "12 failed sign-ins in 60 s",
                        Response.THROTTLE, e.principal(), "10.0.0.7", until))));

        List<SecurityEvent> sent = events(3);
        sent.forEach(router::emit);
        SecurityEvent external = SecurityEvent.of(ANOMALY, Outcome.WARNING).source("elsewhere").build();
        router.emit(external);
        SecurityEvent marker = event(SecurityEventType.CONNECTED, 9);
        router.emit(marker);
        await("all delivered", () -> sink.accepted.size() == 9);

        assertEquals(List.of(sent.get(0), sent.get(1), sent.get(2), marker), seen, "detector saw no ANOMALY");
        List<SecurityEvent> got = sink.accepted;
        for (int i = 0; i < 3; i++) {
            assertEquals(sent.get(i), got.get(2 * i));
            SecurityEvent anomaly = got.get(2 * i + 1);
            assertEquals(ANOMALY, anomaly.type());
            assertEquals(Outcome.WARNING, anomaly.outcome());
            assertEquals(EventRouter.SOURCE, anomaly.source());
            assertEquals("alice", anomaly.principal());
            assertEquals("conn-1", anomaly.connection());
            assertEquals(Map.of("detector", "brute-force", "severity", "HIGH",
                    "reason", "12 failed sign-ins in 60 s", "response", "THROTTLE", "principal", "alice",
                    "source", "10.0.0.7", "until", until.toString(), "trigger", sent.get(i).id().toString(),
                    "trigger.type", "AUTH_SUCCESS"), anomaly.details());
        }
        assertEquals(external, got.get(6));
        assertEquals(marker, got.get(7));
        assertEquals(ANOMALY, got.get(8).type());
        assertEquals(4, findings.size(), "the finding listener gets every finding");
    }

    @Test
    void aThrowingDetectorIsSkippedAndTheOthersGoOn() {
        RecordingSink sink = new RecordingSink();
        router.addSink("sink", sink);
        List<SecurityEvent> brokenSaw = new CopyOnWriteArrayList<>();
        List<SecurityEvent> nullSaw = new CopyOnWriteArrayList<>();
        List<SecurityEvent> goodSaw = new CopyOnWriteArrayList<>();
        router.addDetector("broken", detector("broken", brokenSaw, e -> {
            throw new IllegalStateException("detector bug");
        }));
        router.addDetector("null", detector("null", nullSaw, e -> null));
        router.addDetector("good", detector("good", goodSaw, e -> "2".equals(e.details().get("n"))
                ? List.of(new Finding("good", Severity.LOW, "third", Response.ALERT, null, null, null))
                : List.of()));
        List<SecurityEvent> sent = events(5);
        sent.forEach(router::emit);
        await("delivered", () -> sink.accepted.size() == 6);
        await("the last detector saw every event", () -> goodSaw.size() == 5); // sinks come before detectors
        assertEquals(sent, sink.of(AUTH_SUCCESS));
        assertEquals(sent, brokenSaw);
        assertEquals(sent, nullSaw);
        assertEquals(sent, goodSaw);
        SecurityEvent anomaly = sink.accepted.get(3);
        assertEquals(ANOMALY, anomaly.type());
        assertNull(anomaly.principal());
        assertFalse(anomaly.details().containsKey("principal"));
        assertFalse(anomaly.details().containsKey("source"));

        router.removeDetector("good");
        router.emit(event(2));
        await("delivered", () -> sink.accepted.size() == 7);
        assertEquals(AUTH_SUCCESS, sink.accepted.get(6).type());
        assertEquals(5, goodSaw.size());
    }

    @Test
    void concurrentEmittersLoseNothingAndKeepTheirOwnOrder() throws InterruptedException {
        RecordingSink sink = new RecordingSink();
        RecordingSink flaky = new RecordingSink();
        router.addSink("sink", sink);
        router.addSink("flaky", flaky);
        int threads = 8;
        int perThread = 2500;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> emitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "t" + t;
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    router.emit(SecurityEvent.of(AUTH_SUCCESS, Outcome.SUCCESS).source(name)
                            .detail("n", Integer.toString(i)).build());
                    if (i == perThread / 2 && "t0".equals(name)) {
                        flaky.failing = true;
                    }
                }
            });
            emitters.add(thread);
            thread.start();
        }
        start.countDown();
        for (Thread t : emitters) {
            t.join();
        }
        await("flaky spools", () -> flaky.refused.get() > 0);
        flaky.failing = false;
        int total = threads * perThread;
        await("every event", () -> sink.of(AUTH_SUCCESS).size() == total);
        await("every event, also after failures", () -> flaky.of(AUTH_SUCCESS).size() == total);
        for (RecordingSink s : List.of(sink, flaky)) {
            List<SecurityEvent> got = s.of(AUTH_SUCCESS);
            Set<java.util.UUID> ids = new HashSet<>();
            got.forEach(e -> ids.add(e.id()));
            assertEquals(total, ids.size(), "no duplicates, none lost");
            Map<String, Integer> last = new java.util.HashMap<>();
            for (SecurityEvent e : got) {
                int n = Integer.parseInt(e.details().get("n"));
                assertEquals(last.getOrDefault(e.source(), -1) + 1, n, "per-emitter order");
                last.put(e.source(), n);
            }
        }
        assertEquals(sink.of(AUTH_SUCCESS), flaky.of(AUTH_SUCCESS), "the same order for every sink");
    }

    @Test
    void emitNeverThrowsNotEvenWhenClosedOrGivenNull() {
        RecordingSink sink = new RecordingSink();
        router.addSink("sink", sink);
        assertDoesNotThrow(() -> router.emit(null));
        router.emit(event(1));
        await("delivered", () -> sink.accepted.size() == 1);
        router.close();
        assertDoesNotThrow(() -> router.emit(event(2)));
        assertDoesNotThrow(router::close);
        assertEquals(1, sink.accepted.size());
    }

    @Test
    void theWorkerIsADaemonThread() throws InterruptedException {
        CountDownLatch called = new CountDownLatch(1);
        boolean[] daemon = new boolean[1];
        router.addSink("probe", e -> {
            daemon[0] = Thread.currentThread().isDaemon();
            called.countDown();
        });
        router.emit(event(1));
        assertTrue(called.await(10, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(daemon[0]);
    }

    interface Rule {
        List<Finding> apply(SecurityEvent e);
    }

    private static AnomalyDetector detector(String id, List<SecurityEvent> seen, Rule rule) {
        return new AnomalyDetector() {
            @Override
            public String id() {
                return id;
            }

            @Override
            public List<Finding> onEvent(SecurityEvent event) {
                seen.add(event);
                return rule.apply(event);
            }
        };
    }
}
