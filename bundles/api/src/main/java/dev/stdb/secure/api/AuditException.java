package dev.stdb.secure.api;

/** An audit sink or trail could not accept, store or verify events (reason codes in the {@code audit} area). */
public class AuditException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    public AuditException(ReasonCode reason, String message) {
        super(reason, message);
    }

    public AuditException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
