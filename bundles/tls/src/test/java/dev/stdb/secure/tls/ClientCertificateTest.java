package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.sandbox.Sandbox;
import java.io.OutputStream;
import java.io.StringWriter;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client certificates (mTLS) against the sandbox requiring them. */
class ClientCertificateTest {

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final String P12_PASSWORD = "s3cret-p12-Pa55";

    private static Pki.Issued serverRoot;
    private static Pki.Issued serverLeaf;
    private static Pki.Issued clientCa;
    private static Pki.Issued client;
    private static Pki.Issued otherCa;
    private static Pki.Issued otherClient;

    @TempDir
    Path dir;

    private Sandbox sandbox;
    private Connection connection;

    @BeforeAll
    static void certificates() throws Exception {
        serverRoot = Pki.root("Server Root");
        serverLeaf = Pki.leaf(serverRoot, "127.0.0.1", "localhost");
        clientCa = Pki.root("Client CA");
        client = Pki.client(clientCa, "client-1");
        otherCa = Pki.root("Other Client CA");
        otherClient = Pki.client(otherCa, "client-2");
    }

    @BeforeEach
    void serve() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("client-ca", clientCa.cert());
        sandbox = Sandbox.builder().tls(Pki.serverKeyStore(PASSWORD, serverLeaf), PASSWORD)
                .requireClientCertificates(trust).start();
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private TlsProfile.Builder profile() throws Exception {
        return TlsProfile.builder("mtls").trustSystem(false)
                .trustPem(Pki.pem(dir.resolve("server-ca.pem"), serverRoot.cert())).events(e -> { });
    }

    private Connection connect(TlsProfile profile) throws Exception {
        return SandboxClients.connect(sandbox, profile);
    }

    private Throwable refused(TlsProfile profile) {
        return SandboxClients.refused(sandbox, profile);
    }

