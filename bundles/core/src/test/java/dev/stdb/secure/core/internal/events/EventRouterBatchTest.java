package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.core.internal.events.EventFixtures.RecordingSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.stdb.secure.api.audit.SecurityEventType.AUDIT_FAILURE;
import static dev.stdb.secure.api.audit.SecurityEventType.AUTH_SUCCESS;
import static dev.stdb.secure.core.internal.events.EventFixtures.await;
import static dev.stdb.secure.core.internal.events.EventFixtures.event;
import static dev.stdb.secure.core.internal.events.EventFixtures.events;
import static org.junit.jupiter.api.Assertions.*;

/** Batch delivery: queued events reach a sink in one {@code publishAll}, in order, with partial acceptance. */
class EventRouterBatchTest {
    private final EventRouter router = EventRouter.builder()
            .initialBackoff(Duration.ofMillis(5))
            .maxBackoff(Duration.ofMillis(40))
            .closeGrace(Duration.ofSeconds(1))
            .build();

    @AfterEach
    void close() {
        router.close();
    }

    /** Records each publishAll batch; the first call blocks until released, so events queue up behind it. */
    static final class BatchSink implements AuditSink {
        final List<List<SecurityEvent>> batches = Collections.synchronizedList(new ArrayList<>());
        final List<SecurityEvent> accepted = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        /** How many events of the next batch to accept before failing; -1 for all. */
        volatile int acceptThenFail = -1;
        final AtomicInteger singles = new AtomicInteger();

        /** Accepted AUTH_SUCCESS events (the test events). */
        List<SecurityEvent> of() {
            synchronized (accepted) {
                return accepted.stream().filter(e -> e.type() == AUTH_SUCCESS)
                        .collect(java.util.stream.Collectors.toList());
            }
        }

        @Override
        public void publish(SecurityEvent event) {
            if (event.type() == AUTH_SUCCESS) {
                singles.incrementAndGet();
            }
            accepted.add(event);
        }

        @Override
        public void publishAll(List<SecurityEvent> events) {
            entered.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            batches.add(List.copyOf(events));
            int n = acceptThenFail;
            if (n >= 0 && events.size() > n) { // the blocked first batch is too short to fail
                acceptThenFail = -1;
                accepted.addAll(events.subList(0, n));
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "disk hiccup", null, n);
            }
            accepted.addAll(events);
        }
    }

    @Test
    void queuedEventsReachTheSinkInOneBatchInEmitOrder() throws InterruptedException {
        BatchSink sink = new BatchSink();
        router.addSink("batch", sink);
        SecurityEvent first = event(-1);
        router.emit(first);
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        List<SecurityEvent> sent = events(300);
        sent.forEach(router::emit); // queued while the worker is inside publishAll
        sink.release.countDown();
        await("301 events", () -> sink.of().size() == 301);
        assertEquals(List.of(List.of(first), sent), sink.batches, "the queued events came as one batch");
        assertEquals(0, sink.singles.get());
        assertEquals(Map.of(), router.spooled());
    }

    @Test
    void aBatchStopsAtACommandAndAtTheBatchLimit() throws InterruptedException {
        BatchSink sink = new BatchSink();
        RecordingSink late = new RecordingSink();
        router.addSink("batch", sink);
        router.emit(event(-1));
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        List<SecurityEvent> before = events(EventRouter.MAX_BATCH + 10);
        before.forEach(router::emit);
        router.addSink("late", late);
        SecurityEvent after = event(99_999);
        router.emit(after);
        sink.release.countDown();
        int total = 1 + before.size() + 1;
        await("all events", () -> sink.accepted.size() == total);
        assertEquals(4, sink.batches.size(), "split at the limit and at addSink");
        assertEquals(before.subList(0, EventRouter.MAX_BATCH), sink.batches.get(1));
        assertEquals(before.subList(EventRouter.MAX_BATCH, before.size()), sink.batches.get(2));
        assertEquals(List.of(after), sink.batches.get(3));
        await("late sink", () -> late.accepted.size() == 1);
        assertEquals(List.of(after), late.accepted, "a sink added between events gets only the later ones");
    }

    @Test
    void eventsAfterTheAcceptedPrefixAreSpooledAndRetriedInOrder() throws InterruptedException {
        BatchSink sink = new BatchSink();
        RecordingSink other = new RecordingSink();
        router.addSink("batch", sink);
        router.addSink("other", other);
        SecurityEvent first = event(-1);
        router.emit(first);
        assertTrue(sink.entered.await(10, TimeUnit.SECONDS));
        sink.acceptThenFail = 40; // applies to the next batch
        List<SecurityEvent> sent = events(100);
        sent.forEach(router::emit);
        sink.release.countDown();
        await("all delivered", () -> sink.of().size() == 101);
        List<SecurityEvent> expected = new ArrayList<>();
        expected.add(first);
        expected.addAll(sent);
        assertEquals(expected, sink.of(), "every event once, in emit order");
        assertEquals(60, sink.singles.get(), "only the refused tail was retried");
        await("other sink", () -> other.of(AUTH_SUCCESS).size() == 101);
        assertEquals(expected, other.of(AUTH_SUCCESS), "other sinks are not held up");
        await("AUDIT_FAILURE reported", () -> other.of(AUDIT_FAILURE).size() == 1);
        await("spool empty", () -> router.spooled().isEmpty());
    }

    @Test
    void theDefaultPublishAllReportsTheAcceptedPrefixOfAPlainSink() {
        AtomicInteger calls = new AtomicInteger();
        List<SecurityEvent> got = new ArrayList<>();
        AuditSink plain = e -> {
            if (calls.incrementAndGet() == 3) {
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "down");
            }
            got.add(e);
        };
        List<SecurityEvent> sent = events(5);
        AuditException e = assertThrows(AuditException.class, () -> plain.publishAll(sent));
        assertEquals(2, e.acceptedCount());
        assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, e.reason());
        assertEquals(sent.subList(0, 2), got);

        AuditSink broken = ev -> {
            throw new IllegalStateException("bug");
        };
        assertThrows(IllegalStateException.class, () -> broken.publishAll(sent), "nothing accepted: as thrown");
    }
}
