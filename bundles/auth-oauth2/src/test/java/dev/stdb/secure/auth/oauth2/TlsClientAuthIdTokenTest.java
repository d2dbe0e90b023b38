package dev.stdb.secure.auth.oauth2;

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
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
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

    private static void keytool(Path dir, String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
    }

    private static void send(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    @Test
    void theIdTokenKeysAreFetchedThroughTheClientsTls(@TempDir Path dir) throws Exception {
        String pw = new String(PASSWORD);
        keytool(dir, "-genkeypair", "-alias", "idp", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                "idp.p12", "-storepass", pw);
        keytool(dir, "-exportcert", "-rfc", "-alias", "idp", "-storetype", "PKCS12", "-keystore", "idp.p12",
                "-storepass", pw, "-file", "idp-ca.pem");
        keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=" + CLIENT, "-validity", "2", "-storetype", "PKCS12", "-keystore", "client.p12", "-storepass", pw);

        KeyStore idpKeys = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("idp.p12"))) {
            idpKeys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(idpKeys, PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);

        RSAKey signing = new RSAKeyGenerator(2048).keyID("idp-1").keyUse(KeyUse.SIGNATURE).generate();
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        String issuer = "https://127.0.0.1:" + server.getAddress().getPort();
        AtomicInteger jwksFetches = new AtomicInteger();
        server.createContext("/.well-known/openid-configuration", ex -> send(ex, "{\"issuer\":\"" + issuer + "\","
                + "\"token_endpoint\":\"" + issuer + "/token\",\"jwks_uri\":\"" + issuer + "/jwks\","
                + "\"device_authorization_endpoint\":\"" + issuer + "/device\","
                + "\"response_types_supported\":[\"code\"],\"subject_types_supported\":[\"public\"],"
                + "\"id_token_signing_alg_values_supported\":[\"RS256\"]}"));
        server.createContext("/device", ex -> {
            ex.getRequestBody().readAllBytes();
            send(ex, "{\"device_code\":\"dc-1\",\"user_code\":\"WDJB-MJHT\",\"verification_uri\":\"" + issuer
                    + "/activate\",\"expires_in\":60,\"interval\":1}");
        });
        server.createContext("/jwks", ex -> {
            jwksFetches.incrementAndGet();
            send(ex, new JWKSet(signing.toPublicJWK()).toString());
        });
        server.createContext("/token", ex -> {
            ex.getRequestBody().readAllBytes();
            Instant now = Instant.now();
            JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).subject("svc-account").audience(CLIENT)
                    .claim("azp", CLIENT).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(300)))
                    .build();
            try {
                send(ex, "{\"access_token\":\"" + sign(signing, claims) + "\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":300,\"scope\":\"openid\",\"id_token\":\"" + sign(signing, claims) + "\"}");
            } catch (Exception e) {
                ex.sendResponseHeaders(500, -1);
                ex.close();
            }
        });
        server.start();
        try (OAuth2Provider p = OAuth2Provider.deviceCode(CLIENT).id("openid-mtls").issuer(URI.create(issuer))
                .scope("openid").tlsClientAuth(dir.resolve("client.p12"), "PKCS12", PASSWORD.clone(), "client",
                        dir.resolve("idp-ca.pem")).build()) {
            RecordingEvents events = new RecordingEvents();
            Credential c = p.acquire(new AuthContext(URI.create("wss://127.0.0.1:1"), "db", new MemoryStore(), null,
                    events)).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertEquals("svc-account", c.subject());
            assertTrue(jwksFetches.get() >= 1, "the ID token was checked against the JWKS");
            assertEquals(1, events.of(SecurityEventType.TOKEN_ISSUED).size());
        } finally {
            server.stop(0);
        }
    }
}
