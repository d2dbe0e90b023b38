package dev.stdb.secure.sandbox;

import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.TokenValidator;
import dev.stdb.secure.sandbox.internal.server.Engine;
import dev.stdb.secure.sandbox.internal.server.FaultState;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** Faults a test can switch on to see how a client copes. Every switch stays until {@link #reset()}. */
public final class SandboxFaults {
    private final FaultState state;
    private final Engine engine;
    private final TokenValidator validator;
    private final LocalIssuer issuer;
    private final Clock clock;

    SandboxFaults(FaultState state, Engine engine, TokenValidator validator, LocalIssuer issuer, Clock clock) {
        this.state = state;
        this.engine = engine;
        this.validator = validator;
        this.issuer = issuer;
        this.clock = clock;
    }

    /** Drops every live connection at the TCP level, without a WebSocket close handshake. */
    public void dropConnections() {
        engine.dropAll();
    }

    /** Answers new WebSocket upgrades with 503 for this long. */
    public void refuseConnectionsFor(Duration duration) {
        state.refuseConnectionsUntil(clock.instant().plus(duration));
    }

    /** Holds every outgoing frame this long before sending it. */
    public void delayFrames(Duration delay) {
        state.delayFrames(delay);
    }

    /** Each live connection sends its next {@code count} frames in reverse order (connections opened later do not). */
    public void reorderNextFrames(int count) {
        state.reorderNextFrames(count);
    }

    /** Sends every connection, after what is already queued, a frame no client can decode (an unknown message tag). */
    public void sendMalformedFrame() {
        engine.sendMalformedFrame();
    }

    /** The token is rejected from now on (401 "token revoked"). */
    public void revokeToken(String token) {
        validator.revoke(token);
    }

    /** Tokens issued before {@code cutoff} are rejected from now on (401 "token expired"). */
    public void expireTokensIssuedBefore(Instant cutoff) {
        validator.expireTokensIssuedBefore(cutoff);
    }

    /** Every token issued so far is rejected from now on; tokens issued afterwards are not. */
    public void expireAllTokens() {
        // iat has whole seconds: the cutoff is the next second, and new tokens are dated from it.
        Instant cutoff = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).plusSeconds(1);
        issuer.issueNoEarlierThan(cutoff);
        expireTokensIssuedBefore(cutoff);
    }

    /** Switches the frame and connection faults off again (revocations stay). */
    public void reset() {
        state.delayFrames(Duration.ZERO);
        state.reorderNextFrames(0);
        state.refuseConnectionsUntil(Instant.MIN);
    }
}
