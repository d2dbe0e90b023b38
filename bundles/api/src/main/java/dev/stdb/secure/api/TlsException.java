package dev.stdb.secure.api;

/** The TLS handshake or the TLS policy rejected a connection (reason codes in the {@code tls} area). */
public class TlsException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    public TlsException(ReasonCode reason, String message) {
        super(reason, message);
    }

    public TlsException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
