package dev.stdb.secure.api;

/**
 * An audit sink or trail could not accept, store or verify events (reason codes in the {@code audit} area).
 *
 * <p>When thrown by {@code AuditSink.publishAll}, {@link #acceptedCount()} says how many leading events of the batch
 * were accepted (durable) before the failure; the rest must be retried.
 */
public class AuditException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    private final int acceptedCount;

    public AuditException(ReasonCode reason, String message) {
        super(reason, message);
        this.acceptedCount = 0;
    }

    public AuditException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
        this.acceptedCount = 0;
    }

    /**
     * A failure of a batch after its first {@code acceptedCount} events were accepted.
     *
     * @throws IllegalArgumentException if {@code acceptedCount} is negative
     */
    public AuditException(ReasonCode reason, String message, Throwable cause, int acceptedCount) {
        super(reason, message, cause);
        if (acceptedCount < 0) {
            throw new IllegalArgumentException("acceptedCount is negative: " + acceptedCount);
        }
        this.acceptedCount = acceptedCount;
    }

    /** How many leading events of a batch were accepted before this failure; 0 unless a batch said otherwise. */
    public int acceptedCount() {
        return acceptedCount;
    }
}
