package dev.stdb.secure.auth.jwt.internal;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.jwt.JwtRefusedException;
import dev.stdb.secure.auth.jwt.JwtRefusedException.Check;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The issuer's public keys: found by OIDC discovery ({@code <iss>/.well-known/openid-configuration}, whose
 * {@code issuer} must equal the configured one) or at a configured JWKS URL, and cached. The set is fetched again
 * when a token names a {@code kid} it lacks, or when it is older than the maximum age, but never more often than once
 * per minimum interval, counting every attempt: a flood of tokens with made-up key ids costs the issuer at most one
 * request per interval. A failed refetch keeps the keys already known.
 *
 * <p>Only public RSA, EC (P-256/384/521) and Ed25519 keys are kept: symmetric ({@code oct}) keys in a JWKS are
 * dropped, so no token can be checked with an HMAC over a public key, and private parts are never held.
 * Only {@code https} URLs, or {@code http} on a loopback address, are fetched, without following redirects.
 * Thread-safe; fetches are serialised.
 */
public final class JwksSource {

    /** The User-Agent of discovery and JWKS requests. */
    public static final String USER_AGENT = "dev.stdb.secure.auth.jwt";
    private static final String DISCOVERY_PATH = "/.well-known/openid-configuration";
    private static final int MAX_DOCUMENT_BYTES = 1 << 20;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private final String issuer;
    private final URI configuredJwksUri;
    private final Duration minInterval;
    private final Duration maxAge;
    private final Duration timeout;
    private final Clock clock;
    private final HttpClient http;

    private final Object lock = new Object();
    private URI jwksUri;
    private List<JWK> keys;
    private Instant fetchedAt;
    private Instant lastAttempt;

    public JwksSource(String issuer, URI jwksUri, Duration minInterval, Duration maxAge, Duration timeout,
            Clock clock) {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
        this.configuredJwksUri = jwksUri;
        this.minInterval = minInterval;
        this.maxAge = maxAge;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * The keys with {@code kid} (every key when {@code kid} is null), refetching once if none has it and the minimum
     * interval since the last fetch has passed.
     *
     * @throws JwtRefusedException {@link ReasonCode#IDP_UNREACHABLE} when no key set has ever been fetched
     */
    public List<JWK> keys(String kid) {
        synchronized (lock) {
            Instant now = clock.instant();
            if (keys == null) {
                if (!mayFetch(now)) {
                    throw new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, "the keys of issuer '"
                            + issuer + "' could not be fetched; next attempt after " + lastAttempt.plus(minInterval));
                }
                fetch(now, true);
            } else if (fetchedAt.plus(maxAge).isBefore(now) && mayFetch(now)) {
                fetch(now, false);
            }
            List<JWK> found = select(kid);
            if (found.isEmpty() && kid != null && mayFetch(now)) {
                fetch(now, false);
                found = select(kid);
            }
            return found;
        }
    }

    /** Whether at least the minimum interval has passed since the last fetch attempt. */
    private boolean mayFetch(Instant now) {
        return lastAttempt == null || !now.isBefore(lastAttempt.plus(minInterval));
    }

    private List<JWK> select(String kid) {
        if (kid == null) {
            return keys;
        }
        List<JWK> out = new ArrayList<>();
        for (JWK k : keys) {
            if (kid.equals(k.getKeyID())) {
                out.add(k);
            }
        }
        return out;
    }

    private void fetch(Instant now, boolean firstTime) {
        lastAttempt = now;
        try {
            if (jwksUri == null) {
                jwksUri = configuredJwksUri != null ? configuredJwksUri : discover();
            }
            String body = get(jwksUri, "JWKS");
            JWKSet set;
            try {
                set = JWKSet.parse(body);
            } catch (ParseException e) {
                throw refusal("the JWKS at " + jwksUri + " is not a JWK set");
            }
            List<JWK> usable = new ArrayList<>();
            for (JWK k : set.getKeys()) {
                JWK pub = k.toPublicJWK();
                if (pub instanceof RSAKey || pub instanceof ECKey && isSupportedCurve(((ECKey) pub).getCurve())
                        || pub instanceof OctetKeyPair && Curve.Ed25519.equals(((OctetKeyPair) pub).getCurve())) {
                    usable.add(pub);
                }
            }
            keys = List.copyOf(usable);
            fetchedAt = now;
        } catch (JwtRefusedException e) {
            if (firstTime) {
                throw e;
            }
            // A failed refetch keeps the keys already known; the token is judged with those.
        }
    }

    private static boolean isSupportedCurve(Curve c) {
        return Curve.P_256.equals(c) || Curve.P_384.equals(c) || Curve.P_521.equals(c);
    }

    private URI discover() {
        String base = issuer;
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        URI discovery = URI.create(base + DISCOVERY_PATH);
        String body = get(discovery, "discovery document");
        Map<String, Object> doc;
        try {
            doc = JSONObjectUtils.parse(body);
        } catch (ParseException e) {
            throw refusal("the discovery document at " + discovery + " is not a JSON object");
        }
        Object declared = doc.get("issuer");
        if (!issuer.equals(declared)) {
            throw refusal("the discovery document at " + discovery + " names issuer '" + declared
                    + "', not the configured '" + issuer + "'");
        }
        Object jwks = doc.get("jwks_uri");
        if (!(jwks instanceof String)) {
            throw refusal("the discovery document at " + discovery + " has no jwks_uri");
        }
        URI uri;
        try {
            uri = URI.create((String) jwks);
        } catch (IllegalArgumentException e) {
            throw refusal("the discovery document at " + discovery + " has an invalid jwks_uri");
        }
        String problem = fetchable(uri);
        if (problem != null) {
            throw refusal("jwks_uri " + uri + " of the discovery document: " + problem);
        }
        return uri;
    }

    private String get(URI uri, String what) {
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", "application/json")
                .header("User-Agent", USER_AGENT).GET().build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, "the " + what + " at " + uri
                    + " could not be fetched: " + e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, "interrupted fetching the "
                    + what + " at " + uri);
        }
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, "the " + what + " at " + uri
                        + " answered HTTP " + response.statusCode());
            }
            byte[] bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
            if (bytes.length > MAX_DOCUMENT_BYTES) {
                throw refusal("the " + what + " at " + uri + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, "the " + what + " at " + uri
                    + " could not be read: " + e.getClass().getSimpleName());
        }
    }

    private static JwtRefusedException refusal(String message) {
        return new JwtRefusedException(ReasonCode.IDP_UNREACHABLE, Check.JWKS, message);
    }

    /**
     * Null if {@code uri} may be fetched ({@code https} with a host, or {@code http} to a loopback address), else
     * why not.
     */
    public static String fetchable(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return "not an absolute URL with a host";
        }
        if ("https".equals(scheme)) {
            return null;
        }
        if ("http".equals(scheme)) {
            return isLoopback(host) ? null : "http is allowed only on a loopback address; use https";
        }
        return "scheme '" + scheme + "' is not https";
    }

    private static boolean isLoopback(String host) {
        String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if ("localhost".equalsIgnoreCase(h)) {
            return true;
        }
        if (!IPV4.matcher(h).matches() && !h.contains(":")) {
            return false; // a name other than localhost is never resolved to decide
        }
        try {
            return InetAddress.getByName(h).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
