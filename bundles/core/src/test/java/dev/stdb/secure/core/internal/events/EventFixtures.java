package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.fail;

/** Events, recording sinks and polling for the event tests. */
final class EventFixtures {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    private EventFixtures() {
    }

    static SecurityEvent event(int n) {
        return event(SecurityEventType.AUTH_SUCCESS, n);
    }

    static SecurityEvent event(SecurityEventType type, int n) {
        return SecurityEvent.of(type, Outcome.SUCCESS)
                .source("dev.stdb.secure.test")
                .principal("alice")
                .connection("conn-1")
                .detail("n", Integer.toString(n))
                .build();
    }

    static List<SecurityEvent> events(int count) {
        List<SecurityEvent> list = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            list.add(event(i));
        }
        return list;
    }

    /** Polls {@code condition} every few milliseconds until it holds or the timeout passes. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("timed out waiting for: " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for: " + what);
            }
        }
    }

    /** Records what it accepts; refuses everything while {@link #failing} is set. */
    static final class RecordingSink implements AuditSink {
        final List<SecurityEvent> accepted = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger refused = new AtomicInteger();
        volatile boolean failing;
        volatile String thread;

        RecordingSink() {
        }

        RecordingSink(boolean failing) {
            this.failing = failing;
        }

        @Override
        public void publish(SecurityEvent event) {
            thread = Thread.currentThread().getName();
            if (failing) {
                refused.incrementAndGet();
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "test sink is down");
            }
            accepted.add(event);
        }

        /** Accepted events of the given types only (ignores the router's own AUDIT_FAILURE and ANOMALY events). */
        List<SecurityEvent> of(SecurityEventType... types) {
            List<SecurityEventType> wanted = List.of(types);
            List<SecurityEvent> copy;
            synchronized (accepted) {
                copy = new ArrayList<>(accepted);
            }
            return copy.stream().filter(e -> wanted.contains(e.type())).collect(Collectors.toList());
        }
    }
}
