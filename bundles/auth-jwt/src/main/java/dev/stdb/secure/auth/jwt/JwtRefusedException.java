package dev.stdb.secure.auth.jwt;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import java.util.Objects;

/**
 * A token was not accepted, or could not be obtained: the {@link #reason() reason code} says what kind of failure
 * it is (for machines and alerts), {@link #check()} which rule refused it. The message names the check and the
 * values that failed it (issuer, audience, times, key id, algorithm), never the token.
 */
public class JwtRefusedException extends AuthenticationException {

    private static final long serialVersionUID = 1L;

    /** The rule a token failed. */
    public enum Check {
        /** No token could be read from the configured source (reason {@code auth.token_missing}). */
        SOURCE,
        /** Not a compact signed JWT with a JSON claims set. */
        FORMAT,
        /** {@code alg} is {@code none}, HMAC, or not in the allow-list. */
        ALGORITHM,
        /** The header carries its own key or key location ({@code jku}, {@code jwk}, {@code x5u}). */
        HEADER_KEY,
        /** No key of the issuer's JWKS matches the token's {@code kid} and {@code alg}. */
        KEY,
        /** The signature does not verify against the issuer's key. */
        SIGNATURE,
        /** Discovery or the JWKS could not be fetched or is invalid. */
        JWKS,
        /** {@code iss} is not the configured issuer. */
        ISSUER,
        /** {@code aud} names none of the configured audiences. */
        AUDIENCE,
        /** {@code exp} is missing or has passed (beyond the clock skew). */
        EXPIRY,
        /** {@code nbf} lies in the future (beyond the clock skew). */
        NOT_BEFORE,
        /** {@code iat} lies in the future (beyond the clock skew). */
        ISSUED_AT,
        /** A configured required claim is missing. */
        REQUIRED_CLAIM
    }

    private final Check check;

    public JwtRefusedException(ReasonCode reason, Check check, String message) {
        this(reason, check, message, null);
    }

    public JwtRefusedException(ReasonCode reason, Check check, String message, Throwable cause) {
        super(reason, message, cause);
        this.check = Objects.requireNonNull(check, "check");
    }

    /** The rule that refused the token. */
    public Check check() {
        return check;
    }
}
