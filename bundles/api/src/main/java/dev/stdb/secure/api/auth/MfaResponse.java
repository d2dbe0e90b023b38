package dev.stdb.secure.api.auth;

import dev.stdb.secure.api.Secret;
import java.util.Objects;

/**
 * The answer to an {@link MfaChallenge}: a code (TOTP, or OTHER challenges that want one) and whether the person
 * approved. A code is a {@link Secret}, so {@link #toString()} never shows it.
 *
 * @param code     the code entered or computed, or null for approval-only challenges
 * @param approved whether the challenge was accepted; false means denied or abandoned
 */
public record MfaResponse(Secret code, boolean approved) {

    /** An approval without a code (push approval, device code completed). */
    public static MfaResponse approve() {
        return new MfaResponse(null, true);
    }

    /** A refusal: the person denied or abandoned the challenge. */
    public static MfaResponse deny() {
        return new MfaResponse(null, false);
    }

    /** An approval carrying {@code code}. */
    public static MfaResponse withCode(Secret code) {
        return new MfaResponse(Objects.requireNonNull(code, "code"), true);
    }

    @Override
    public String toString() {
        return "MfaResponse[code=" + (code == null ? "none" : "***") + ", approved=" + approved + "]";
    }
}
