package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.audit.ConnectionStats;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * Counts a connection's reducer calls and turns the count into one {@link SecurityEventType#CONNECTION_STATS} event
 * per period. The call path only increments a {@link LongAdder} (no lock, no event, no allocation), so the event
 * router stays off it; {@link #summary} runs on the connection's loop once per period.
 *
 * <p>A summary is made only while the connection is up; otherwise the count and the period start are kept, and the
 * next summary covers the whole time since the last one (the rate stays calls over elapsed time). Idle periods are
 * reported with zero calls: a rate average must see idle time too (see {@link ConnectionStats}).
 */
public final class ReducerCallStats {
    private final LongAdder calls = new LongAdder();
    private final Clock clock;
    // Loop thread only. The adder is never reset (sumThenReset could drop an increment racing with it): each summary
    // reports the growth since the last one.
    private Instant periodStart;
    private long reported;

    public ReducerCallStats(Clock clock) {
        this.clock = clock;
        this.periodStart = clock.instant();
    }

    /** One reducer call made; any thread. */
    public void called() {
        calls.increment();
    }

    /**
     * The summary of the period that ends now, built on {@code base} (source, target details, connection), or null
     * when the connection is not up (then the period goes on).
     */
    public SecurityEvent summary(boolean up, UnaryOperator<SecurityEvent.Builder> base) {
        if (!up) {
            return null;
        }
        Instant now = clock.instant();
        long periodMs = Math.max(0, now.toEpochMilli() - periodStart.toEpochMilli());
        if (periodMs == 0) {
            return null; // nothing measurable yet; the calls stay for the next summary
        }
        long total = calls.sum();
        long n = total - reported;
        reported = total;
        periodStart = now;
        return base.apply(SecurityEvent.of(SecurityEventType.CONNECTION_STATS, Outcome.INFO).time(now))
                .detail(ConnectionStats.REDUCER_CALLS, Long.toString(n))
                .detail(ConnectionStats.PERIOD_MS, Long.toString(periodMs)).build();
    }
}
