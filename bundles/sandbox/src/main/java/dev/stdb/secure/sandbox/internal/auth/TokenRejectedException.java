package dev.stdb.secure.sandbox.internal.auth;

/**
 * A bearer token was not accepted. {@link #status()} is the HTTP status to answer with (400 for a token that is not
 * a JWT at all, 401 otherwise). The message is meant for the HTTP response body and never contains the token.
 */
public final class TokenRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;

    public TokenRejectedException(int status, String message) {
        super(message);
        this.status = status;
    }

    public TokenRejectedException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    static TokenRejectedException malformed() {
        return new TokenRejectedException(400, "malformed token");
    }

    static TokenRejectedException unauthorized(String message) {
        return new TokenRejectedException(401, message);
    }

    /** The HTTP status code: 400 (malformed token) or 401. */
    public int status() {
        return status;
    }
}
