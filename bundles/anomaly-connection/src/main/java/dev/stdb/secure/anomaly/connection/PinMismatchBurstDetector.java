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
 * Pin mismatches ({@code PIN_MISMATCH} from the TLS bundle, keyed by the event's connection / {@code host}): a chain
 * that matches no pin is either a key rotation nobody told the client about or a man in the middle. Each mismatch is
 * an ALERT (HIGH); {@code blockCount} of them within {@code window} for one host is a BLOCK (CRITICAL) of that
 * source for {@code blockFor}.
 */
public final class PinMismatchBurstDetector implements AnomalyDetector {
    public static final String ID = "pin-mismatch-burst";

    private final int blockCount;
    private final Duration window;
    private final Duration blockFor;
    private final Clock clock;
    private final SlidingWindow counts;

    public PinMismatchBurstDetector(int blockCount, Duration window, Duration blockFor, Clock clock) {
        if (blockCount < 1) {
            throw new IllegalArgumentException("pinMismatch.blockCount: must be at least 1, not " + blockCount);
        }
        this.blockCount = blockCount;
        this.window = window;
        this.blockFor = Objects.requireNonNull(blockFor, "blockFor");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.counts = new SlidingWindow(window);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public synchronized List<Finding> onEvent(SecurityEvent e) {
        if (e.type() != SecurityEventType.PIN_MISMATCH) {
            return List.of();
        }
        String source = Keys.target(e);
        int n = counts.add(String.valueOf(source), clock.millis());
        String profile = e.details().getOrDefault("profile", "?");
        if (n >= blockCount) {
            return List.of(new Finding(ID, Severity.CRITICAL, n + " pin mismatches for " + source + " (TLS profile "
                    + profile + ") within " + window.toSeconds() + " s: man-in-the-middle suspected",
                    Response.BLOCK, null, source, clock.instant().plus(blockFor)));
        }
        return List.of(new Finding(ID, Severity.HIGH, "pin mismatch for " + source + " (TLS profile " + profile
                + "): the server's key changed or a man in the middle answers", Response.ALERT, null, source, null));
    }
}
