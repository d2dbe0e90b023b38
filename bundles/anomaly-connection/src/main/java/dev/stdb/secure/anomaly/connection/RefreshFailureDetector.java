package dev.stdb.secure.anomaly.connection;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Token refresh failures in a row: the core's {@code AUTH_FAILURE} events with detail {@code operation=refresh},
 * counted per {@code provider}; a {@code TOKEN_REFRESHED} or {@code AUTH_SUCCESS} of the provider resets the count.
 * At {@code maxInARow} failures (and at each further multiple) an ALERT (HIGH): the session is about to be lost,
 * the refresh token may be revoked or stolen and used elsewhere.
 */
public final class RefreshFailureDetector implements AnomalyDetector {
    public static final String ID = "refresh-failures";
    private static final String CORE = "dev.stdb.secure.core";

    private final int maxInARow;
    private final Map<String, Integer> inARow = new HashMap<>();

    public RefreshFailureDetector(int maxInARow) {
        if (maxInARow < 1) {
            throw new IllegalArgumentException("refresh.maxFailures: must be at least 1, not " + maxInARow);
        }
        this.maxInARow = maxInARow;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public synchronized List<Finding> onEvent(SecurityEvent e) {
        String provider = e.details().get("provider");
        if (provider == null || !CORE.equals(e.source())) {
            return List.of();
        }
        if (e.type() == SecurityEventType.TOKEN_REFRESHED || e.type() == SecurityEventType.AUTH_SUCCESS) {
            inARow.remove(provider);
            return List.of();
        }
        if (e.type() != SecurityEventType.AUTH_FAILURE || e.outcome() != Outcome.FAILURE
                || !"refresh".equals(e.details().get("operation"))) {
            return List.of();
        }
        int n = inARow.merge(provider, 1, Integer::sum);
        if (n % maxInARow != 0) {
            return List.of();
        }
        return List.of(new Finding(ID, Severity.HIGH, n + " token refreshes in a row failed for provider " + provider
                + " (last: " + e.details().getOrDefault("reason", "unknown reason") + ")", Response.ALERT, provider,
                Keys.target(e), null));
    }
}
