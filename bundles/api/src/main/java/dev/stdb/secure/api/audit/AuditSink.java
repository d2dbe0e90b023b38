package dev.stdb.secure.api.audit;

import dev.stdb.secure.api.AuditException;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Stores or forwards security events: a hash-chained file, syslog, a SIEM. Registered as a service; the core's
 * router publishes every event to every sink.
 *
 * <p>A sink that cannot accept an event throws {@link AuditException}, and the router spools the event and retries
 * later, so no event is silently lost. A sink must therefore not swallow its own failures, and should tolerate
 * receiving an event again after a failure it reported (the event {@link SecurityEvent#id() id} tells).
 */
@ConsumerType
public interface AuditSink {

    /**
     * Accepts {@code event}; when this returns the event is durable or handed on.
     *
     * @throws AuditException if the event was not accepted and must be retried
     */
    void publish(SecurityEvent event) throws AuditException;
}
