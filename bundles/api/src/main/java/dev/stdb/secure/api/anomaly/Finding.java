package dev.stdb.secure.api.anomaly;

import java.time.Instant;
import java.util.Objects;

/**
 * Something a detector judged suspicious, and what it suggests doing. The reason is read by operators: say what was
 * seen ("12 failed sign-ins in 60 s"), never include a secret.
 *
 * @param detector  the {@link AnomalyDetector#id()} that found it
 * @param severity  how serious it is
 * @param reason    what was seen
 * @param response  what the core should do
 * @param principal the principal concerned, or null
 * @param source    the source concerned (address, connection, component), or null
 * @param until     when a throttle or block should end, or null for no end / not applicable
 */
public record Finding(String detector, Severity severity, String reason, Response response, String principal,
        String source, Instant until) {

    public Finding {
        Objects.requireNonNull(detector, "detector");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(response, "response");
    }
}
