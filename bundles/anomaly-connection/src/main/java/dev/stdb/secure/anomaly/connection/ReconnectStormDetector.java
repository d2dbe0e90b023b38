package dev.stdb.secure.anomaly.connection;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Reconnect storms: {@code maxReconnects} or more {@code RECONNECTING} events for one target within {@code window}
 * is one ALERT (MEDIUM); the next comes only once the storm has calmed (the count fell below the limit) and rose
 * again. {@code CONNECTED} does not end a storm: a server that accepts and drops again is the storm.
 */
public final class ReconnectStormDetector implements AnomalyDetector {
    public static final String ID = "reconnect-storm";

    private final int maxReconnects;
    private final Duration window;
    private final Clock clock;
    private final SlidingWindow counts;
    private final java.util.Set<String> storming = new java.util.HashSet<>();

    public ReconnectStormDetector(int maxReconnects, Duration window, Clock clock) {
        if (maxReconnects < 1) {
            throw new IllegalArgumentException("reconnect.max: must be at least 1, not " + maxReconnects);
        }
        this.maxReconnects = maxReconnects;
        this.window = window;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.counts = new SlidingWindow(window);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public synchronized List<Finding> onEvent(SecurityEvent e) {
        if (e.type() != SecurityEventType.RECONNECTING) {
            return List.of();
        }
        String source = String.valueOf(Keys.target(e));
        int n = counts.add(source, clock.millis());
        if (n < maxReconnects) {
            storming.remove(source);
            return List.of();
        }
        if (!storming.add(source)) {
            return List.of();
        }
        return List.of(new Finding(ID, Severity.MEDIUM, n + " reconnects of " + source + " within "
                + window.toSeconds() + " s", Response.ALERT, null, source, null));
    }
}
