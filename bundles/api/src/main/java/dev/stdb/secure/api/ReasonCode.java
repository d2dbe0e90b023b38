package dev.stdb.secure.api;

/**
 * Why an operation failed, as a stable machine-readable {@link #code()} (for alerts, metrics and support) plus a
 * default description that tells a person what to do.
 *
 * <p>Codes are part of the API: once released, a code string never changes meaning and is never reused. Constants
 * may be added in minor versions, so switch statements over this enum need a default branch.
 */
public enum ReasonCode {

    // auth
    INVALID_CREDENTIALS(Area.AUTH, "auth.invalid_credentials",
            "The identity provider rejected the credentials; check the client id, secret, key or password."),
    TOKEN_EXPIRED(Area.AUTH, "auth.token_expired",
            "The token has expired; the client refreshes it automatically, otherwise sign in again."),
    TOKEN_INVALID(Area.AUTH, "auth.token_invalid",
            "The token is malformed or fails validation (issuer, audience or algorithm); check the provider configuration."),
    TOKEN_MISSING(Area.AUTH, "auth.token_missing",
            "No token is available from the configured source (file, environment variable, credential store entry or callback); supply one."),
    TOKEN_FORGED(Area.AUTH, "auth.token_forged",
            "The token signature does not verify against the issuer's keys; treat this as an attack and investigate."),
    IDP_UNREACHABLE(Area.AUTH, "auth.idp_unreachable",
            "The identity provider cannot be reached; check the network, proxy and issuer URL."),
    REFRESH_FAILED(Area.AUTH, "auth.refresh_failed",
            "The token could not be refreshed; the client retries, and asks for a new sign-in if the refresh token is revoked."),
    RELOGIN_REQUIRED(Area.AUTH, "auth.relogin_required",
            "The session can no longer be renewed without the user; sign in again."),
    MFA_REQUIRED(Area.AUTH, "auth.mfa_required",
            "A second factor is required; configure an MFA handler for this provider."),
    MFA_FAILED(Area.AUTH, "auth.mfa_failed",
            "The second factor was wrong, denied or timed out; try again with a fresh code or approval."),
    LOCKED_OUT(Area.AUTH, "auth.locked_out",
            "Too many failed attempts; wait for the lockout to end or ask an administrator to lift it."),

    // tls
    UNTRUSTED_CHAIN(Area.TLS, "tls.untrusted_chain",
            "The server certificate chain does not lead to a trusted CA; add the CA to the trust store of the TLS profile."),
    CERT_EXPIRED(Area.TLS, "tls.cert_expired",
            "A certificate in the chain has expired or is not yet valid; renew it on the server or fix the clock."),
    HOSTNAME_MISMATCH(Area.TLS, "tls.hostname_mismatch",
            "The server certificate does not name the host in the URI; connect with the name on the certificate."),
    PIN_MISMATCH(Area.TLS, "tls.pin_mismatch",
            "No certificate in the chain matches a configured pin; if the server rotated keys, update the pins, else investigate."),
    REVOKED(Area.TLS, "tls.revoked",
            "A certificate in the chain has been revoked; the server must install a new certificate."),
    REVOCATION_UNKNOWN(Area.TLS, "tls.revocation_unknown",
            "The revocation status of a certificate in the chain could not be determined (OCSP responder or CRL unreachable, or its answer invalid or stale) and the TLS profile is hard-fail; restore access to the CA's OCSP/CRL servers, have the server staple OCSP, or use soft-fail."),
    PROTOCOL_REFUSED(Area.TLS, "tls.protocol_refused",
            "Client and server share no allowed TLS version; enable TLS 1.2 or 1.3 on the server."),
    WEAK_CIPHER(Area.TLS, "tls.weak_cipher",
            "The server offered only cipher suites the policy forbids; configure strong suites on the server."),
    CLIENT_CERT_UNAVAILABLE(Area.TLS, "tls.client_cert_unavailable",
            "The client certificate or its key is not available; check the key store, token or HSM and its PIN."),

