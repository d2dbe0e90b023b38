package dev.stdb.secure.benchmarks.auth;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.jwt.JwtValidator;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ES256 JWT validation: {@code authJwtValidate} is the auth-jwt {@link JwtValidator} (alg allow-list, header checks,
 * key from the cached JWKS, signature, iss/aud/exp/nbf/iat, required claims, a {@link Credential} built); the baseline
 * {@code rawNimbusVerify} is Nimbus alone (parse, then verify the signature with the known key). Same tokens, same
 * run. Issue 6 target: auth-jwt at least 0.9x the raw Nimbus throughput.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class JwtValidationBenchmark {

    private static final int TOKENS = 64;

    private HttpServer jwks;
    private JwtValidator validator;
    private ECDSAVerifier rawVerifier;
    private String[] tokens;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ECKey key = new ECKeyGenerator(Curve.P_256).keyID("bench-es256").generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        jwks.createContext("/jwks", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        jwks.start();
        String issuer = "https://issuer.bench.example";
        validator = JwtValidator.builder().issuer(issuer).audience("spacetimedb")
                .jwksUri(URI.create("http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks")).build();
        rawVerifier = new ECDSAVerifier(key.toECPublicKey());
        ECDSASigner signer = new ECDSASigner(key);
        Instant now = Instant.now();
        tokens = new String[TOKENS];
        for (int i = 0; i < TOKENS; i++) {
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                    .type(JOSEObjectType.JWT).build(), new JWTClaimsSet.Builder().issuer(issuer)
                    .subject("user-" + i).audience("spacetimedb").issueTime(Date.from(now))
                    .expirationTime(Date.from(now.plusSeconds(3600))).jwtID("jti-" + i).build());
            jwt.sign(signer);
            tokens[i] = jwt.serialize();
        }
        // both paths must accept every token before anything is measured
        for (String t : tokens) {
            if (!SignedJWT.parse(t).verify(rawVerifier)) {
                throw new IllegalStateException("raw Nimbus refuses a benchmark token");
            }
            validator.validate(Secret.ofString(t)).destroy();
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        jwks.stop(0);
    }

    private String nextToken() {
        next = (next + 1) % TOKENS;
        return tokens[next];
    }

    @Benchmark
    public Credential authJwtValidate() {
        return validator.validate(Secret.ofString(nextToken()));
    }

    @Benchmark
    public boolean rawNimbusVerify() throws Exception {
        return SignedJWT.parse(nextToken()).verify(rawVerifier);
    }
}
