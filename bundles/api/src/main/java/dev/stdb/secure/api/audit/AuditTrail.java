package dev.stdb.secure.api.audit;

import dev.stdb.secure.api.AuditException;
import java.time.Instant;
import java.util.List;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Reads back what an audit sink stored: for operators, dashboards and compliance reports, and to prove that
 * nothing was altered or removed. Provided by an audit bundle that keeps a queryable record (the file trail);
 * used by several others, hence {@link ProviderType}.
 */
@ProviderType
public interface AuditTrail {

    /**
     * The stored events matching {@code query}, oldest first, at most {@link AuditQuery#limit()} of them.
     *
     * @throws AuditException if the trail cannot be read
     */
    List<SecurityEvent> query(AuditQuery query) throws AuditException;

    /**
     * Checks the integrity of the records between {@code from} and {@code to} (hash chain, signed checkpoints).
     * A broken chain is a result, not an exception.
     *
     * @param from start, inclusive, or null for the beginning of the trail
     * @param to   end, exclusive, or null for now
     * @throws AuditException if the trail cannot be read at all
     */
    VerificationResult verify(Instant from, Instant to) throws AuditException;
}
