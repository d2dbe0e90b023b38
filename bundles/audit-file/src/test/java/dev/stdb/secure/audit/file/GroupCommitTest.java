package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishers that arrive while a batch is being written share the next write and fsync. */
class GroupCommitTest {

    @TempDir
    Path dir;

    /** A clock that holds the thread named "gated" the first time it asks after {@link #arm()} (in the writer). */
    static final class GateClock extends Clock {
        final CountDownLatch held = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        volatile boolean armed;

        void arm() {
            armed = true;
        }

        @Override
        public Instant instant() {
            if (armed && "gated".equals(Thread.currentThread().getName())) {
                armed = false;
                held.countDown();
                try {
                    assertTrue(release.await(1, TimeUnit.MINUTES));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return Instant.parse("2026-01-01T00:00:00Z");
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }

    @Test
    void waitingPublishersShareOneFsync() throws Exception {
        KeyPair keys = Trails.ecKeys();
        GateClock clock = new GateClock();
        ExecutorService pool = Executors.newFixedThreadPool(7);
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(100).checkpointEvery(Duration.ZERO).checkpointTimer(false).clock(clock)
                .open()) {
            trail.publish(Trails.event(0));
            assertEquals(1, trail.syncs());
            clock.arm();
            Thread gated = new Thread(() -> trail.publish(Trails.event(1)), "gated");
            gated.start();
            assertTrue(clock.held.await(1, TimeUnit.MINUTES)); // its batch is being written
            CyclicBarrier start = new CyclicBarrier(7);
            List<Future<?>> waiting = new ArrayList<>();
            for (int i = 2; i < 9; i++) {
                SecurityEvent e = Trails.event(i);
                waiting.add(pool.submit(() -> {
                    start.await();
                    trail.publish(e);
                    return null;
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
            while (trail.headSequence() < 9 && System.nanoTime() < deadline) {
                Thread.sleep(5); // wait until all seven records are appended behind the batch in flight
            }
            assertEquals(9, trail.headSequence());
            clock.release.countDown();
            gated.join(TimeUnit.MINUTES.toMillis(1));
            for (Future<?> f : waiting) {
                f.get(1, TimeUnit.MINUTES);
            }
            assertEquals(3, trail.syncs(), "the seven waiting publishers shared one fsync");
            assertEquals(9, new HashSet<>(trail.query(AuditQuery.all())).size());
            assertTrue(trail.verifyDetailed().intact());
        } finally {
            pool.shutdownNow();
        }
    }
}
