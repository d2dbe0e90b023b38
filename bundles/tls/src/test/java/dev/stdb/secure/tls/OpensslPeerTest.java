package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.tls.TlsContext;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real peers that offer only what a profile refuses: {@code openssl s_server} speaking only TLS 1.1, or TLS 1.2 with
 * only CBC-SHA1/3DES suites. The core client is refused with PROTOCOL_REFUSED or WEAK_CIPHER and the refusal is a
 * TLS_FAILURE event; a second client shows each server does complete handshakes, so the profile is what refused.
 */
class OpensslPeerTest {

    /** CBC with SHA-1 MACs and 3DES: suites a default JDK client still offers, which TlsPolicy refuses. */
    private static final String WEAK_SUITES = "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:AES128-SHA:"
            + "DES-CBC3-SHA:@SECLEVEL=0";

    private static Pki.Issued root;
    private static Pki.Issued leaf;

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private OpensslServer server;

    @BeforeAll
    static void certificates() throws Exception {
        OpensslServer.executable(); // fails the class, never skips it, without openssl
        root = Pki.root("Openssl Peer Root");
        leaf = Pki.leaf(root, "localhost", "127.0.0.1");
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void serve(String... options) throws Exception {
        server = OpensslServer.start(dir, leaf, List.of(root.cert()), options);
    }

    private URI uri() {
        return URI.create("wss://localhost:" + server.port() + "/");
    }

    private TlsProfile profile() throws Exception {
        return TlsProfile.builder("peer").trustSystem(false).trustPem(Pki.pem(dir.resolve("ca.pem"), root.cert()))
                .events(events::add).build();
    }

    private TlsException refused() throws Exception {
        return CoreClients.refused(uri(), "quickstart", profile(), events::add);
    }

    /** A TLS_FAILURE event carries the reason and the same message as the exception. */
    private void assertEvent(ReasonCode reason, TlsException failure) {
        SecurityEvent e = CoreClients.tlsFailures(events, reason).get(0);
        assertEquals(Outcome.FAILURE, e.outcome());
        assertEquals(failure.getMessage(), e.details().get("message"), e.toString());
        assertEquals(uri().toString(), e.details().get("uri"), e.toString());
    }

    /** An SSLSocket made the way the core makes its connection: the profile's context and parameters. */
    private SSLSocket profileSocket() throws Exception {
        TlsContext ctx = profile().contextFor(uri());
        Socket tcp = new Socket(InetAddress.getByName("127.0.0.1"), server.port());
        SSLSocket s = (SSLSocket) ctx.sslContext().getSocketFactory().createSocket(tcp, "localhost", server.port(),
                true);
        s.setSSLParameters(ctx.sslParameters());
        s.setSoTimeout(20_000);
        return s;
    }

    @Test
    void tls11OnlyServerIsProtocolRefused() throws Exception {
        serve("-tls1_1", "-cipher", "ALL:@SECLEVEL=0");
        // the server is a working TLS 1.1 peer: openssl's own client completes a handshake with it
        String control = server.client("-tls1_1", "-cipher", "ALL:@SECLEVEL=0");
        assertTrue(control.contains("Protocol version: TLSv1.1"), control);

        TlsException failure = refused();
        assertEquals(ReasonCode.PROTOCOL_REFUSED, failure.reason(), failure.toString());
        assertTrue(failure.getMessage().contains("no TLS version"), failure.getMessage());
        assertTrue(failure.getMessage().contains("protocol_version"), failure.getMessage());
        assertEvent(ReasonCode.PROTOCOL_REFUSED, failure);
        server.awaitOutput("unsupported protocol", Duration.ofSeconds(20)); // the peer's own account of the refusal

        // the same refusal, seen on a socket from the profile's context: the server's protocol_version alert
        try (SSLSocket s = profileSocket()) {
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
            assertTrue(String.valueOf(e.getMessage()).contains("protocol_version"), e.toString());
        }
    }

    @Test
    void weakSuitesOnlyServerIsWeakCipher() throws Exception {
        serve("-tls1_2", "-cipher", WEAK_SUITES);
        // a JDK client with default suites (same anchors) connects and gets a suite the profile refuses
        String suite = defaultJdkHandshake();
        assertTrue(TlsPolicy.isWeak(suite), suite);

        TlsException failure = refused();
        assertEquals(ReasonCode.WEAK_CIPHER, failure.reason(), failure.toString());
        assertTrue(failure.getMessage().contains("no acceptable protocol/cipher suite was shared"), failure.getMessage());
        assertTrue(failure.getMessage().contains("refuses weak suites"), failure.getMessage());
        assertEvent(ReasonCode.WEAK_CIPHER, failure);
        server.awaitOutput("no shared cipher", Duration.ofSeconds(20));

        try (SSLSocket s = profileSocket()) {
            for (String offered : s.getSSLParameters().getCipherSuites()) {
                assertFalse(TlsPolicy.isWeak(offered), offered);
            }
            SSLHandshakeException e = assertThrows(SSLHandshakeException.class, s::startHandshake);
            assertTrue(String.valueOf(e.getMessage()).contains("handshake_failure"), e.toString());
        }
    }

    /** The suite a JDK client with its default protocols and suites negotiates with the server. */
    private String defaultJdkHandshake() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("root", root.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        Socket tcp = new Socket(InetAddress.getByName("127.0.0.1"), server.port());
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(tcp, "localhost", server.port(), true)) {
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.setSoTimeout(20_000);
            s.startHandshake();
            assertEquals("TLSv1.2", s.getSession().getProtocol());
            return s.getSession().getCipherSuite();
        }
    }
}
