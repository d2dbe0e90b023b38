package dev.stdb.secure.sandbox;

import dev.stdb.secure.sandbox.internal.server.FaultControl;

import java.time.Duration;
import java.time.Instant;

/**
 * Faults a test can switch on to see how a client copes. Every switch stays until {@link #reset()}. The same faults
 * are at {@code POST /_sandbox/faults/<name>} for clients that are not in this JVM.
 */
public final class SandboxFaults {
    private final FaultControl control;

    SandboxFaults(FaultControl control) {
        this.control = control;
    }

    /** Drops every live connection at the TCP level, without a WebSocket close handshake. */
    public void dropConnections() {
        control.dropConnections();
    }

    /** Answers new WebSocket upgrades with 503 for this long. */
    public void refuseConnectionsFor(Duration duration) {
        control.refuseConnectionsFor(duration);
    }

    /** Holds every outgoing frame this long before sending it. */
    public void delayFrames(Duration delay) {
        control.delayFrames(delay);
    }

    /** Each live connection sends its next {@code count} frames in reverse order. */
    public void reorderNextFrames(int count) {
        control.reorderNextFrames(count);
    }

    /** Sends every connection, after what is already queued, a frame no client can decode (an unknown message tag). */
    public void sendMalformedFrame() {
        control.sendMalformedFrame();
    }

    /** The token is rejected from now on (401 "token revoked"). */
    public void revokeToken(String token) {
        control.revokeToken(token);
    }

    /** Tokens issued before {@code cutoff} are rejected from now on (401 "token expired"). */
    public void expireTokensIssuedBefore(Instant cutoff) {
        control.expireTokensIssuedBefore(cutoff);
    }

    /** Every token issued so far is rejected from now on; tokens issued afterwards are not. */
    public void expireAllTokens() {
        control.expireAllTokens();
    }

    /** Switches the frame and connection faults off again (revocations stay). */
    public void reset() {
        control.reset();
    }
}
