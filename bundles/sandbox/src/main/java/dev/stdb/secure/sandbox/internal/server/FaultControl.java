package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.TokenValidator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** The faults a test can switch on, behind both the Java API and the {@code /_sandbox/faults} HTTP routes. */
public final class FaultControl {
    private final FaultState state;
    private final Engine engine;
    private final TokenValidator validator;
    private final LocalIssuer issuer;
    private final Clock clock;

    public FaultControl(FaultState state, Engine engine, TokenValidator validator, LocalIssuer issuer, Clock clock) {
        this.state = state;
        this.engine = engine;
        this.validator = validator;
        this.issuer = issuer;
        this.clock = clock;
    }

    public void dropConnections() {
        engine.dropAll();
    }

    public void refuseConnectionsFor(Duration duration) {
        state.refuseConnectionsUntil(clock.instant().plus(duration));
    }

    public void delayFrames(Duration delay) {
        state.delayFrames(delay);
    }

    public void reorderNextFrames(int count) {
        state.reorderNextFrames(count);
    }

    public void sendMalformedFrame() {
        engine.sendMalformedFrame();
    }

    public void revokeToken(String token) {
        validator.revoke(token);
    }

    public void expireTokensIssuedBefore(Instant cutoff) {
        validator.expireTokensIssuedBefore(cutoff);
    }

    /** Every token issued so far is rejected from now on; tokens issued afterwards are not. */
    public void expireAllTokens() {
        // iat has whole seconds: the cutoff is the next second, and new tokens are dated from it.
        Instant cutoff = clock.instant().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
        issuer.issueNoEarlierThan(cutoff);
        validator.expireTokensIssuedBefore(cutoff);
    }

    public void reset() {
        state.delayFrames(Duration.ZERO);
        state.reorderNextFrames(0);
        state.refuseConnectionsUntil(Instant.MIN);
    }
}
