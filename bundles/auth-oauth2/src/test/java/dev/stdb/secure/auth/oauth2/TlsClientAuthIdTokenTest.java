package dev.stdb.secure.auth.oauth2;

import static dev.stdb.secure.auth.oauth2.LoopbackHttps.sendJson;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpsServer;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A confidential device-grant client authenticating with tls_client_auth and asking for {@code openid} gets an ID
 * token whose keys sit at an https {@code jwks_uri} that only the client's TLS trust (here {@code tls.trust.pem})
 * accepts: the provider must fetch them through that TLS, as it does discovery and the token request. (The Keycloak
 * realm's device and PKCE clients are public, so the issuer here is a small HTTPS server on 127.0.0.1 serving
 * discovery, RFC 8628 device authorization, a token endpoint that approves the first poll, and the JWKS.)
 */
class TlsClientAuthIdTokenTest {
    private static final String CLIENT = "svc-mtls-openid";
    private static final char[] PASSWORD = "id-token-test".toCharArray();

    private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void theIdTokenKeysAreFetchedThroughTheClientsTls(@TempDir Path dir) throws Exception {
        LoopbackHttps.keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + CLIENT, "-validity", "2", "-storetype", "PKCS12", "-keystore", "client.p12",
                "-storepass", new String(PASSWORD));
        RSAKey signing = new RSAKeyGenerator(2048).keyID("idp-1").keyUse(KeyUse.SIGNATURE).generate();
        LoopbackHttps https = LoopbackHttps.start(dir);
        HttpsServer server = https.server();
        String issuer = https.base();
        AtomicInteger jwksFetches = new AtomicInteger();
        server.createContext("/.well-known/openid-configuration", ex -> sendJson(ex, "{\"issuer\":\"" + issuer
                + "\",\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"device_authorization_endpoint\":\"" + issuer + "/device\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        server.createContext("/device", ex -> {
            ex.getRequestBody().readAllBytes();
            sendJson(ex, "{\"device_code\":\"dc-1\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\""
                    + issuer + "/activate\",\"expires_in\":60,\"interval\":1}");
        });
        server.createContext("/jwks", ex -> {
            jwksFetches.incrementAndGet();
            sendJson(ex, new JWKSet(signing.toPublicJWK()).toString());
        });
        server.createContext("/token", ex -> {
            ex.getRequestBody().readAllBytes();
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("svc-account").audience(CLIENT)
                    .claim("azp", CLIENT).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                    .build();
            try {
                sendJson(ex, "{\"access_token\":\"" + sign(signing, claims) + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"scope\":\"openid\",\"id_token\":\"" + sign(signing, claims) + "\"}");
            } catch (Exception e) {
                ex.sendResponseHeaders(500, -1);
                ex.close();
            }
        });
        try (https; OAuth2Provider p = OAuth2Provider.deviceCode(CLIENT).id("openid-mtls").issuer(URI.create(issuer))
                .scope("openid").tlsClientAuth(dir.resolve("client.p12"), "PKCS12", PASSWORD.clone(), "client",
                        https.trustPem()).build()) {
            RecordingEvents events = new RecordingEvents();
            Credential c = p.acquire(new AuthContext(URI.create("wss://127.0.0.1:1"), "db", new MemoryStore(), null,
                    events)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals("svc-account", c.subject());
            assertTrue(jwksFetches.get() >= 1, "the ID token was checked against the JWKS");
            assertEquals(1, events.of(SecurityEventType.TOKEN_ISSUED).size());
        }
    }
}
