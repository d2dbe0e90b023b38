package dev.stdb.secure.api.auth;

import dev.stdb.secure.api.Secret;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A bearer token for the server, with what is known about it: who issued it, for whom, when it expires and how
 * to renew it. Built with {@link #builder(Secret)}.
 *
 * <p>{@link #toString()} shows issuer, subject, expiry and the token's fingerprint, never the token. The claims
 * are a copy of the decoded token body and must not contain the token itself; the builder rejects a claim whose
 * value is a {@link Secret} or equals the token text.
 *
 * <p>Immutable except for the secrets it holds: the owner of a credential {@link #destroy() destroys} it when the
 * credential is replaced.
 */
public final class Credential {

    /** Least time before expiry at which {@link #refreshDueAt()} schedules a refresh. */
    public static final Duration MIN_REFRESH_MARGIN = Duration.ofSeconds(30);
    /** Share of the token lifetime, in percent, kept as refresh margin when larger than {@link #MIN_REFRESH_MARGIN}. */
    public static final int REFRESH_MARGIN_PERCENT = 5;

    private final Secret token;
    private final Instant issuedAt;
    private final Instant expiresAt;
    private final String issuer;
    private final String subject;
    private final Map<String, Object> claims;
    private final Secret refreshToken;

    private Credential(Builder b) {
        this.token = Objects.requireNonNull(b.token, "token");
        this.issuedAt = b.issuedAt;
        this.expiresAt = b.expiresAt;
        if (issuedAt != null && expiresAt != null && expiresAt.isBefore(issuedAt)) {
            throw new IllegalArgumentException("expiresAt " + expiresAt + " is before issuedAt " + issuedAt);
        }
        this.issuer = b.issuer;
        this.subject = b.subject;
        this.claims = copyClaims(b.claims, token);
        this.refreshToken = b.refreshToken;
    }

    /** Starts a credential around {@code token}; the credential keeps the given {@link Secret}, it does not copy it. */
    public static Builder builder(Secret token) {
        return new Builder(token);
    }

    /** The bearer token sent to the server. */
    public Secret token() {
        return token;
    }

    /** When the token was issued ({@code iat}), or null if unknown. */
    public Instant issuedAt() {
        return issuedAt;
    }

    /** When the token expires ({@code exp}), or null if unknown or never. */
    public Instant expiresAt() {
        return expiresAt;
    }

    /** Who issued the token ({@code iss}), or null for opaque tokens such as API keys. */
    public String issuer() {
        return issuer;
    }

    /** Whom the token is for ({@code sub}), or null for opaque tokens. */
    public String subject() {
        return subject;
    }

    /** Unmodifiable copy of the token's claims, without the token itself; empty for opaque tokens. */
    public Map<String, Object> claims() {
        return claims;
    }

    /** The refresh token, if the issuer gave one. */
    public Optional<Secret> refreshToken() {
        return Optional.ofNullable(refreshToken);
    }

    /** True if the expiry is known and falls no later than {@code margin} from the clock's now. */
    public boolean expiresWithin(Duration margin, Clock clock) {
        Objects.requireNonNull(margin, "margin");
        Objects.requireNonNull(clock, "clock");
        return expiresAt != null && !expiresAt.isAfter(clock.instant().plus(margin));
    }

    /** True if the expiry is known and has passed. */
    public boolean isExpired(Clock clock) {
        return expiresWithin(Duration.ZERO, clock);
    }

    /**
     * When to refresh: {@code expiresAt - max(30 s, 5 % of (expiresAt - issuedAt))}, the margin the SpacetimeDB
     * SDKs use, so a token is renewed well before a long session hits its expiry. The margin never exceeds three
     * quarters of the lifetime, so a token living 40 s or less is still used for its first quarter rather than
     * refreshed the moment it arrives. Null unless both {@link #issuedAt()} and {@link #expiresAt()} are known.
     */
    public Instant refreshDueAt() {
        if (issuedAt == null || expiresAt == null) {
            return null;
        }
        Duration lifetime = Duration.between(issuedAt, expiresAt);
        Duration share = lifetime.multipliedBy(REFRESH_MARGIN_PERCENT).dividedBy(100);
        Duration margin = share.compareTo(MIN_REFRESH_MARGIN) > 0 ? share : MIN_REFRESH_MARGIN;
        Duration cap = lifetime.multipliedBy(3).dividedBy(4);
        if (margin.compareTo(cap) > 0) {
            margin = cap;
        }
        return expiresAt.minus(margin);
    }

    /** Destroys the token and the refresh token. */
    public void destroy() {
        token.destroy();
        if (refreshToken != null) {
            refreshToken.destroy();
        }
    }

    /** Issuer, subject, times and fingerprints; never a token. */
    @Override
    public String toString() {
        return "Credential[issuer=" + issuer
                + ", subject=" + subject
                + ", issuedAt=" + issuedAt
                + ", expiresAt=" + expiresAt
                + ", token=" + safeFingerprint(token)
                + ", refreshToken=" + (refreshToken == null ? "none" : safeFingerprint(refreshToken))
                + "]";
    }

    private static String safeFingerprint(Secret s) {
        return s.isDestroyed() ? "destroyed" : s.fingerprint();
    }

    private static Map<String, Object> copyClaims(Map<String, ?> claims, Secret token) {
        if (claims == null || claims.isEmpty()) {
            return Map.of();
        }
        Map<String, Object> copy = new LinkedHashMap<>();
        for (Map.Entry<String, ?> e : claims.entrySet()) {
            String name = Objects.requireNonNull(e.getKey(), "claim name");
            Object value = Objects.requireNonNull(e.getValue(), () -> "value of claim " + name);
            if (value instanceof Secret) {
                throw new IllegalArgumentException("claim " + name + " holds a Secret; claims must not carry secrets");
            }
            if (value instanceof CharSequence && isToken((CharSequence) value, token)) {
                throw new IllegalArgumentException("claim " + name + " holds the token; claims must not carry it");
            }
            copy.put(name, value);
        }
        return Collections.unmodifiableMap(copy);
    }

    private static boolean isToken(CharSequence value, Secret token) {
        if (value.length() == 0) {
            return false;
        }
        char[] chars = value.toString().toCharArray();
        try (Secret candidate = Secret.ofChars(chars)) {
            return candidate.contentEquals(token);
        } catch (IllegalArgumentException notText) {
            return false; // a lone surrogate: not a token
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Collects the parts of a {@link Credential}; only the token is required. */
    public static final class Builder {
        private final Secret token;
        private Instant issuedAt;
        private Instant expiresAt;
        private String issuer;
        private String subject;
        private Map<String, ?> claims;
        private Secret refreshToken;

        private Builder(Secret token) {
            this.token = Objects.requireNonNull(token, "token");
        }

        public Builder issuedAt(Instant issuedAt) {
            this.issuedAt = issuedAt;
            return this;
        }

        public Builder expiresAt(Instant expiresAt) {
            this.expiresAt = expiresAt;
            return this;
        }

        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        public Builder subject(String subject) {
            this.subject = subject;
            return this;
        }

        /** Decoded claims; copied at {@link #build()}. Values should be immutable (strings, numbers, lists, maps). */
        public Builder claims(Map<String, ?> claims) {
            this.claims = claims;
            return this;
        }

        public Builder refreshToken(Secret refreshToken) {
            this.refreshToken = refreshToken;
            return this;
        }

        /**
         * @throws IllegalArgumentException if expiry precedes issue time, or a claim carries a secret or the token
         */
        public Credential build() {
            return new Credential(this);
        }
    }
}
