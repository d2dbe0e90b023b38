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
 * A credential that suddenly maps to another identity ({@code IDENTITY_CHANGED} from the core, details {@code was}
 * and {@code now}): the token now belongs to someone else, or the server was replaced. {@code response} (BLOCK by
 * default, CRITICAL, for {@code blockFor}; or ALERT, HIGH) for the target {@code <uri>/<database>}.
 */
public final class IdentityChangedDetector implements AnomalyDetector {
    public static final String ID = "identity-changed";

    private final Response response;
    private final Duration blockFor;
    private final Clock clock;

    public IdentityChangedDetector(Response response, Duration blockFor, Clock clock) {
        if (response != Response.BLOCK && response != Response.ALERT) {
            throw new IllegalArgumentException("identityChanged.response: BLOCK or ALERT, not " + response);
        }
        this.response = response;
        this.blockFor = Objects.requireNonNull(blockFor, "blockFor");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<Finding> onEvent(SecurityEvent e) {
        if (e.type() != SecurityEventType.IDENTITY_CHANGED) {
            return List.of();
        }
        String source = Keys.target(e);
        String reason = "the credential of " + source + " now maps to identity " + e.details().getOrDefault("now", "?")
                + " instead of " + e.details().getOrDefault("was", "?");
        return response == Response.BLOCK
                ? List.of(new Finding(ID, Severity.CRITICAL, reason, Response.BLOCK, e.principal(), source,
                        blockFor.isZero() ? null : clock.instant().plus(blockFor)))
                : List.of(new Finding(ID, Severity.HIGH, reason, Response.ALERT, e.principal(), source, null));
    }
}
