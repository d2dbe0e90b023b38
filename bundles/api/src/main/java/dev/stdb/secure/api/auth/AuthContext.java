package dev.stdb.secure.api.auth;

import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.store.CredentialStore;
import java.net.URI;
import java.util.Objects;

/**
 * What a provider needs to know for one request: which server and database the credential is for, where to keep
 * secrets between runs, who answers MFA challenges and where to report security events.
 *
 * <p>Providers must not block on any of these from the caller's thread; run store access and network I/O on their
 * own executor.
 *
 * @param target   the server URI the credential will be sent to
 * @param database the database name or identity on that server
 * @param store    where to read and persist refresh tokens and keys, or null to keep nothing between runs
 * @param mfa      who answers second-factor challenges, or null if none is configured (a provider that needs one
 *                 then fails with {@link dev.stdb.secure.api.ReasonCode#MFA_REQUIRED})
 * @param events   where to report security events
 */
public record AuthContext(URI target, String database, CredentialStore store, MfaHandler mfa,
        SecurityEventSink events) {

    public AuthContext {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(events, "events");
    }
}
