package dev.stdb.secure.api;

/** Signing in, refreshing or validating a token failed (reason codes in the {@code auth} area). */
public class AuthenticationException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    public AuthenticationException(ReasonCode reason, String message) {
        super(reason, message);
    }

    public AuthenticationException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
