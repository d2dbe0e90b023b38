package dev.stdb.secure.auth.oauth2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.LoopbackHttps;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ID token validation against a JWKS served by a local HTTP server on 127.0.0.1: tokens signed here with the served
 * key pass only with the right issuer, audience, expiry, nonce, azp and at_hash; a token signed with another key is
 * forged. Failure messages carry neither the token nor the nonce.
 */
class IdTokenCheckTest {
    private static final String ISSUER = "https://idp.example/realms/stdb";
    private static final String CLIENT = "app-pkce";
    private static final String NONCE = "nonce-value-never-printed";
    private static final String ACCESS_TOKEN = "access-token-value";
    private static RSAKey key;
    private static HttpServer jwks;
    private static IdTokenCheck check;

    @BeforeAll
    static void serveJwks() throws Exception {
        key = new RSAKeyGenerator(2048).keyID("test-1").keyUse(KeyUse.SIGNATURE).generate();
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 4);
        jwks.createContext("/jwks", ex -> {
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        jwks.start();
        check = new IdTokenCheck(ISSUER, CLIENT, URI.create("http://127.0.0.1:" + jwks.getAddress().getPort()
                + "/jwks"), Duration.ofSeconds(5), Duration.ofSeconds(5), null);
    }

    @AfterAll
    static void stop() {
        jwks.stop(0);
    }

    private static JWTClaimsSet.Builder claims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder().issuer(ISSUER).subject("alice-id").audience(CLIENT)
                .issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300))).claim("nonce", NONCE)
                .claim("azp", CLIENT).claim("at_hash", AccessTokenHash.compute(new BearerAccessToken(ACCESS_TOKEN),
                        JWSAlgorithm.RS256, null).getValue());
    }

    private static String sign(RSAKey with, Consumer<JWTClaimsSet.Builder> change) throws Exception {
        JWTClaimsSet.Builder b = claims();
        change.accept(b);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(),
                b.build());
        jwt.sign(new RSASSASigner(with));
        return jwt.serialize();
    }

    private static OAuth2Exception refused(String token, String nonce, ReasonCode reason) {
        OAuth2Exception e = assertThrows(OAuth2Exception.class, () -> check.validate(token, nonce, ACCESS_TOKEN));
        assertEquals(reason, e.reason(), e.getMessage());
        assertFalse(e.getMessage().contains(token), "the message carries the token");
        assertFalse(e.getMessage().contains(NONCE), "the message carries the nonce");
        return e;
    }

    @Test
    void aTokenSignedWithTheServedKeyAndTheRightClaimsPasses() throws Exception {
        assertEquals("alice-id", check.validate(sign(key, b -> { }), NONCE, ACCESS_TOKEN).getSubject().getValue());
    }

    @Test
    void wrongNonceIsRefused() throws Exception {
        refused(sign(key, b -> { }), "another-nonce", ReasonCode.TOKEN_INVALID);
        refused(sign(key, b -> b.claim("nonce", null)), NONCE, ReasonCode.TOKEN_INVALID);
    }

    @Test
    void wrongIssuerAudienceExpiryAzpOrAtHashIsRefused() throws Exception {
        refused(sign(key, b -> b.issuer("https://evil.example")), NONCE, ReasonCode.TOKEN_INVALID);
        refused(sign(key, b -> b.audience("other-client")), NONCE, ReasonCode.TOKEN_INVALID);
        refused(sign(key, b -> b.expirationTime(Date.from(Instant.now().minusSeconds(3600)))), NONCE,
                ReasonCode.TOKEN_INVALID);
        refused(sign(key, b -> b.claim("azp", "other-client")), NONCE, ReasonCode.TOKEN_INVALID);
        refused(sign(key, b -> b.claim("at_hash", "AAAAAAAAAAAAAAAAAAAAAA")), NONCE, ReasonCode.TOKEN_INVALID);
    }

    @Test
    void aTokenSignedWithAnotherKeyIsForged() throws Exception {
        RSAKey other = new RSAKeyGenerator(2048).keyID("test-1").generate(); // same kid, other key
        refused(sign(other, b -> { }), NONCE, ReasonCode.TOKEN_FORGED);
        RSAKey unknown = new RSAKeyGenerator(2048).keyID("unknown").generate();
        refused(sign(unknown, b -> { }), NONCE, ReasonCode.TOKEN_FORGED);
    }

    @Test
    void notAJwtIsInvalid() {
        refused("not-a-jwt", NONCE, ReasonCode.TOKEN_INVALID);
    }

    /**
     * An https {@code jwks_uri} whose certificate only the given TLS trusts (a tls_client_auth client's TLS profile):
     * fetched with that TLS the keys verify the token; with the JVM's defaults the fetch fails as unreachable.
     */
    @Test
    void anHttpsJwksIsFetchedWithTheGivenTls(@TempDir Path dir) throws Exception {
        String jwks = new JWKSet(key.toPublicJWK()).toString();
        try (LoopbackHttps https = LoopbackHttps.start(dir)) {
            https.server().createContext("/jwks", ex -> LoopbackHttps.sendJson(ex, jwks));
            URI uri = URI.create(https.base() + "/jwks");

            IdTokenCheck withProfile = new IdTokenCheck(ISSUER, CLIENT, uri, Duration.ofSeconds(5),
                    Duration.ofSeconds(5), https.clientTls().getSocketFactory());
            assertEquals("alice-id", withProfile.validate(sign(key, b -> { }), NONCE, ACCESS_TOKEN).getSubject()
                    .getValue());

            IdTokenCheck jvmDefaults = new IdTokenCheck(ISSUER, CLIENT, uri, Duration.ofSeconds(5),
                    Duration.ofSeconds(5), null);
            String token = sign(key, b -> { });
            OAuth2Exception e = assertThrows(OAuth2Exception.class,
                    () -> jvmDefaults.validate(token, NONCE, ACCESS_TOKEN));
            assertEquals(ReasonCode.IDP_UNREACHABLE, e.reason(), e.getMessage());
        }
    }
}
