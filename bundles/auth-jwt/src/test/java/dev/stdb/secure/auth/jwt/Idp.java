package dev.stdb.secure.auth.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * A real OIDC issuer for the tests: an HTTP server on 127.0.0.1 serving discovery and a JWKS, counting every request
 * per path and per User-Agent, and minting tokens with Nimbus-generated RSA and EC keys.
 */
public final class Idp implements AutoCloseable {

    /** Keys generated once per test JVM (RSA generation is the slow part). */
    public static final RSAKey RSA = rsa("rsa-1");
    public static final RSAKey RSA_ROTATED = rsa("rsa-2");
    public static final RSAKey RSA_OTHER = rsa("rsa-1"); // same kid as RSA, another key: a forger's
    public static final ECKey EC = ec("ec-1");

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(2);
    private final String issuer;
    private final AtomicReference<String> discoveryIssuer = new AtomicReference<>();
    private final AtomicReference<JWKSet> jwks;
    private final Map<String, AtomicInteger> byPath = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> byAgent = new ConcurrentHashMap<>();

    public Idp() throws IOException {
        this(new JWKSet(List.of(RSA.toPublicJWK(), EC.toPublicJWK())));
    }

    public Idp(JWKSet keys) throws IOException {
        this.jwks = new AtomicReference<>(keys);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        issuer = "http://127.0.0.1:" + server.getAddress().getPort() + "/realms/test";
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    private void handle(HttpExchange ex) throws IOException {
        String path = ex.getRequestURI().getPath();
        byPath.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        String agent = String.valueOf(ex.getRequestHeaders().getFirst("User-Agent"));
        byAgent.computeIfAbsent(agent, p -> new AtomicInteger()).incrementAndGet();
        String body;
        if (path.equals("/realms/test/.well-known/openid-configuration")) {
            String iss = discoveryIssuer.get() != null ? discoveryIssuer.get() : issuer;
            body = "{\"issuer\":\"" + iss + "\",\"jwks_uri\":\"" + issuer + "/jwks\","
                    + "\"id_token_signing_alg_values_supported\":[\"RS256\",\"ES256\"]}";
        } else if (path.equals("/realms/test/jwks")) {
            body = jwks.get().toString(true);
        } else if (path.equals("/evil/jwks")) {
            body = new JWKSet(List.of(RSA_OTHER.toPublicJWK())).toString(true);
        } else {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
        ex.close();
    }

    public String issuer() {
        return issuer;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Serves these keys from now on (a key rotation). */
    public void serve(JWK... keys) {
        JWK[] pub = new JWK[keys.length];
        for (int i = 0; i < keys.length; i++) {
            pub[i] = keys[i].toPublicJWK() != null ? keys[i].toPublicJWK() : keys[i]; // oct: as is
        }
        jwks.set(new JWKSet(List.of(pub)));
    }

    /** The discovery document names this issuer from now on. */
    public void discoveryIssuer(String iss) {
        discoveryIssuer.set(iss);
    }

    public int jwksRequests() {
        return count(byPath, "/realms/test/jwks");
    }

    public int discoveryRequests() {
        return count(byPath, "/realms/test/.well-known/openid-configuration");
    }

    public int requests(String path) {
        return count(byPath, path);
    }

    /** Requests from anyone but the provider's validator (the sandbox, for one). */
    public int requestsNotFromProvider() {
        int n = 0;
        for (Map.Entry<String, AtomicInteger> e : byAgent.entrySet()) {
            if (!e.getKey().equals(dev.stdb.secure.auth.jwt.internal.JwksSource.USER_AGENT)) {
                n += e.getValue().get();
            }
        }
        return n;
    }

    private static int count(Map<String, AtomicInteger> m, String key) {
        AtomicInteger c = m.get(key);
        return c == null ? 0 : c.get();
    }

    /** Standard claims: this issuer, subject, audience stdb, iat now, exp now + 1 h (relative to {@code now}). */
    public JWTClaimsSet.Builder claims(String subject, Instant now) {
        return new JWTClaimsSet.Builder().issuer(issuer).subject(subject).audience("stdb")
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(3600)))
                .jwtID(UUID.randomUUID().toString());
    }

    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet claims) {
        return sign(key, new JWSHeader.Builder(alg).keyID(key.getKeyID()), claims);
    }

    public static String sign(JWK key, JWSHeader.Builder header, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey ? new RSASSASigner((RSAKey) key) : new ECDSASigner((ECKey) key);
            SignedJWT jwt = new SignedJWT(header.build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sign(JWK key, JWSAlgorithm alg, JWTClaimsSet.Builder claims, Consumer<JWSHeader.Builder> h) {
        JWSHeader.Builder header = new JWSHeader.Builder(alg).keyID(key.getKeyID());
        h.accept(header);
        return sign(key, header, claims.build());
    }

    static RSAKey rsa(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    static ECKey ec(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
