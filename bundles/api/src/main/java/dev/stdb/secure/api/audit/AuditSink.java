package dev.stdb.secure.api.audit;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import org.osgi.annotation.versioning.ConsumerType;

import java.util.List;

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

    /**
     * Accepts {@code events} in order; when this returns all of them are durable or handed on. The router calls
     * this with the events it has queued, so a sink that makes events durable together (one fsync for many) should
     * override it; the default publishes each event in turn.
     *
     * @throws AuditException if not all events were accepted: its {@link AuditException#acceptedCount()} says how
     *         many leading events were (they must not be retried), the rest must be retried in order
     */
    default void publishAll(List<SecurityEvent> events) throws AuditException {
        int accepted = 0;
        for (SecurityEvent event : events) {
            try {
                publish(event);
            } catch (AuditException e) {
                if (accepted == 0) {
                    throw e;
                }
                throw new AuditException(e.reason(), e.getMessage(), e, accepted);
            } catch (RuntimeException e) {
                if (accepted == 0) {
                    throw e;
                }
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "audit sink failed after " + accepted
                        + " of " + events.size() + " events: " + e, e, accepted);
            }
            accepted++;
        }
    }
}
