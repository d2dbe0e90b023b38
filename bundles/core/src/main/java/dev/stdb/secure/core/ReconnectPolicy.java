package dev.stdb.secure.core;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * Automatic reconnect: exponential backoff with full jitter, {@code random(0, min(cap, base * 2^(attempt-1)))}.
 *
 * @param enabled     whether to reconnect at all
 * @param base        the first delay's upper bound
 * @param cap         the largest delay
 * @param maxAttempts attempts before giving up (0: never give up)
 */
public record ReconnectPolicy(boolean enabled, Duration base, Duration cap, int maxAttempts) {
    public static final ReconnectPolicy DEFAULT = new ReconnectPolicy(true, Duration.ofMillis(500), Duration.ofSeconds(30), 0);
    public static final ReconnectPolicy NEVER = new ReconnectPolicy(false, Duration.ZERO, Duration.ZERO, 0);

    public ReconnectPolicy {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(cap, "cap");
        if (base.isNegative() || cap.compareTo(base) < 0 || maxAttempts < 0) {
            throw new IllegalArgumentException("need 0 <= base <= cap and maxAttempts >= 0");
        }
    }

    /** The delay before attempt {@code attempt} (1 for the first reconnect). */
    public Duration delay(int attempt, Random random) {
        long ceiling = base.toMillis() << Math.min(Math.max(attempt - 1, 0), 30);
        long bound = Math.min(cap.toMillis(), ceiling < 0 ? Long.MAX_VALUE : ceiling);
        return Duration.ofMillis(bound <= 0 ? 0 : (long) (random.nextDouble() * bound));
    }

    /** Whether attempt {@code attempt} may still be made. */
    public boolean allows(int attempt) {
        return enabled && (maxAttempts == 0 || attempt <= maxAttempts);
    }
}