    // store
    STORE_LOCKED(Area.STORE, "store.locked",
            "The credential store is locked; unlock the keyring, file or token and retry."),
    STORE_UNAVAILABLE(Area.STORE, "store.unavailable",
            "The credential store cannot be reached; the client falls back to the next store, if one is configured."),
    STORE_TAMPERED(Area.STORE, "store.tampered",
            "Stored data failed its integrity check; treat this as an attack, restore from a trusted source and rotate credentials."),
    STORE_PERMISSIONS(Area.STORE, "store.permissions",
            "The store file or directory is readable by others or not writable; fix its owner and permissions."),
    KEY_UNAVAILABLE(Area.STORE, "store.key_unavailable",
            "The key is missing or cannot be used; check the alias, the token and its PIN."),
    ENTRY_NOT_FOUND(Area.STORE, "store.entry_not_found",
            "No credential is stored under that key; store one first or check the key name."),

    // audit
    AUDIT_SINK_UNAVAILABLE(Area.AUDIT, "audit.sink_unavailable",
            "An audit sink cannot accept events; they are spooled and retried, fix the sink before the spool fills."),
    AUDIT_CHAIN_BROKEN(Area.AUDIT, "audit.chain_broken",
            "The audit trail failed verification; records were altered or removed, preserve the files and investigate."),

    // config
    INVALID_CONFIGURATION(Area.CONFIG, "config.invalid",
            "The configuration is invalid; fix the property named in the message."),

    // connection
    CONNECTION_FAILED(Area.CONNECTION, "connection.failed",
            "The connection could not be established; check the URI, the network and that the server is running."),
    CONNECTION_LOST(Area.CONNECTION, "connection.lost",
            "The connection was lost; the client reconnects automatically if reconnect is enabled."),
    PROTOCOL_ERROR(Area.CONNECTION, "connection.protocol_error",
            "The server sent a message the client cannot understand; check that client and server versions match."),
    OUTCOME_UNKNOWN(Area.CONNECTION, "connection.outcome_unknown",
            "The connection dropped while the call was in flight; it may or may not have executed, check before retrying."),
    PROVIDER_MISSING(Area.CONNECTION, "connection.provider_missing",
            "A required provider service (auth, TLS or store) is not available; install or start the bundle that provides it."),
    SERVER_REJECTED(Area.CONNECTION, "connection.server_rejected",
            "The server rejected the request; see the message for the server's reason."),
    IDENTITY_CHANGED(Area.CONNECTION, "connection.identity_changed",
            "The server reported another identity after a reconnect; the client stopped rather than mix two identities' data."),
    CLOSED(Area.CONNECTION, "connection.closed",
            "The connection was closed by the application; open a new one."),
    REDUCER_FAILED(Area.CONNECTION, "connection.reducer_failed",
            "The reducer returned an error and its transaction was rolled back; see the message for the module's reason."),
    REDUCER_INTERNAL_ERROR(Area.CONNECTION, "connection.reducer_internal_error",
            "The reducer could not run (unknown reducer, bad arguments or a panic); see the server's diagnostic."),
    SUBSCRIPTION_FAILED(Area.CONNECTION, "connection.subscription_failed",
            "The server refused or dropped the subscription; see the message for the query error."),
    QUERY_FAILED(Area.CONNECTION, "connection.query_failed",
            "The server could not run the query; see the message for the query error."),

    // anomaly
    ANOMALY_BLOCKED(Area.ANOMALY, "anomaly.blocked",
            "The operation was blocked because of suspicious activity; wait until the block ends or ask an administrator."),
    ANOMALY_THROTTLED(Area.ANOMALY, "anomaly.throttled",
            "The operation was delayed because of unusual activity; retry later.");

    /** The concern a reason belongs to; matches the prefix of {@link #code()}. */
    public enum Area {
        AUTH, TLS, STORE, AUDIT, CONFIG, CONNECTION, ANOMALY
    }

    private final Area area;
    private final String code;
    private final String description;

    ReasonCode(Area area, String code, String description) {
        this.area = area;
        this.code = code;
        this.description = description;
    }

    /** The concern this reason belongs to. */
    public Area area() {
        return area;
    }

    /** Stable machine-readable code such as {@code auth.token_expired}. */
    public String code() {
        return code;
    }

    /** What a person can do about it, used when an exception has no message of its own. */
    public String description() {
        return description;
    }
}
