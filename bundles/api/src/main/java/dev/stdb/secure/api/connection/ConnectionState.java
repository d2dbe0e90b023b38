package dev.stdb.secure.api.connection;

/** Where a connection is in its life. */
public enum ConnectionState {
    /** The first attempt is under way. */
    CONNECTING,
    /** Up and usable. */
    CONNECTED,
    /** Lost; retrying with backoff. Subscriptions and queued calls are kept. */
    RECONNECTING,
    /** Cannot go on until a required provider (auth, TLS, store) is bound again. */
    WAITING_FOR_PROVIDER,
    /** Closed for good, by the application or after a fatal error. */
    CLOSED
}
