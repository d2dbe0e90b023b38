package dev.stdb.secure.api.auth;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A second factor an {@link AuthProvider} asks for. Nothing in it is secret: the device-code user code is shown to
 * the person who approves.
 *
 * @param kind            what sort of answer is wanted
 * @param providerId      the {@link AuthProvider#id()} asking
 * @param prompt          text to show a person
 * @param verificationUri where to approve a device code, or null
 * @param userCode        the device-flow user code to enter there, or null
 * @param expiresIn       how long the challenge stays valid, or null if unknown
 */
public record MfaChallenge(Kind kind, String providerId, String prompt, URI verificationUri, String userCode,
        Duration expiresIn) {

    /** What sort of answer a challenge wants. */
    public enum Kind {
        /** A time-based one-time password (RFC 6238). */
        TOTP,
        /** An approval on another device; the answer only says yes or no. */
        PUSH_APPROVAL,
        /** OAuth 2.0 device authorization (RFC 8628): a person visits the URI and enters the user code. */
        DEVICE_CODE,
        /** Anything else; the prompt says what. */
        OTHER
    }

    public MfaChallenge {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(providerId, "providerId");
        Objects.requireNonNull(prompt, "prompt");
        if (expiresIn != null && expiresIn.isNegative()) {
            throw new IllegalArgumentException("expiresIn is negative: " + expiresIn);
        }
    }
}
