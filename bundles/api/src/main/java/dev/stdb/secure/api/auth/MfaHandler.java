package dev.stdb.secure.api.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Answers a second-factor challenge for an {@link AuthProvider}: computes a TOTP code, waits for a push approval, or
 * shows a device-code prompt to a person. Returns at once; the stage completes when the answer is known, or
 * exceptionally with an {@link dev.stdb.secure.api.AuthenticationException} (reason
 * {@link dev.stdb.secure.api.ReasonCode#MFA_FAILED}) when there is none before the challenge expires.
 */
@ConsumerType
@FunctionalInterface
public interface MfaHandler {

    /** Answers {@code challenge}. */
    CompletionStage<MfaResponse> answer(MfaChallenge challenge);
}
