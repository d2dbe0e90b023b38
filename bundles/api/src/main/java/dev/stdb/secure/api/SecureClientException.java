package dev.stdb.secure.api;

import java.util.Objects;

/**
 * Base of every exception the client throws: it carries a {@link ReasonCode} for machines and a message a person
 * can act on. {@link #getMessage()} reads {@code "[auth.token_expired] <message>"}.
 *
 * <p>Messages and causes never include secret values (tokens, passwords, keys, codes). Name the key, the alias or
 * the {@link Secret#fingerprint() fingerprint} instead; wrap a third-party exception as a cause only if its message
 * cannot contain the secret either.
 *
 * <p>Unchecked, because callers mostly cannot recover locally and the async API reports failures through
 * {@link java.util.concurrent.CompletionStage}s anyway.
 */
public class SecureClientException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ReasonCode reason;

    /**
     * @param reason  why it failed
     * @param message what happened and what to do; null uses {@link ReasonCode#description()}
     */
    public SecureClientException(ReasonCode reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  why it failed
     * @param message what happened and what to do; null uses {@link ReasonCode#description()}
     * @param cause   the underlying failure, or null
     */
    public SecureClientException(ReasonCode reason, String message, Throwable cause) {
        super(format(reason, message), cause);
        this.reason = reason;
    }

    /** The machine-readable reason. */
    public ReasonCode reason() {
        return reason;
    }

    private static String format(ReasonCode reason, String message) {
        Objects.requireNonNull(reason, "reason");
        String text = message == null || message.isBlank() ? reason.description() : message;
        return "[" + reason.code() + "] " + text;
    }
}
