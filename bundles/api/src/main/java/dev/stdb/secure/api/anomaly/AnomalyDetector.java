package dev.stdb.secure.api.anomaly;

import dev.stdb.secure.api.audit.SecurityEvent;
import java.util.List;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Watches security events for patterns such as brute-force sign-ins, pin failures, identity changes or reconnect
 * storms. Registered as a service; the core feeds it every event and enforces the responses it suggests, so a
 * detector keeps only its own counters and never acts itself.
 */
@ConsumerType
public interface AnomalyDetector {

    /** The detector's id, used as {@link Finding#detector()}. */
    String id();

    /**
     * Takes one event into account. Called for every event, serially per detector, so it must be quick and must
     * not block.
     *
     * @return what the event revealed; empty for nothing
     */
    List<Finding> onEvent(SecurityEvent event);
}
