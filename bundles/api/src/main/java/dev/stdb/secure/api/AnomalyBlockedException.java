package dev.stdb.secure.api;

import java.time.Instant;

/**
 * The core refused an operation because an anomaly detector asked it to block or throttle (for example after
 * repeated failed sign-ins). {@link #retryAfter()} says when trying again makes sense.
 */
public class AnomalyBlockedException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    private final Instant retryAfter;

    /**
     * @param reason     usually {@link ReasonCode#ANOMALY_BLOCKED}, {@link ReasonCode#ANOMALY_THROTTLED} or
     *                   {@link ReasonCode#LOCKED_OUT}
     * @param message    what was blocked and why, without secrets
     * @param retryAfter when the block ends, or null if it lasts until an operator lifts it
     */
    public AnomalyBlockedException(ReasonCode reason, String message, Instant retryAfter) {
        super(reason, message);
        this.retryAfter = retryAfter;
    }

    /** When the block ends; null if it lasts until an operator lifts it. */
    public Instant retryAfter() {
        return retryAfter;
    }
}
