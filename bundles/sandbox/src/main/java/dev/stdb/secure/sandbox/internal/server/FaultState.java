package dev.stdb.secure.sandbox.internal.server;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

/** The faults tests switch on; read by every connection's outbound channel and by the upgrade handler. */
public final class FaultState {
    private volatile Duration frameDelay = Duration.ZERO;
    private final AtomicInteger framesToReorder = new AtomicInteger();
    private volatile Instant refuseUntil = Instant.MIN;

    public Duration frameDelay() {
        return frameDelay;
    }

    public void delayFrames(Duration delay) {
        this.frameDelay = delay.isNegative() ? Duration.ZERO : delay;
    }

    /** The next {@code count} frames (per connection) go out in reverse order. */
    public void reorderNextFrames(int count) {
        framesToReorder.set(Math.max(0, count));
    }

    int framesToReorder() {
        return framesToReorder.get();
    }

    void reorderDone() {
        framesToReorder.set(0);
    }

    public void refuseConnectionsUntil(Instant until) {
        this.refuseUntil = until;
    }

    public boolean refusingConnections(Instant now) {
        return now.isBefore(refuseUntil);
    }

    public Instant refuseUntil() {
        return refuseUntil;
    }
}
