package dev.stdb.secure.sandbox.internal.server;

/** An HTTP answer other than success, with the plain-text reason the server gives. */
final class HttpError extends Exception {
    private static final long serialVersionUID = 1L;
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }
}
