package dev.stdb.secure.audit.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.core.internal.events.EventRouter;
import dev.stdb.secure.testing.rsyslog.Rsyslog;
import dev.stdb.secure.testing.rsyslog.SyslogMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 events through the core's real EventRouter (spool and retry) while rsyslogd is stopped and started again
 * in the middle: every event arrives at least once, and duplicates are recognisable by their sequence number.
 */
class RsyslogRestartTest {

    @Test
    void nothingIsLostWhenTheServerRestarts() throws Exception {
        int total = 10_000;
        int stopAt = 3_000;
        Path dir = Path.of("target", "rsyslog", "restart-" + System.nanoTime()).toAbsolutePath();
        try (Rsyslog rsyslog = new Rsyslog(dir, null)) {
            rsyslog.start();
            CountDownLatch reached = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            AtomicInteger calls = new AtomicInteger();
            AtomicInteger failures = new AtomicInteger();
            try (SyslogAuditSink syslog = SyslogAuditSink.builder("127.0.0.1", rsyslog.port).tcp()
                    .maxBackoff(Duration.ofMillis(200)).build();
                    EventRouter router = EventRouter.builder().initialBackoff(Duration.ofMillis(20))
                            .maxBackoff(Duration.ofMillis(200)).build()) {
                AuditSink gate = event -> {
                    if (calls.incrementAndGet() == stopAt) {
                        reached.countDown(); // hold the router here until rsyslogd is down
                        await(stopped);
                    }
                    try {
                        syslog.publish(event);
                    } catch (AuditException e) {
                        failures.incrementAndGet();
                        throw e;
                    }
                };
                router.addSink("syslog", gate);
                for (int i = 0; i < total; i++) {
                    router.emit(Events.numbered(i));
                }
                assertTrue(reached.await(60, TimeUnit.SECONDS), "the router never reached event " + stopAt);
                rsyslog.stop();
                stopped.countDown();
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (router.spooled().isEmpty()) { // the outage is noticed and events are spooled
                    assertTrue(System.nanoTime() - deadline < 0, "the router never spooled an event");
                    Thread.sleep(10);
                }
                rsyslog.start();

                List<String> lines = rsyslog.await(l -> distinctN(l) == total, Duration.ofSeconds(120));
                Map<Long, String> idBySeq = new HashMap<>();
                Set<Integer> ns = new HashSet<>();
                long maxSeq = 0;
                for (String line : lines) {
                    SyslogMessage p = SyslogMessage.parse(line);
                    String before = idBySeq.putIfAbsent(p.seq(), p.params().get("id"));
                    if (before != null) {
                        assertEquals(before, p.params().get("id"), "one event per sequence number");
                    }
                    maxSeq = Math.max(maxSeq, p.seq());
                    if (p.params().containsKey("n")) {
                        ns.add(Integer.parseInt(p.params().get("n")));
                    }
                }
                assertEquals(total, ns.size(), "every event arrived");
                assertEquals(maxSeq, idBySeq.size(), "sequence numbers 1.." + maxSeq + " without a gap");
                int duplicates = lines.size() - idBySeq.size();
                System.out.printf("restart: %d events (+%d router AUDIT_FAILURE events), %d lines received,"
                        + " %d distinct seq, %d duplicates, %d failed publish calls%n", total,
                        idBySeq.size() - total, lines.size(), idBySeq.size(), duplicates, failures.get());
                assertTrue(failures.get() > 0, "the sink reported the outage");
            }
        }
    }

    private static int distinctN(List<String> lines) {
        Set<String> ns = new HashSet<>();
        for (String l : lines) {
            int i = l.indexOf(" n=\"");
            if (i >= 0) {
                ns.add(l.substring(i + 4, l.indexOf('"', i + 4)));
            }
        }
        return ns.size();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("test did not stop rsyslogd");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

}
