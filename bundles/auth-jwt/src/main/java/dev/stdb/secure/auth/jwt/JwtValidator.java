package dev.stdb.secure.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.jwt.JwtRefusedException.Check;
import dev.stdb.secure.auth.jwt.internal.JwksSource;
import dev.stdb.secure.auth.jwt.internal.Signatures;
import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Validates a signed JWT against one issuer, usable on its own or inside a {@link JwtProvider}. Every rule is always
 * on; the settings only tune them:
 * <ol>
 * <li>format: a compact JWS with a JSON claims set; unsecured ({@code alg: none}) and encrypted tokens are refused,
 * as are {@code crit} header parameters;</li>
 * <li>the header's {@code alg} must be in the allow-list (default RS256, ES256, PS256, EdDSA); HMAC algorithms can
 * never be allowed, so a token "signed" with the issuer's public key as an HMAC secret is refused;</li>
 * <li>a header carrying its own key or key location ({@code jku}, {@code jwk}, {@code x5u}) is refused, even when
 * the token verifies with that key: keys come only from the issuer's JWKS;</li>
 * <li>the signature must verify with a key of the issuer's JWKS (by {@code kid}; the key's type must match
 * {@code alg}); an unknown {@code kid} triggers at most one JWKS fetch per
 * {@link Builder#jwksRefetchMinInterval(Duration) minimum interval};</li>
 * <li>{@code iss} must equal the issuer and {@code aud} must name a configured audience, whatever the clock skew;</li>
 * <li>{@code exp} is required and must not have passed; {@code nbf} and {@code iat} must not lie in the future; each
 * with the {@link Builder#clockSkew(Duration) clock skew} (default 60 s);</li>
 * <li>every {@link Builder#requiredClaims(String...) required claim} must be present.</li>
 * </ol>
 *
 * <p>{@link #validate(Secret)} blocks while it fetches discovery or the JWKS (at most the HTTP timeout per request);
 * call it off latency-sensitive threads. Thread-safe.
 */
public final class JwtValidator {

    /** The default allow-list. */
    public static final List<String> DEFAULT_ALGORITHMS = List.of("RS256", "ES256", "PS256", "EdDSA");
    public static final Duration DEFAULT_CLOCK_SKEW = Duration.ofSeconds(60);
    public static final Duration DEFAULT_REFETCH_MIN_INTERVAL = Duration.ofSeconds(60);
    public static final Duration DEFAULT_JWKS_MAX_AGE = Duration.ofHours(1);
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);

    private final String issuer;
    private final Set<String> audiences;
    private final Set<JWSAlgorithm> algorithms;
    private final Duration clockSkew;
    private final Set<String> requiredClaims;
    private final Clock clock;
    private final JwksSource jwks;

    private JwtValidator(Builder b) {
        this.issuer = b.issuer;
        this.audiences = Collections.unmodifiableSet(new LinkedHashSet<>(b.audiences));
        this.algorithms = Collections.unmodifiableSet(b.parsedAlgorithms);
        this.clockSkew = b.clockSkew;
        this.requiredClaims = Collections.unmodifiableSet(new LinkedHashSet<>(b.requiredClaims));
        this.clock = b.clock;
        this.jwks = new JwksSource(issuer, b.jwksUri, b.refetchMinInterval, b.jwksMaxAge, b.httpTimeout, clock);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String issuer() {
        return issuer;
    }

    public Set<String> audiences() {
        return audiences;
    }

    /** The allowed algorithm names. */
    public Set<String> algorithms() {
        Set<String> names = new LinkedHashSet<>();
        algorithms.forEach(a -> names.add(a.getName()));
        return names;
    }

    public Duration clockSkew() {
        return clockSkew;
    }

    public Clock clock() {
        return clock;
    }

    /**
     * Validates {@code token} and describes it as a {@link Credential} that holds {@code token} itself (not a copy):
     * issuer, subject, {@code iat}, {@code exp} and the claims.
     *
     * @throws JwtRefusedException naming the failed {@link JwtRefusedException#check() check}; reason
     *         {@link ReasonCode#TOKEN_EXPIRED} for an expired token, {@link ReasonCode#TOKEN_FORGED} for a
     *         signature or key that does not match the issuer's, {@link ReasonCode#IDP_UNREACHABLE} when the
     *         issuer's keys cannot be fetched, {@link ReasonCode#TOKEN_INVALID} otherwise
     */
    public Credential validate(Secret token) {
        Objects.requireNonNull(token, "token");
        SignedJWT jwt = parse(token);
        JWSHeader header = jwt.getHeader();
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.FORMAT, "the token's payload is not a JSON claims set");
        }
        checkHeader(header);
        verifySignature(jwt, header);
        checkIssuerAndAudience(claims);
        Instant now = clock.instant();
        Instant exp = instant(claims.getExpirationTime());
        Instant nbf = instant(claims.getNotBeforeTime());
        Instant iat = instant(claims.getIssueTime());
        if (exp == null) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.EXPIRY, "the token has no exp claim; tokens that never"
                    + " expire are refused");
        }
        if (now.isAfter(plusSaturating(exp, clockSkew))) {
            throw refuse(ReasonCode.TOKEN_EXPIRED, Check.EXPIRY, "the token of subject '" + claims.getSubject()
                    + "' expired at " + exp + " (now " + now + ", clock skew " + clockSkew.toSeconds() + " s)");
        }
        if (nbf != null && plusSaturating(now, clockSkew).isBefore(nbf)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.NOT_BEFORE, "the token is not valid before " + nbf
                    + " (now " + now + ", clock skew " + clockSkew.toSeconds() + " s)");
        }
        if (iat != null && plusSaturating(now, clockSkew).isBefore(iat)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.ISSUED_AT, "the token claims to be issued at " + iat
                    + ", in the future (now " + now + ", clock skew " + clockSkew.toSeconds() + " s)");
        }
        for (String name : requiredClaims) {
            if (claims.getClaim(name) == null) {
                throw refuse(ReasonCode.TOKEN_INVALID, Check.REQUIRED_CLAIM, "required claim '" + name
                        + "' is missing");
            }
        }
        try {
            return Credential.builder(token).issuer(claims.getIssuer()).subject(claims.getSubject()).issuedAt(iat)
                    .expiresAt(exp).claims(claims.toJSONObject()).build();
        } catch (IllegalArgumentException e) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.EXPIRY, "the token's exp " + exp + " precedes its iat "
                    + iat);
        }
    }

    /**
     * The largest token read, in characters: far above any IdP's access token (a few KiB), small enough that a
     * hostile token source cannot make the parser decode megabytes of base64 and JSON before the signature is checked.
     */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    private static SignedJWT parse(Secret token) {
        if (token.length() > MAX_TOKEN_CHARS) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.FORMAT, "the token is " + token.length()
                    + " characters long; at most " + MAX_TOKEN_CHARS + " are read");
        }
        JWT jwt;
        try {
            jwt = token.withChars(chars -> {
                try {
                    return JWTParser.parse(new String(chars));
                } catch (ParseException e) {
                    return null;
                }
            });
        } catch (IllegalStateException notText) {
            jwt = null;
        }
        if (jwt == null) {
            // Neither the parser's message nor the token is repeated: both could carry token text.
            throw refuse(ReasonCode.TOKEN_INVALID, Check.FORMAT, "the token is not a JWT in compact serialization");
        }
        if (jwt instanceof PlainJWT) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.ALGORITHM, "unsecured token (alg none) refused");
        }
        if (jwt instanceof EncryptedJWT || !(jwt instanceof SignedJWT)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.FORMAT, "encrypted tokens (JWE) are not accepted;"
                    + " a signed JWT is expected");
        }
        return (SignedJWT) jwt;
    }

    private void checkHeader(JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.ALGORITHM, "alg " + alg + " refused: HMAC algorithms are"
                    + " never accepted, the issuer's keys are asymmetric");
        }
        if (!algorithms.contains(alg)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.ALGORITHM, "alg " + alg + " is not in the allow-list "
                    + algorithms());
        }
        if (header.getJWKURL() != null) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.HEADER_KEY, "header jku refused: keys come only from the"
                    + " issuer's JWKS");
        }
        if (header.getJWK() != null) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.HEADER_KEY, "header jwk refused: a token cannot bring"
                    + " its own key");
        }
        if (header.getX509CertURL() != null) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.HEADER_KEY, "header x5u refused: keys come only from the"
                    + " issuer's JWKS");
        }
        if (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty()) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.FORMAT, "critical header parameters "
                    + header.getCriticalParams() + " are not supported");
        }
    }

    private void verifySignature(SignedJWT jwt, JWSHeader header) {
        JWSAlgorithm alg = header.getAlgorithm();
        String kid = header.getKeyID();
        List<JWK> named = jwks.keys(kid);
        List<JWK> fitting = new ArrayList<>();
        for (JWK k : named) {
            if (Signatures.fits(alg, k)) {
                fitting.add(k);
            }
        }
        String keyName = kid == null ? "(no kid)" : "kid '" + kid + "'";
        if (named.isEmpty()) {
            throw refuse(ReasonCode.TOKEN_FORGED, Check.KEY, "no key with " + keyName + " in the JWKS of issuer '"
                    + issuer + "'");
        }
        if (fitting.isEmpty()) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.KEY, "alg " + alg + " does not match the type of key "
                    + keyName + " (" + named.get(0).getKeyType() + ") of issuer '" + issuer + "'");
        }
        for (JWK k : fitting) {
            try {
                if (Signatures.verify(jwt, k)) {
                    return;
                }
            } catch (JOSEException e) {
                // a key that cannot check this signature counts as one that does not verify it
            }
        }
        throw refuse(ReasonCode.TOKEN_FORGED, Check.SIGNATURE, "the signature does not verify with key " + keyName
                + " of issuer '" + issuer + "'");
    }

    private void checkIssuerAndAudience(JWTClaimsSet claims) {
        String iss = claims.getIssuer();
        if (!issuer.equals(iss)) {
            throw refuse(ReasonCode.TOKEN_INVALID, Check.ISSUER, "iss '" + iss + "' is not the configured issuer '"
                    + issuer + "'");
        }
        List<String> aud = claims.getAudience();
        for (String a : aud) {
            if (audiences.contains(a)) {
                return;
            }
        }
        throw refuse(ReasonCode.TOKEN_INVALID, Check.AUDIENCE, "aud " + aud + " names none of the configured"
                + " audiences " + audiences);
    }

    private static Instant instant(Date d) {
        return d == null ? null : d.toInstant();
    }

    private static Instant plusSaturating(Instant t, Duration d) {
        try {
            return t.plus(d);
        } catch (DateTimeException | ArithmeticException e) {
            return Instant.MAX;
        }
    }

    private static JwtRefusedException refuse(ReasonCode reason, Check check, String message) {
        return new JwtRefusedException(reason, check, message);
    }

    /**
     * Settings of a validator. {@link #issuer(String)} and at least one {@link #audience(String...)} are required.
     * Invalid settings fail {@link #build()} with a {@link ConfigurationException} naming the property as the OSGi
     * configuration spells it.
     */
    public static final class Builder {
        private String issuer;
        private final List<String> audiences = new ArrayList<>();
        private URI jwksUri;
        private List<String> algorithmNames = DEFAULT_ALGORITHMS;
        private Set<JWSAlgorithm> parsedAlgorithms;
        private Duration clockSkew = DEFAULT_CLOCK_SKEW;
        private final List<String> requiredClaims = new ArrayList<>();
        private Duration refetchMinInterval = DEFAULT_REFETCH_MIN_INTERVAL;
        private Duration jwksMaxAge = DEFAULT_JWKS_MAX_AGE;
        private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The expected {@code iss}, exactly; also where discovery looks unless {@link #jwksUri(URI)} is set. */
        public Builder issuer(String issuer) {
            this.issuer = issuer;
            return this;
        }

        /** Accepted {@code aud} values (a token must name at least one); adds to those given before. */
        public Builder audience(String... audiences) {
            this.audiences.addAll(List.of(audiences));
            return this;
        }

        /** Accepted {@code aud} values; adds to those given before. */
        public Builder audiences(Collection<String> audiences) {
            this.audiences.addAll(audiences);
            return this;
        }

        /** The issuer's JWKS URL; default: {@code jwks_uri} of {@code <issuer>/.well-known/openid-configuration}. */
        public Builder jwksUri(URI jwksUri) {
            this.jwksUri = jwksUri;
            return this;
        }

        /** The allow-list of {@code alg} values; HMAC and {@code none} are refused at {@link #build()}. */
        public Builder algorithms(String... names) {
            this.algorithmNames = List.of(names);
            return this;
        }

        /** Tolerance for {@code exp}, {@code nbf} and {@code iat}; default 60 s. Never affects iss or aud. */
        public Builder clockSkew(Duration skew) {
            this.clockSkew = skew;
            return this;
        }

        /** Claims that must be present (beyond iss, aud and exp, which always are); adds to those given before. */
        public Builder requiredClaims(String... names) {
            this.requiredClaims.addAll(List.of(names));
            return this;
        }

        /** Least time between two JWKS fetches (an unknown {@code kid} waits for it); default 60 s. */
        public Builder jwksRefetchMinInterval(Duration interval) {
            this.refetchMinInterval = interval;
            return this;
        }

        /** Age after which the key set is fetched again at the next validation; default 1 h. */
        public Builder jwksMaxAge(Duration maxAge) {
            this.jwksMaxAge = maxAge;
            return this;
        }

        /** Connect and request timeout of discovery and JWKS fetches; default 5 s. */
        public Builder httpTimeout(Duration timeout) {
            this.httpTimeout = timeout;
            return this;
        }

        /** The clock for {@code exp}, {@code nbf}, {@code iat} and the JWKS cache; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public JwtValidator build() {
            if (issuer == null || issuer.isBlank()) {
                throw new ConfigurationException("issuer: required (the exact iss of accepted tokens)");
            }
            if (issuer.strip().length() != issuer.length()) {
                throw new ConfigurationException("issuer: '" + issuer + "' has leading or trailing spaces");
            }
            if (jwksUri == null) {
                URI uri;
                try {
                    uri = URI.create(issuer);
                } catch (IllegalArgumentException e) {
                    throw new ConfigurationException("issuer: '" + issuer + "' is not a URL; set jwks.uri or use"
                            + " the issuer's URL for discovery");
                }
                String problem = JwksSource.fetchable(uri);
                if (problem != null) {
                    throw new ConfigurationException("issuer: discovery at '" + issuer + "': " + problem);
                }
            } else {
                String problem = JwksSource.fetchable(jwksUri);
                if (problem != null) {
                    throw new ConfigurationException("jwks.uri: '" + jwksUri + "': " + problem);
                }
            }
            audiences.replaceAll(a -> a == null ? "" : a.trim());
            audiences.removeIf(String::isEmpty);
            if (audiences.isEmpty()) {
                throw new ConfigurationException("audience: at least one accepted aud value is required");
            }
            parsedAlgorithms = new LinkedHashSet<>();
            for (String name : algorithmNames) {
                String n = name == null ? "" : name.trim();
                if (n.isEmpty()) {
                    continue;
                }
                JWSAlgorithm alg = JWSAlgorithm.parse(n);
                if ("none".equals(n.toLowerCase(Locale.ROOT))) {
                    throw new ConfigurationException("algorithms: 'none' (unsecured tokens) can never be allowed");
                }
                if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
                    throw new ConfigurationException("algorithms: " + n + " is an HMAC algorithm; only asymmetric"
                            + " algorithms checked against the issuer's JWKS are allowed");
                }
                if (!Signatures.SUPPORTED.contains(alg)) {
                    throw new ConfigurationException("algorithms: '" + n + "' is not supported; use "
                            + DEFAULT_ALGORITHMS + ", RS384, RS512, PS384, PS512, ES384 or ES512");
                }
                parsedAlgorithms.add(alg);
            }
            if (parsedAlgorithms.isEmpty()) {
                throw new ConfigurationException("algorithms: the allow-list is empty");
            }
            if (clockSkew == null || clockSkew.isNegative()) {
                throw new ConfigurationException("clock.skew.seconds: must be 0 or more, got " + clockSkew);
            }
            if (refetchMinInterval == null || refetchMinInterval.isNegative()) {
                throw new ConfigurationException("jwks.refetch.min.interval.seconds: must be 0 or more, got "
                        + refetchMinInterval);
            }
            if (jwksMaxAge == null || jwksMaxAge.isNegative()) {
                throw new ConfigurationException("jwks.max.age.seconds: must be 0 or more, got " + jwksMaxAge);
            }
            if (httpTimeout == null || httpTimeout.isNegative() || httpTimeout.isZero()) {
                throw new ConfigurationException("http.timeout.millis: must be positive, got " + httpTimeout);
            }
            requiredClaims.replaceAll(c -> c == null ? "" : c.trim());
            requiredClaims.removeIf(String::isEmpty);
            return new JwtValidator(this);
        }
    }
}
