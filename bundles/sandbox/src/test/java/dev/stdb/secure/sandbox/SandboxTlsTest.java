package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.message.ServerMessage;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code wss}/{@code https} with a test CA made with Bouncy Castle, and required client certificates. */
class SandboxTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair and its certificate. */
    private record Issued(KeyPair keys, X509Certificate certificate) {
    }

    private static Issued serverCa;
    private static Issued server;
    private static Issued otherCa;
    private static Issued clientCa;
    private static Issued client;
    private static Issued strangerClient;

    private static Sandbox sandbox;
    private static Sandbox mtlsSandbox;

    @BeforeAll
    static void pki() throws Exception {
        serverCa = ca("CN=Sandbox Test Server CA");
        otherCa = ca("CN=Some Other CA");
        server = leaf(serverCa, "CN=localhost", KeyPurposeId.id_kp_serverAuth, true);
        clientCa = ca("CN=Sandbox Test Client CA");
        client = leaf(clientCa, "CN=test client", KeyPurposeId.id_kp_clientAuth, false);
        strangerClient = leaf(otherCa, "CN=stranger", KeyPurposeId.id_kp_clientAuth, false);

        KeyStore serverKeys = keyStore(server, serverCa);
        sandbox = Sandbox.builder().tls(serverKeys, PASSWORD).start();
        mtlsSandbox = Sandbox.builder().tls(serverKeys, PASSWORD).requireClientCertificates(trustStore(clientCa)).start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
        if (mtlsSandbox != null) {
            mtlsSandbox.close();
        }
    }

    // ------------------------------------------------------------------ PKI

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
        return g.generateKeyPair();
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate())));
    }

    private static Issued ca(String dn) throws Exception {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        X500Name name = new X500Name(dn);
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), name, keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        return new Issued(keys, sign(b, keys));
    }

    private static Issued leaf(Issued ca, String dn, KeyPurposeId purpose, boolean serverNames) throws Exception {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(ca.certificate(),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofHours(1))),
                Date.from(now.plus(Duration.ofDays(1))), new X500Name(dn), keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(ca.certificate()));
        if (serverNames) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                    new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                    new GeneralName(GeneralName.dNSName, "localhost")}));
        }
        return new Issued(keys, sign(b, ca.keys()));
    }

    private static KeyStore keyStore(Issued leaf, Issued ca) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("key", leaf.keys().getPrivate(), PASSWORD, new X509Certificate[] {leaf.certificate(), ca.certificate()});
        return ks;
    }

    private static KeyStore trustStore(Issued... cas) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        for (int i = 0; i < cas.length; i++) {
            ks.setCertificateEntry("ca" + i, cas[i].certificate());
        }
        return ks;
    }

    /** An HTTP client trusting {@code trusted}, presenting {@code clientKey} (with its CA) when not null. */
    private static HttpClient httpClient(Issued trusted, Issued clientKey, Issued clientKeyCa) throws Exception {
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trustStore(trusted));
        KeyManagerFactory kmf = null;
        if (clientKey != null) {
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore(clientKey, clientKeyCa), PASSWORD);
        }
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), new SecureRandom());
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ctx)
                .connectTimeout(TestClient.TIMEOUT).build();
    }

    private static HttpResponse<String> postIdentity(HttpClient http, Sandbox target) throws Exception {
        return http.send(HttpRequest.newBuilder(target.httpUri().resolve("v1/identity")).timeout(TestClient.TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    // ------------------------------------------------------------------ tests

    @Test
    void wssAndHttpsWithATrustedCa() throws Exception {
        assertEquals("wss", sandbox.wsUri().getScheme());
        assertEquals("https", sandbox.httpUri().getScheme());
        assertEquals("127.0.0.1", sandbox.wsUri().getHost());
        HttpClient http = httpClient(serverCa, null, null);

        try (TestClient c = TestClient.to(sandbox).http(http).connect()) {
            ServerMessage.InitialConnection init = c.initial();
            assertTrue(init.identity().toHex().startsWith("c200"));
            c.subscribe(1, "SELECT * FROM person");
        }

        HttpResponse<String> r = postIdentity(http, sandbox);
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"identity\":\"c200"), r.body());
    }

    @Test
    void untrustedServerCertificateFailsTheHandshake() throws Exception {
        HttpClient untrusting = httpClient(otherCa, null, null);
        Throwable failure = TestClient.to(sandbox).http(untrusting).failure();
        assertFalse(failure instanceof WebSocketHandshakeException, "a TLS failure, not an HTTP answer: " + failure);
        assertTrue(chainContains(failure, SSLHandshakeException.class), String.valueOf(failure));

        // The JDK's default trust store does not know the test CA either.
        HttpClient defaults = HttpClient.newBuilder().connectTimeout(TestClient.TIMEOUT).build();
        Exception e = assertThrows(Exception.class, () -> postIdentity(defaults, sandbox));
        assertTrue(chainContains(e, SSLHandshakeException.class), String.valueOf(e));
    }

    @Test
    void requiredClientCertificateMissingFailsTheHandshake() throws Exception {
        HttpClient noCertificate = httpClient(serverCa, null, null);
        Throwable failure = TestClient.to(mtlsSandbox).http(noCertificate).failure();
        assertFalse(failure instanceof WebSocketHandshakeException, "a TLS failure, not an HTTP answer: " + failure);
        assertTrue(chainContains(failure, SSLHandshakeException.class), String.valueOf(failure));
        Exception e = assertThrows(Exception.class, () -> postIdentity(noCertificate, mtlsSandbox));
        assertTrue(chainContains(e, SSLHandshakeException.class), String.valueOf(e));
        assertEquals(0, mtlsSandbox.connectionCount());
    }

    @Test
    void clientCertificateFromAnotherCaFailsTheHandshake() throws Exception {
        HttpClient stranger = httpClient(serverCa, strangerClient, otherCa);
        Throwable failure = TestClient.to(mtlsSandbox).http(stranger).failure();
        assertFalse(failure instanceof WebSocketHandshakeException, "a TLS failure, not an HTTP answer: " + failure);
        assertTrue(chainContains(failure, SSLHandshakeException.class), String.valueOf(failure));
    }

    @Test
    void clientCertificateFromTheTrustedCaWorks() throws Exception {
        HttpClient withCertificate = httpClient(serverCa, client, clientCa);
        try (TestClient c = TestClient.to(mtlsSandbox).http(withCertificate).connect()) {
            assertTrue(c.initial().identity().toHex().startsWith("c200"));
        }
        assertEquals(200, postIdentity(withCertificate, mtlsSandbox).statusCode());
    }

    private static boolean chainContains(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }
}
