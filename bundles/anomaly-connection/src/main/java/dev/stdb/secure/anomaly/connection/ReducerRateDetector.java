package dev.stdb.secure.anomaly.connection;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.ConnectionStats;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An unusual reducer-call rate per connection, against an exponentially weighted moving average (EWMA) of the
 * connection's own rate.
 *
 * <h2>Input: a low-rate summary event, not one event per call</h2>
 * The core emits no event per reducer call, and must not (it would put the event router on the hot path). This
 * detector reads <em>summary</em> events: any event with the details {@value #CALLS} (reducer calls in the period)
 * and {@value #PERIOD} (the period in milliseconds), keyed by its connection target. The core emits them as
 * {@link dev.stdb.secure.api.audit.SecurityEventType#CONNECTION_STATS}, one per live connection and period
 * ({@code stats.period.seconds}, 60 s by default), from a counter the reducer call path increments; the detail names
 * are {@link ConnectionStats}'s. Idle periods come with zero calls and pull the average down, so a burst after a
 * quiet spell stands out ({@code minRate} keeps a few calls after silence from being a finding).
 *
 * <h2>Rule</h2>
 * The rate is calls per second. The first {@code warmup} summaries only train the average. After that a rate above
 * {@code threshold} times the average and at least {@code minRate} is a finding with {@code response} (ALERT by
 * default; THROTTLE locks the connection target out for one period), and is not folded into the average, so a
 * flood cannot teach itself to be normal; any other rate updates it: {@code ewma = alpha * rate + (1 - alpha) *
 * ewma}.
 */
public final class ReducerRateDetector implements AnomalyDetector {
    public static final String ID = "reducer-rate";
    /** Detail: reducer calls in the period ({@link ConnectionStats#REDUCER_CALLS}). */
    public static final String CALLS = ConnectionStats.REDUCER_CALLS;
    /** Detail: length of the period in milliseconds ({@link ConnectionStats#PERIOD_MS}). */
    public static final String PERIOD = ConnectionStats.PERIOD_MS;

    private final double alpha;
    private final double threshold;
    private final int warmup;
    private final double minRate;
    private final Response response;
    private final Map<String, double[]> state = new HashMap<>(); // {ewma, samples}

    public ReducerRateDetector(double alpha, double threshold, int warmup, double minRate, Response response) {
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("reducerRate.alpha: must be in (0, 1], not " + alpha);
        }
        if (!(threshold > 1)) {
            throw new IllegalArgumentException("reducerRate.threshold: must be above 1, not " + threshold);
        }
        if (warmup < 1) {
            throw new IllegalArgumentException("reducerRate.warmup: must be at least 1, not " + warmup);
        }
        if (response != Response.ALERT && response != Response.THROTTLE) {
            throw new IllegalArgumentException("reducerRate.response: ALERT or THROTTLE, not " + response);
        }
        this.alpha = alpha;
        this.threshold = threshold;
        this.warmup = warmup;
        this.minRate = minRate;
        this.response = response;
    }

    @Override
    public String id() {
        return ID;
    }

    /** The average rate (calls/s) of {@code target}, or NaN before its first summary. */
    public synchronized double average(String target) {
        double[] s = state.get(target);
        return s == null ? Double.NaN : s[0];
    }

    @Override
    public synchronized List<Finding> onEvent(SecurityEvent e) {
        String calls = e.details().get(CALLS);
        String period = e.details().get(PERIOD);
        if (calls == null || period == null) {
            return List.of();
        }
        double rate;
        long periodMs;
        try {
            periodMs = Long.parseLong(period);
            rate = Long.parseLong(calls) * 1000.0 / periodMs;
        } catch (NumberFormatException | ArithmeticException bad) {
            return List.of();
        }
        if (periodMs <= 0 || rate < 0) {
            return List.of();
        }
        String target = String.valueOf(Keys.target(e));
        double[] s = state.get(target);
        if (s == null) {
            state.put(target, new double[] {rate, 1});
            return List.of();
        }
        double ewma = s[0];
        if (s[1] >= warmup && rate >= minRate && rate > threshold * ewma) {
            String reason = String.format(java.util.Locale.ROOT,
                    "%.1f reducer calls/s on %s, %.1f times its average of %.2f/s (threshold %.1f)", rate, target,
                    ewma == 0 ? Double.POSITIVE_INFINITY : rate / ewma, ewma, threshold);
            return List.of(new Finding(ID, rate > 2 * threshold * ewma ? Severity.HIGH : Severity.MEDIUM, reason,
                    response, null, target, response == Response.THROTTLE
                    ? e.time().plusMillis(periodMs) : null));
        }
        s[0] = alpha * rate + (1 - alpha) * ewma;
        s[1]++;
        return List.of();
    }
}
