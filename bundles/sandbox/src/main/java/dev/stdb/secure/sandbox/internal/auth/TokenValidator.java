package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import com.nimbusds.jwt.SignedJWT;
import dev.stdb.secure.protocol.Identity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Validates bearer JWTs the way SpacetimeDB's {@code FullTokenValidator} does (PROTOCOL.md §2):
 *
 * <ol>
 *   <li>Parse; not a compact JWS with a JSON object payload -> 400 {@code "malformed token"}.</li>
 *   <li>Verify with the {@link LocalIssuer}'s key (ES256), whatever the {@code iss}. If that fails and {@code iss}
 *       is the local issuer -> 401.</li>
 *   <li>Otherwise {@code iss} is an OIDC issuer: {@code GET <iss>/.well-known/openid-configuration} (trailing
 *       slashes of {@code iss} trimmed), its {@code issuer} must equal the token's {@code iss}; {@code GET jwks_uri};
 *       key chosen by {@code kid} (all keys tried when the token has none); any algorithm Nimbus'
 *       {@link DefaultJWSVerifierFactory} supports with an RSA or EC key. JWKS are cached per issuer: used as is for
 *       5 min, then refetched (the stale copy is still used if the refetch fails, up to 2 h after it was fetched);
 *       a {@code kid} missing from the cached set triggers one refetch. Only {@code https} and
 *       {@code http}-on-loopback URLs are fetched.</li>
 *   <li>Claims: {@code iss}, {@code sub} non-empty strings of at most 128 UTF-8 bytes; {@code iat} present (number);
 *       {@code aud} ignored; {@code exp} (when present and not null) checked against the clock with
 *       {@link Builder#leeway(Duration) leeway} (default 0 s; real SpacetimeDB inherits jsonwebtoken's 60 s);
 *       {@code hex_identity}, when present, must equal the derived identity.</li>
 *   <li>Fault controls for tests: {@link #revoke(String)}, {@link #expireTokensIssuedBefore(Instant)}.</li>
 * </ol>
 *
 * <p>Every rejection is a {@link TokenRejectedException} whose message never contains the token. Thread-safe.
 */
public final class TokenValidator {
    /** Maximum UTF-8 length of {@code iss} and {@code sub}. */
    public static final int MAX_CLAIM_BYTES = 128;
    public static final Duration DEFAULT_HTTP_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration DEFAULT_JWKS_REFRESH = Duration.ofMinutes(5);
    public static final Duration DEFAULT_JWKS_EXPIRY = Duration.ofHours(2);

    private static final Logger LOG = LoggerFactory.getLogger(TokenValidator.class);
    private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final int MAX_DOCUMENT_BYTES = 1 << 20;

    private final LocalIssuer local;
    private final JWSVerifier localVerifier;
    private final Clock clock;
    private final Duration leeway;
    private final Duration httpTimeout;
    private final Duration jwksRefresh;
    private final Duration jwksExpiry;
    private final HttpClient http;
    private final DefaultJWSVerifierFactory verifierFactory = new DefaultJWSVerifierFactory();

    private final ConcurrentHashMap<String, Slot> jwksCache = new ConcurrentHashMap<>();
    private final Set<String> revoked = ConcurrentHashMap.newKeySet();
    private final AtomicReference<Instant> issuedBeforeCutoff = new AtomicReference<>();

    /** A validator with the defaults: the local issuer's clock, 0 s leeway, 5 s HTTP timeout, 5 min / 2 h JWKS cache. */
    public TokenValidator(LocalIssuer local) {
        this(builder(local));
    }

    private TokenValidator(Builder b) {
        this.local = b.local;
        this.localVerifier = b.local.verifier();
        this.clock = b.clock != null ? b.clock : b.local.clock();
        this.leeway = b.leeway;
        this.httpTimeout = b.httpTimeout;
        this.jwksRefresh = b.jwksRefresh;
        this.jwksExpiry = b.jwksExpiry;
        HttpClient.Builder http = HttpClient.newBuilder();
        if (b.sslContext != null) {
            http.sslContext(b.sslContext);
        }
        this.http = http
                .connectTimeout(httpTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public static Builder builder(LocalIssuer local) {
        return new Builder(local);
    }

    /** Options of a {@link TokenValidator}. */
    public static final class Builder {
        private final LocalIssuer local;
        private Clock clock;
        private Duration leeway = Duration.ZERO;
        private Duration httpTimeout = DEFAULT_HTTP_TIMEOUT;
        private Duration jwksRefresh = DEFAULT_JWKS_REFRESH;
        private Duration jwksExpiry = DEFAULT_JWKS_EXPIRY;
        private javax.net.ssl.SSLContext sslContext;

        private Builder(LocalIssuer local) {
            this.local = Objects.requireNonNull(local, "local");
        }

        /** The clock for {@code exp} and the JWKS cache; default: the local issuer's clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Grace after {@code exp}; default 0 (SpacetimeDB, via jsonwebtoken's default, allows 60 s). */
        public Builder leeway(Duration leeway) {
            this.leeway = nonNegative(leeway, "leeway");
            return this;
        }

        /** Trust for OIDC fetches from {@code https} issuers (a test IdP with its own CA); default the JVM's. */
        public Builder sslContext(javax.net.ssl.SSLContext context) {
            this.sslContext = Objects.requireNonNull(context, "context");
            return this;
        }

        /** Connect timeout and per-request timeout of OIDC fetches; default 5 s. */
        public Builder httpTimeout(Duration timeout) {
            this.httpTimeout = positive(timeout, "httpTimeout");
            return this;
        }

        /** Age after which a cached JWKS is refetched; default 5 min. */
        public Builder jwksRefreshAfter(Duration d) {
            this.jwksRefresh = positive(d, "jwksRefreshAfter");
            return this;
        }

        /** Age after which a cached JWKS is no longer used even if its refetch fails; default 2 h. */
        public Builder jwksExpireAfter(Duration d) {
            this.jwksExpiry = positive(d, "jwksExpireAfter");
            return this;
        }

        public TokenValidator build() {
            if (jwksExpiry.compareTo(jwksRefresh) < 0) {
                throw new IllegalArgumentException("jwksExpireAfter must not be shorter than jwksRefreshAfter");
            }
            return new TokenValidator(this);
        }

        private static Duration nonNegative(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isNegative()) {
                throw new IllegalArgumentException(what + " must not be negative");
            }
            return d;
        }

        private static Duration positive(Duration d, String what) {
            if (nonNegative(d, what).isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Fault controls

    /** From now on this exact token (compared by SHA-256) is rejected with 401 {@code "token revoked"}. */
    public void revoke(String token) {
        revoked.add(fingerprint(Objects.requireNonNull(token, "token")));
    }

    /**
     * From now on tokens whose {@code iat} is before {@code cutoff} are rejected with 401 {@code "token expired"}.
     * Repeated calls keep the latest cutoff in time. Note that {@code iat} has whole-second resolution: a cutoff of
     * "now" also expires tokens minted later within the same second.
     */
    public void expireTokensIssuedBefore(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        issuedBeforeCutoff.accumulateAndGet(cutoff, (a, b) -> a == null || b.isAfter(a) ? b : a);
    }

    /** Undoes {@link #revoke} and {@link #expireTokensIssuedBefore}. */
    public void clearFaults() {
        revoked.clear();
        issuedBeforeCutoff.set(null);
    }

    /** Forgets every cached OIDC key set. */
    public void clearJwksCache() {
        jwksCache.clear();
    }

    // ----------------------------------------------------------------------------------------------------------
    // Validation

    /**
     * Validates a compact JWT (without any {@code Bearer } prefix).
     *
     * @throws TokenRejectedException 400 if the token is not a JWT, 401 if it is not acceptable
     */
    public ValidatedToken validate(String token) {
        if (token == null || token.isEmpty()) {
            throw TokenRejectedException.malformed();
        }
        try {
            return doValidate(token);
        } catch (TokenRejectedException e) {
            throw scrub(e, token);
        } catch (RuntimeException e) {
            // Not expected; never let a library message (which might quote token material) through.
            LOG.debug("unexpected error validating a token: {}", e.getClass().getName());
            throw new TokenRejectedException(401, "invalid token");
        }
    }

    private ValidatedToken doValidate(String token) {
        SignedJWT jwt;
        Map<String, Object> claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getPayload().toJSONObject();
        } catch (ParseException | RuntimeException e) {
            throw TokenRejectedException.malformed();
        }
        if (claims == null) {
            throw TokenRejectedException.malformed();
        }
        if (revoked.contains(fingerprint(token))) {
            throw TokenRejectedException.unauthorized("token revoked");
        }

        String issuer = requiredString(claims, "iss");
        String subject = requiredString(claims, "sub");
        Instant issuedAt = instantClaim(claims, "iat");
        if (issuedAt == null) {
            throw TokenRejectedException.unauthorized("missing required claim iat");
        }
        Instant expiresAt = instantClaim(claims, "exp");

        if (!verifies(jwt, localVerifier)) {
            if (issuer.equals(local.issuer())) {
                throw TokenRejectedException.unauthorized(
                        "invalid token signature: token not signed by this instance (iss " + quote(issuer) + ")");
            }
            verifyWithOidcIssuer(jwt, issuer);
        }

        if (expiresAt != null
                && clock.instant().getEpochSecond() > Math.addExact(expiresAt.getEpochSecond(), leeway.getSeconds())) {
            throw TokenRejectedException.unauthorized("token expired");
        }

        Identity identity = IdentityDerivation.fromClaims(issuer, subject);
        if (claims.containsKey("hex_identity") && claims.get("hex_identity") != null) {
            Object hex = claims.get("hex_identity");
            Identity claimed;
            try {
                claimed = hex instanceof String ? Identity.fromHex((String) hex) : null;
            } catch (RuntimeException e) {
                claimed = null;
            }
            if (claimed == null) {
                throw TokenRejectedException.unauthorized("invalid hex_identity claim");
            }
            if (!claimed.equals(identity)) {
                throw TokenRejectedException.unauthorized("hex_identity " + claimed.toHex()
                        + " does not match the identity " + identity.toHex() + " derived from iss and sub");
            }
        }

        Instant cutoff = issuedBeforeCutoff.get();
        if (cutoff != null && issuedAt.isBefore(cutoff)) {
            throw TokenRejectedException.unauthorized("token expired");
        }
        return new ValidatedToken(issuer, subject, identity, claims, issuedAt, expiresAt, token);
    }

    private static String requiredString(Map<String, Object> claims, String name) {
        Object v = claims.get(name);
        if (v == null) {
            throw TokenRejectedException.unauthorized("missing required claim " + name);
        }
        if (!(v instanceof String)) {
            throw TokenRejectedException.unauthorized("claim " + name + " must be a string");
        }
        String s = (String) v;
        if (s.isEmpty()) {
            throw TokenRejectedException.unauthorized("claim " + name + " must not be empty");
        }
        int len = s.getBytes(StandardCharsets.UTF_8).length;
        if (len > MAX_CLAIM_BYTES) {
            throw TokenRejectedException.unauthorized(
                    "claim " + name + " too long: " + len + " bytes (at most " + MAX_CLAIM_BYTES + ")");
        }
        return s;
    }

    /** A NumericDate claim; null if absent or JSON null. */
    private static Instant instantClaim(Map<String, Object> claims, String name) {
        Object v = claims.get(name);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number)) {
            throw TokenRejectedException.unauthorized("claim " + name + " must be a number of seconds");
        }
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw TokenRejectedException.unauthorized("claim " + name + " must be a number of seconds");
        }
        try {
            long seconds = v instanceof Double || v instanceof Float ? (long) Math.floor(d) : ((Number) v).longValue();
            return Instant.ofEpochSecond(seconds);
        } catch (DateTimeException e) {
            throw TokenRejectedException.unauthorized("claim " + name + " out of range");
        }
    }

    private static boolean verifies(SignedJWT jwt, JWSVerifier verifier) {
        try {
            return jwt.verify(verifier);
        } catch (JOSEException | RuntimeException e) {
            return false;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // OIDC

    private void verifyWithOidcIssuer(SignedJWT jwt, String issuer) {
        requireFetchable(issuer, issuer, "OIDC issuer must use https (or http on a loopback address), got iss "
                + quote(issuer));
        String kid = jwt.getHeader().getKeyID();

        Lookup lookup = jwks(issuer, false);
        if (!issuer.equals(lookup.entry.discoveredIssuer)) {
            throw TokenRejectedException.unauthorized("token iss " + quote(issuer)
                    + " does not equal the issuer " + quote(lookup.entry.discoveredIssuer)
                    + " of its OIDC discovery document");
        }
        List<JWK> candidates = candidates(lookup.entry.keys, kid);
        if (candidates.isEmpty() && kid != null && !lookup.fetchedNow) {
            LOG.info("kid {} not in the cached JWKS of OIDC issuer {}; refetching", quote(kid), issuer);
            lookup = jwks(issuer, true);
            candidates = candidates(lookup.entry.keys, kid);
        }
        if (candidates.isEmpty()) {
            throw TokenRejectedException.unauthorized(kid != null
                    ? "no key with kid " + quote(kid) + " in the JWKS of OIDC issuer " + quote(issuer)
                    : "the JWKS of OIDC issuer " + quote(issuer) + " has no keys");
        }
        JWSAlgorithm alg = jwt.getHeader().getAlgorithm();
        for (JWK jwk : candidates) {
            if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
                continue;
            }
            if (jwk.getAlgorithm() != null && !jwk.getAlgorithm().getName().equals(alg.getName())) {
                continue;
            }
            Key key;
            try {
                if (jwk instanceof RSAKey) {
                    key = ((RSAKey) jwk).toRSAPublicKey();
                } else if (jwk instanceof ECKey) {
                    key = ((ECKey) jwk).toECPublicKey();
                } else {
                    continue; // symmetric ("oct") keys in a public JWKS make no sense; OKP needs Tink
                }
                if (jwt.verify(verifierFactory.createJWSVerifier(jwt.getHeader(), key))) {
                    return;
                }
            } catch (JOSEException | RuntimeException e) {
                LOG.debug("key {} of {} cannot verify {}: {}", jwk.getKeyID(), issuer, alg, e.getMessage());
            }
        }
        throw TokenRejectedException.unauthorized("invalid token signature: no key of OIDC issuer " + quote(issuer)
                + (kid != null ? " with kid " + quote(kid) : "") + " verifies it (alg " + alg + ")");
    }

    private static List<JWK> candidates(JWKSet set, String kid) {
        List<JWK> out = new ArrayList<>();
        for (JWK jwk : set.getKeys()) {
            if (kid == null || kid.equals(jwk.getKeyID())) {
                out.add(jwk);
            }
        }
        return out;
    }

    private static final class Entry {
        final String discoveredIssuer;
        final JWKSet keys;
        final Instant fetchedAt;

        Entry(String discoveredIssuer, JWKSet keys, Instant fetchedAt) {
            this.discoveredIssuer = discoveredIssuer;
            this.keys = keys;
            this.fetchedAt = fetchedAt;
        }
    }

    /** One issuer's cache slot; also the lock that serializes its fetches. */
    private static final class Slot {
        Entry entry;
    }

    private static final class Lookup {
        final Entry entry;
        final boolean fetchedNow;

        Lookup(Entry entry, boolean fetchedNow) {
            this.entry = entry;
            this.fetchedNow = fetchedNow;
        }
    }

    private Lookup jwks(String issuer, boolean force) {
        Slot slot = jwksCache.computeIfAbsent(issuer, k -> new Slot());
        synchronized (slot) {
            Entry cached = slot.entry;
            Instant now = clock.instant();
            if (!force && cached != null && now.isBefore(cached.fetchedAt.plus(jwksRefresh))) {
                return new Lookup(cached, false);
            }
            try {
                Entry fresh = fetch(issuer, now);
                slot.entry = fresh;
                return new Lookup(fresh, true);
            } catch (TokenRejectedException e) {
                if (cached != null && now.isBefore(cached.fetchedAt.plus(jwksExpiry))) {
                    LOG.warn("refetching the JWKS of OIDC issuer {} failed ({}); using the copy from {}",
                            issuer, e.getMessage(), cached.fetchedAt);
                    return new Lookup(cached, false);
                }
                if (cached == null) {
                    jwksCache.remove(issuer, slot);
                } else {
                    slot.entry = null;
                }
                throw e;
            }
        }
    }

    private Entry fetch(String issuer, Instant now) {
        String base = issuer;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI discoveryUri = requireFetchable(base + DISCOVERY_PATH, issuer,
                "OIDC issuer must use https (or http on a loopback address), got iss " + quote(issuer));
        LOG.info("fetching OIDC discovery document {}", discoveryUri);
        Map<String, Object> discovery;
        try {
            discovery = JSONObjectUtils.parse(get(discoveryUri, issuer, "OIDC discovery document"));
        } catch (ParseException e) {
            throw TokenRejectedException.unauthorized("the OIDC discovery document of " + quote(issuer)
                    + " is not a JSON object");
        }
        Object docIssuer = discovery.get("issuer");
        Object jwksUri = discovery.get("jwks_uri");
        if (!(docIssuer instanceof String) || !(jwksUri instanceof String)) {
            throw TokenRejectedException.unauthorized("the OIDC discovery document of " + quote(issuer)
                    + " lacks the string members issuer and jwks_uri");
        }
        URI jwksLocation = requireFetchable((String) jwksUri, issuer,
                "the jwks_uri of OIDC issuer " + quote(issuer) + " must use https (or http on a loopback address)");
        LOG.info("fetching JWKS {} of OIDC issuer {}", jwksLocation, issuer);
        JWKSet keys;
        try {
            keys = JWKSet.parse(get(jwksLocation, issuer, "JWKS"));
        } catch (ParseException e) {
            throw TokenRejectedException.unauthorized("the JWKS of OIDC issuer " + quote(issuer)
                    + " cannot be parsed: " + e.getMessage());
        }
        return new Entry((String) docIssuer, keys.toPublicJWKSet(), now);
    }

    private String get(URI uri, String issuer, String what) {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(httpTimeout)
                .header("Accept", "application/json")
                .GET()
                .build();
        CompletableFuture<HttpResponse<byte[]>> future =
                http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray());
        HttpResponse<byte[]> response;
        try {
            // The request timeout covers the response headers; bound the body too.
            response = future.get(httpTimeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw unreachable(issuer, "timed out after " + httpTimeout.toMillis() * 2 + " ms fetching " + uri);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw unreachable(issuer, "interrupted");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw unreachable(issuer, describe(cause) + " (" + uri + ")");
        }
        if (response.statusCode() != 200) {
            throw TokenRejectedException.unauthorized("cannot fetch the " + what + " of OIDC issuer " + quote(issuer)
                    + ": HTTP " + response.statusCode() + " from " + uri);
        }
        byte[] body = response.body();
        if (body.length > MAX_DOCUMENT_BYTES) {
            throw TokenRejectedException.unauthorized("the " + what + " of OIDC issuer " + quote(issuer)
                    + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    private static TokenRejectedException unreachable(String issuer, String detail) {
        return TokenRejectedException.unauthorized("cannot reach OIDC issuer " + issuer + ": " + detail);
    }

    /** "ConnectException: Connection refused", taking the first message along the cause chain. */
    private static String describe(Throwable t) {
        String name = t.getClass().getSimpleName();
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) {
                return name + ": " + c.getMessage();
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return t instanceof ConnectException ? name + ": connection refused or unreachable" : name;
    }

    /** Only https, or http to a loopback address, is fetched; nothing else leaves the validator. */
    private static URI requireFetchable(String url, String issuer, String rejection) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw TokenRejectedException.unauthorized(rejection);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty() || uri.getRawUserInfo() != null) {
            throw TokenRejectedException.unauthorized(rejection);
        }
        if (scheme.equals("https") || (scheme.equals("http") && isLoopback(host))) {
            return uri;
        }
        throw TokenRejectedException.unauthorized(rejection);
    }

    /** Loopback without any name resolution: "localhost", 127.0.0.0/8 or ::1 literals. */
    static boolean isLoopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        if (h.equals("localhost")) {
            return true;
        }
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        if (!IPV4.matcher(h).matches() && !(h.indexOf(':') >= 0 && h.matches("[0-9a-f:.%a-z]+"))) {
            return false; // a name: never resolved
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress(); // literal: no lookup
        } catch (UnknownHostException e) {
            return false;
        }
    }

    // ----------------------------------------------------------------------------------------------------------
    // Helpers

    private static String fingerprint(String token) {
        return HexFormat.of().formatHex(LocalIssuer.sha256(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** A claim value for a message: quoted, control characters escaped, at most 140 characters. */
    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        int n = 0;
        for (int i = 0; i < s.length() && n < 140; i++, n++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '"' || c == '\\') {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        if (s.length() > 140) {
            b.append("...");
        }
        return b.append('"').toString();
    }

    /** Belt and braces: no message may carry the token or one of its parts. */
    private static TokenRejectedException scrub(TokenRejectedException e, String token) {
        String msg = e.getMessage() == null ? "" : e.getMessage();
        String clean = msg;
        if (clean.contains(token)) {
            clean = clean.replace(token, "<token>");
        }
        for (String part : token.split("\\.")) {
            if (part.length() >= 16 && clean.contains(part)) {
                clean = clean.replace(part, "<token part>");
            }
        }
        return clean.equals(msg) ? e : new TokenRejectedException(e.status(), clean);
    }
}
