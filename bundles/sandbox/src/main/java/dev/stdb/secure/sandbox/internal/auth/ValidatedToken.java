package dev.stdb.secure.sandbox.internal.auth;

import dev.stdb.secure.protocol.Identity;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A token that {@link TokenValidator} accepted.
 *
 * @param issuer    the {@code iss} claim
 * @param subject   the {@code sub} claim
 * @param identity  {@code IdentityDerivation.fromClaims(issuer, subject)}
 * @param claims    every claim of the payload as parsed JSON (numbers are {@code Long} or {@code Double}, {@code iat}/{@code exp}
 *                  stay numbers of seconds); unmodifiable
 * @param issuedAt  the {@code iat} claim
 * @param expiresAt the {@code exp} claim, {@code null} if the token does not expire
 * @param token     the compact JWT as received (never printed by {@link #toString()})
 */
public record ValidatedToken(String issuer, String subject, Identity identity, Map<String, Object> claims,
                             Instant issuedAt, Instant expiresAt, String token) {

    public ValidatedToken {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(issuedAt, "issuedAt");
        Objects.requireNonNull(token, "token");
        claims = deepUnmodifiable(claims == null ? Map.of() : claims);
    }

    /** The {@code aud} claim as a list (a single string becomes a one-element list; absent -> empty). */
    public List<String> audience() {
        Object aud = claims.get("aud");
        if (aud instanceof String) {
            return List.of((String) aud);
        }
        if (aud instanceof List) {
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) aud) {
                if (o instanceof String) {
                    out.add((String) o);
                }
            }
            return List.copyOf(out);
        }
        return List.of();
    }

    /** Never prints the token (nor the claims, which may carry personal data). */
    @Override
    public String toString() {
        return "ValidatedToken[issuer=" + issuer + ", subject=" + subject + ", identity=" + identity
                + ", issuedAt=" + issuedAt + ", expiresAt=" + expiresAt + ", claims=" + claims.keySet()
                + ", token=<redacted>]";
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deepUnmodifiable(Map<String, ?> in) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : in.entrySet()) {
            out.put(e.getKey(), deepValue(e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    @SuppressWarnings("unchecked")
    private static Object deepValue(Object v) {
        if (v instanceof Map) {
            return deepUnmodifiable((Map<String, ?>) v);
        }
        if (v instanceof List) {
            List<Object> out = new ArrayList<>();
            for (Object o : (List<?>) v) {
                out.add(deepValue(o));
            }
            return Collections.unmodifiableList(out);
        }
        return v;
    }
}
