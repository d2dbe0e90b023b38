package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.audit.ConnectionStats;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.testing.clock.ManualClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.*;

/** The per-connection reducer-call counter and its summary events, on a clock the test moves. */
class ReducerCallStatsTest {


    private static final UnaryOperator<SecurityEvent.Builder> TARGET = b -> b.source("dev.stdb.secure.core")
            .detail("uri", "ws://127.0.0.1:3000").detail("database", "quickstart");

    private static long calls(SecurityEvent e) {
        return Long.parseLong(e.details().get(ConnectionStats.REDUCER_CALLS));
    }

    private static long periodMs(SecurityEvent e) {
        return Long.parseLong(e.details().get(ConnectionStats.PERIOD_MS));
    }

    @Test
    void eachSummaryCountsTheCallsOfItsPeriodAndIdlePeriodsReportZero() {
        ManualClock clock = new ManualClock();
        ReducerCallStats stats = new ReducerCallStats(clock);
        for (int i = 0; i < 120; i++) {
            stats.called();
        }
        clock.advance(Duration.ofSeconds(60));
        SecurityEvent first = stats.summary(true, TARGET);
        assertEquals(SecurityEventType.CONNECTION_STATS, first.type());
        assertEquals(Outcome.INFO, first.outcome());
        assertEquals(120, calls(first));
        assertEquals(60_000, periodMs(first));
        assertEquals(clock.instant(), first.time());
        assertEquals("ws://127.0.0.1:3000", first.details().get("uri"));
        assertEquals("quickstart", first.details().get("database"));

        clock.advance(Duration.ofSeconds(60));
        SecurityEvent idle = stats.summary(true, TARGET);
        assertEquals(0, calls(idle), "an idle period is reported, with zero calls");
        assertEquals(60_000, periodMs(idle));

        stats.called();
        stats.called();
        clock.advance(Duration.ofMillis(1500));
        SecurityEvent third = stats.summary(true, TARGET);
        assertEquals(2, calls(third));
        assertEquals(1500, periodMs(third), "the period is the time measured since the last summary");
    }

    @Test
    void whileDownNothingIsReportedAndTheNextSummaryCoversTheWholeTime() {
        ManualClock clock = new ManualClock();
        ReducerCallStats stats = new ReducerCallStats(clock);
        for (int i = 0; i < 5; i++) {
            stats.called();
        }
        clock.advance(Duration.ofSeconds(60));
        assertNull(stats.summary(false, TARGET), "no summary while the connection is down");
        for (int i = 0; i < 7; i++) {
            stats.called();
        }
        clock.advance(Duration.ofSeconds(60));
        SecurityEvent e = stats.summary(true, TARGET);
        assertEquals(12, calls(e), "calls of the skipped period are not lost");
        assertEquals(120_000, periodMs(e), "the rate stays calls over elapsed time");
    }

    @Test
    void noSummaryForAPeriodOfZeroLength() {
        ManualClock clock = new ManualClock();
        ReducerCallStats stats = new ReducerCallStats(clock);
        stats.called();
        assertNull(stats.summary(true, TARGET));
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, calls(stats.summary(true, TARGET)));
    }

    @Test
    void callsFromManyThreadsAreAllCountedAcrossSummaries() throws Exception {
        ManualClock clock = new ManualClock();
        ReducerCallStats stats = new ReducerCallStats(clock);
        int threads = 4;
        int each = 50_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> callers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < each; i++) {
                    stats.called();
                }
            });
            th.start();
            callers.add(th);
        }
        go.countDown();
        long total = 0;
        // Summaries taken while the callers run: none of their increments may fall between two summaries.
        while (callers.stream().anyMatch(Thread::isAlive)) {
            clock.advance(Duration.ofMillis(10));
            total += calls(stats.summary(true, TARGET));
        }
        for (Thread th : callers) {
            th.join();
        }
        clock.advance(Duration.ofMillis(10));
        total += calls(stats.summary(true, TARGET));
        assertEquals((long) threads * each, total);
    }
}
