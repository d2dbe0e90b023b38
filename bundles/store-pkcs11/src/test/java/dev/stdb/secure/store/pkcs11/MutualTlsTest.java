package dev.stdb.secure.store.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.tls.TlsProfile;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS end to end with the client key on the token: the TLS bundle's profile takes the key manager from the
 * store's KeyService, the core client connects to the sandbox, which requires a certificate from the client CA. The
 * private key is a token handle; the handshake signature is made inside SoftHSM2.
 */
class MutualTlsTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    @TempDir
    Path dir;

    private Sandbox sandbox;
    private Connection connection;
    private Pkcs11Store store;

    @BeforeAll
    static void tokens() throws Exception {
        TestTokens.init();
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void keyServiceOnTheTokenConnects() throws Exception {
        TestPki.Ca serverCa = TestPki.ca("Server Root");
        TestPki.Ca clientCa = TestPki.ca("Client CA");
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client-ca", clientCa.cert());
        sandbox = Sandbox.builder().tls(TestPki.server(serverCa, PASSWORD), PASSWORD)
                .requireClientCertificates(trust).start();

        store = TestTokens.store(TestTokens.TLS, dir.resolve("data")).id("pkcs11-softhsm").build();
        store.generateKeyPair("stdb-client", Pkcs11Store.KeyType.EC_P256,
                pub -> new X509Certificate[] {TestPki.client(clientCa, "hsm-client", pub), clientCa.cert()});
        X509KeyManager km = store.keyManager("stdb-client").orElseThrow();
        assertNull(km.getPrivateKey("stdb-client").getEncoded(), "the private key stays on the token");

        TlsProfile profile = TlsProfile.builder("mtls").trustSystem(false)
                .trustPem(TestPki.pem(dir.resolve("server-ca.pem"), serverCa.cert())).events(e -> { })
                .clientKeyService(store, "stdb-client").build();
        connection = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).tls(profile)
                .timeout(Duration.ofSeconds(10)).connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertTrue(connection != null);

        // An alias the token does not hold: the profile says which.
        TlsException e = assertThrows(TlsException.class, () -> TlsProfile.builder("mtls").trustSystem(false)
                .trustPem(dir.resolve("server-ca.pem")).events(ev -> { }).clientKeyService(store, "missing").build()
                .contextFor(URI.create("wss://127.0.0.1/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
    }
}