    private static KeyStore keyStore(Pki.Issued who, String alias, char[] password, Certificate... rest)
            throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] chain = new Certificate[rest.length + 1];
        chain[0] = who.cert();
        System.arraycopy(rest, 0, chain, 1, rest.length);
        ks.setKeyEntry(alias, who.keys().getPrivate(), password, chain);
        return ks;
    }

    private Path p12(String name, Pki.Issued who, String alias) throws Exception {
        Path file = dir.resolve(name);
        Certificate ca = who == otherClient ? otherCa.cert() : clientCa.cert();
        try (OutputStream o = Files.newOutputStream(file)) {
            keyStore(who, alias, P12_PASSWORD.toCharArray(), ca).store(o, P12_PASSWORD.toCharArray());
        }
        return file;
    }

    @Test
    void withoutAClientCertificateTheHandshakeIsRefused() throws Exception {
        Throwable failure = refused(profile().build());
        // The server aborts the handshake with a bad_certificate alert; the core reports a TlsException whose reason
        // says the client certificate was refused.
        assertNoCertificateAlert(failure);
    }

    @Test
    void pkcs12ClientCertificateFromTheTrustedCaConnects() throws Exception {
        connection = connect(profile().clientPkcs12(p12("client.p12", client, "me"), P12_PASSWORD.toCharArray())
                .build());
    }

    /** The client's key as an unencrypted PKCS#8 PEM file. */
    private Path clientPemKey() throws Exception {
        Path key = dir.resolve("client.key");
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(client.keys().getPrivate(), null));
        }
        Files.writeString(key, out.toString());
        assertTrue(out.toString().contains("BEGIN PRIVATE KEY"), out.toString().substring(0, 40));
        return key;
    }

    @Test
    void pemKeyAndChainConnect() throws Exception {
        Path chain = Pki.pem(dir.resolve("client-chain.pem"), client.cert(), clientCa.cert());
        connection = connect(profile().clientPem(clientPemKey(), chain, null).build());
    }

    /**
     * Another bundle may register Bouncy Castle JVM-wide (Apache SSHD, Karaf's console, does). A PEM key must still
     * become the JDK's own key: a BC "ECDSA" key is one SunJSSE's key manager never offers for an "EC" certificate, so
     * the server would see no client certificate.
     */
    @Test
    void pemKeyConnectsWhileBouncyCastleIsRegisteredJvmWide() throws Exception {
        Path key = clientPemKey();
        Path chain = Pki.pem(dir.resolve("client-chain.pem"), client.cert(), clientCa.cert());
        boolean added = java.security.Security.addProvider(new BouncyCastleProvider()) != -1;
        try {
            connection = connect(profile().clientPem(key, chain, null).build());
        } finally {
            if (added) {
                java.security.Security.removeProvider(BouncyCastleProvider.PROVIDER_NAME);
            }
        }
    }

    private static void assertNoCertificateAlert(Throwable failure) {
        assertTrue(failure instanceof TlsException, String.valueOf(failure));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, ((TlsException) failure).reason());
        assertTrue(failure.getMessage().contains("bad_certificate"), failure.getMessage());
    }

    @Test
    void encryptedPemKeyConnects() throws Exception {
        Path key = dir.resolve("client-enc.key");
        Path chain = Pki.pem(dir.resolve("client-chain.pem"), client.cert(), clientCa.cert());
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(client.keys().getPrivate(),
                    new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                            .setProvider(new BouncyCastleProvider()).setPassword("pem-Pa55".toCharArray()).build()));
        }
        Files.writeString(key, out.toString());
        assertTrue(out.toString().contains("BEGIN ENCRYPTED PRIVATE KEY"));
        connection = connect(profile().clientPem(key, chain, "pem-Pa55".toCharArray()).build());

        TlsException e = assertThrows(TlsException.class, () -> profile().clientPem(key, chain,
                "wrong-Pa55".toCharArray()).build().contextFor(URI.create("wss://127.0.0.1/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains(key.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("Pa55"), e.getMessage());
    }

    @Test
    void aClientCertificateFromAnotherCaIsRefused() throws Exception {
        Throwable failure = refused(profile().clientPkcs12(p12("other.p12", otherClient, "me"),
                P12_PASSWORD.toCharArray()).build());
        assertTrue(failure instanceof TlsException, String.valueOf(failure));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, ((TlsException) failure).reason());
        assertTrue(failure.getMessage().contains("certificate_unknown"), failure.getMessage());
    }

    @Test
    void perHostAliasSelection() throws Exception {
        Path file = p12("client.p12", client, "me");
        // Only *.example.com gets the certificate: 127.0.0.1 is offered none and is refused.
        assertNoCertificateAlert(refused(profile().clientPkcs12(file, P12_PASSWORD.toCharArray())
                .clientAlias("*.example.com", "me").build()));
        connection = connect(profile().clientPkcs12(file, P12_PASSWORD.toCharArray())
                .clientAlias("*.example.com", "me").clientAlias("127.0.0.1", "me")
                .build());
    }

    @Test
    void keyServiceBackedKeyConnects() throws Exception {
        KeyStore ks = keyStore(client, "hsm-key", PASSWORD, clientCa.cert());
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, PASSWORD);
        X509KeyManager km = (X509KeyManager) kmf.getKeyManagers()[0];
        KeyService service = keyService("test-hsm", "hsm-key", km);
        connection = connect(profile().clientKeyService(service, "hsm-key").build());

        TlsException e = assertThrows(TlsException.class, () -> profile().clientKeyService(service, "missing")
                .build().contextFor(URI.create("wss://127.0.0.1/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("'missing'"), e.getMessage());
    }

    @Test
    void wrongPkcs12PasswordIsClientCertUnavailableWithoutThePassword() throws Exception {
        Path file = p12("client.p12", client, "me");
        String wrong = "not-the-Right-0ne";
        TlsException e = assertThrows(TlsException.class, () -> profile()
                .clientPkcs12(file, wrong.toCharArray()).build().contextFor(URI.create("wss://127.0.0.1/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        assertFalse(e.getMessage().contains(wrong), e.getMessage());
        assertFalse(e.getMessage().contains(P12_PASSWORD), e.getMessage());
        Throwable c = e.getCause();
        while (c != null) {
            assertFalse(String.valueOf(c.getMessage()).contains(wrong), c.toString());
            c = c.getCause();
        }
    }

    @Test
    void keyAndCertificateMismatchIsRefusedUpFront() throws Exception {
        Path key = dir.resolve("other.key");
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(otherClient.keys().getPrivate(), null));
        }
        Files.writeString(key, out.toString());
        Path chain = Pki.pem(dir.resolve("client-chain.pem"), client.cert());
        TlsException e = assertThrows(TlsException.class, () -> profile().clientPem(key, chain, null).build()
                .contextFor(URI.create("wss://127.0.0.1/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("does not match"), e.getMessage());
        assertFalse(e.getMessage().contains("PRIVATE KEY"), e.getMessage());
    }

    /** A KeyService holding one alias, through a dynamic proxy: only id, aliases and keyManager are used. */
    private static KeyService keyService(String id, String alias, X509KeyManager km) {
        return (KeyService) Proxy.newProxyInstance(KeyService.class.getClassLoader(), new Class<?>[] {KeyService.class},
                (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "id":
                            return id;
                        case "aliases":
                            return Set.of(alias);
                        case "keyManager":
                            return alias.equals(args[0]) ? Optional.of(km) : Optional.empty();
                        case "publicKey":
                            return Optional.<PublicKey>empty();
                        case "toString":
                            return "KeyService[" + id + "]";
                        case "hashCode":
                            return System.identityHashCode(proxy);
                        case "equals":
                            return proxy == args[0];
                        default:
                            throw new UnsupportedOperationException(method.getName());
                    }
                });
    }
}
