package dev.stdb.secure.api.audit;

/**
 * What a {@link SecurityEvent} records. Constants may be added in minor versions; consumers treat unknown types as
 * informational.
 */
public enum SecurityEventType {
    /** A credential was acquired and accepted. */
    AUTH_SUCCESS,
    /** Signing in or validating a credential failed. */
    AUTH_FAILURE,
    /** A new token was issued to the client. */
    TOKEN_ISSUED,
    /** A token was refreshed before expiry. */
    TOKEN_REFRESHED,
    /** A token in use is close to its expiry and nothing has replaced it yet. */
    TOKEN_EXPIRING,
    /** A token was revoked at its issuer. */
    TOKEN_REVOKED,
    /** The server's certificate chain matched no configured pin. */
    PIN_MISMATCH,
    /** A configured pin set is close to its expiration date. */
    PIN_EXPIRING,
    /** A configured pin set has expired. */
    PIN_EXPIRED,
    /** A TLS handshake failed for another reason. */
    TLS_FAILURE,
    /**
     * The revocation status of a server certificate could not be determined (responder or CRL unreachable, invalid
     * or stale answer) and the soft-fail policy let the handshake go on.
     */
    REVOCATION_UNKNOWN,
    /** A secret was read from a credential store. */
    CREDENTIAL_READ,
    /** A secret was written to a credential store. */
    CREDENTIAL_WRITTEN,
    /** A secret was deleted from a credential store. */
    CREDENTIAL_DELETED,
    /** The preferred credential store failed and the next one was used. */
    STORE_FALLBACK,
    /** A credential store failed. */
    STORE_FAILURE,
    /** A provider service was bound. */
    PROVIDER_BOUND,
    /** A provider service went away. */
    PROVIDER_UNBOUND,
    /** No provider matches the configuration; the connection waits. */
    PROVIDER_MISSING,
    /** An anomaly detector reported a finding. */
    ANOMALY,
    /** A connection was established. */
    CONNECTED,
    /** A connection was closed or lost. */
    DISCONNECTED,
    /** A connection is being re-established. */
    RECONNECTING,
    /** The server reported a different identity than before for the same connection. */
    IDENTITY_CHANGED,
    /** A second factor was requested. */
    MFA_CHALLENGE,
    /** An audit sink or trail failed. */
    AUDIT_FAILURE,
    /** Security-relevant configuration changed. */
    CONFIGURATION_CHANGED,
    /**
     * A periodic usage summary of one live connection (INFO, low rate: one per connection and period, never one per
     * call); its details are named in {@link ConnectionStats}. Since 0.5.
     */
    CONNECTION_STATS
}
