package dev.stdb.secure.sandbox.internal.server;

import java.time.Duration;
import java.time.Instant;

/** The faults tests switch on; read by every connection's outbound channel and by the upgrade handler. */
public final class FaultState {
    private volatile Duration frameDelay = Duration.ZERO;
    private volatile Reorder reorder = new Reorder(0, 0);
    private volatile Instant refuseUntil = Instant.MIN;

    public Duration frameDelay() {
        return frameDelay;
    }

    public void delayFrames(Duration delay) {
        this.frameDelay = delay.isNegative() ? Duration.ZERO : delay;
    }

    /**
     * A request to reverse the next {@code count} frames; each connection live when it is made takes it up once
     * (by {@code generation}), so one connection finishing its batch does not cancel the others'.
     */
    record Reorder(int count, long generation) {
    }

    /** The next {@code count} frames of each live connection go out in reverse order. */
    public synchronized void reorderNextFrames(int count) {
        reorder = new Reorder(Math.max(0, count), reorder.generation() + 1);
    }

    Reorder reorder() {
        return reorder;
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
