package dev.stdb.secure.api;

/** Connecting to, or talking with, the server failed (reason codes in the {@code connection} area). */
public class ConnectionException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    public ConnectionException(ReasonCode reason, String message) {
        super(reason, message);
    }

    public ConnectionException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
