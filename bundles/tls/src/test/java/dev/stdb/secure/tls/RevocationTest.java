package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.sandbox.Sandbox;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revocation end to end: the core client connects to the TLS sandbox serving certificates whose status the openssl
 * OCSP responder or an HTTP CRL server publishes on 127.0.0.1; stapling against {@code openssl s_server}.
 */
class RevocationTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private static Pki.Issued root;

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private Sandbox sandbox;

    @BeforeAll
    static void ca() throws Exception {
        RevocationPeers.requireOpenssl();
        root = Pki.root("Revocation Test Root");
    }

    @AfterEach
    void close() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closing.add(c);
        return c;
    }

    private RevocationPeers.OcspResponder responder(Pki.Issued ca, String name) throws Exception {
        return closeLater(new RevocationPeers.OcspResponder(dir.resolve(name), ca, ca));
    }

    private void serve(Pki.Issued leaf, X509Certificate... rest) throws Exception {
        KeyStore ks = Pki.serverKeyStore(PASSWORD, leaf, rest);
        sandbox = Sandbox.builder().tls(ks, PASSWORD).start();
    }

    private TlsProfile profile(RevocationPolicy revocation) throws Exception {
        return TlsProfile.builder("rev").trustSystem(false)
                .trustPem(Pki.pem(dir.resolve("ca.pem"), root.cert())).revocation(revocation).events(events::add)
                .build();
    }

    private void connect(TlsProfile profile) throws Exception {
        Connection c = SandboxClients.connect(sandbox, profile);
        c.close();
    }

    private TlsException refused(TlsProfile profile, ReasonCode reason) {
        Throwable failure = SandboxClients.refused(sandbox, profile);
        TlsException e = assertInstanceOf(TlsException.class, failure, String.valueOf(failure));
        assertEquals(reason, e.reason(), e.toString());
        assertTrue(e.getMessage().contains("[" + reason.code() + "]"), e.getMessage());
        List<SecurityEvent> failures = events(SecurityEventType.TLS_FAILURE);
        assertFalse(failures.isEmpty(), events.toString());
        assertEquals(reason.code(), failures.get(0).details().get("reason"), failures.toString());
        assertTrue(failures.get(0).details().get("message").startsWith("[" + reason.code() + "]"),
                failures.toString());
        return e;
    }

    private List<SecurityEvent> events(SecurityEventType type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    private static String serial(Pki.Issued c) {
        return c.cert().getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
    }

    // ---------------------------------------------------------------- OCSP

    @Test
    void goodLeafByOcspConnectsInHardFail() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "127.0.0.1", "localhost");
        ocsp.good(leaf.cert());
        serve(leaf);
        connect(profile(RevocationPolicy.hardFail()));
        assertTrue(ocsp.requests() >= 1, "the responder was asked");
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
        assertTrue(events(SecurityEventType.REVOCATION_UNKNOWN).isEmpty(), events.toString());
    }

    @Test
    void revokedByOcspIsRefusedInSoftAndHardFail() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "127.0.0.1", "localhost");
        ocsp.revoked(leaf.cert());
        serve(leaf);
        for (RevocationPolicy policy : List.of(RevocationPolicy.softFail(), RevocationPolicy.hardFail())) {
            events.clear();
            TlsException e = refused(profile(policy), ReasonCode.REVOKED);
            assertTrue(e.getMessage().contains(serial(leaf)), e.getMessage());
            assertTrue(e.getMessage().contains("CN=127.0.0.1"), e.getMessage());
            assertTrue(e.getMessage().contains("OCSP at " + ocsp.url()), e.getMessage());
            assertTrue(e.getMessage().contains("keyCompromise"), e.getMessage());
        }
    }

    @Test
    void responderDownWarnsInSoftFailAndRefusesInHardFail() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "127.0.0.1", "localhost");
        ocsp.stop();
        serve(leaf);

        connect(profile(RevocationPolicy.softFail()));
        List<SecurityEvent> warnings = events(SecurityEventType.REVOCATION_UNKNOWN);
        assertFalse(warnings.isEmpty(), events.toString());
        assertEquals(Outcome.WARNING, warnings.get(0).outcome());
        assertEquals(serial(leaf), warnings.get(0).details().get("serial"));
        assertEquals("tls.revocation_unknown", warnings.get(0).details().get("reason"));
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());

        events.clear();
        TlsException e = refused(profile(RevocationPolicy.hardFail().withTimeout(Duration.ofSeconds(2))),
                ReasonCode.REVOCATION_UNKNOWN);
        assertTrue(e.getMessage().contains("OCSP at " + ocsp.url()), e.getMessage());
        assertTrue(e.getMessage().contains(serial(leaf)), e.getMessage());
    }

    @Test
    void cachedOcspAnswerServesTheNextConnectionWhenTheResponderIsGone() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "127.0.0.1", "localhost");
        ocsp.good(leaf.cert());
        serve(leaf);
        TlsProfile profile = profile(RevocationPolicy.hardFail());
        connect(profile);
        int asked = ocsp.requests();
        assertTrue(asked >= 1);
        ocsp.stop();
        connect(profile);
        assertEquals(asked, ocsp.requests());
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
        // a new profile has its own, empty cache: the same handshake now fails
        events.clear();
        refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOCATION_UNKNOWN);
    }

    @Test
    void delegatedResponderIsAccepted() throws Exception {
        Pki.Issued signer = Pki.ocspSigner(root, "Revocation Test OCSP Signer", true);
        RevocationPeers.OcspResponder ocsp = closeLater(new RevocationPeers.OcspResponder(dir.resolve("d"), root,
                signer));
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "127.0.0.1", "localhost");
        ocsp.good(leaf.cert());
        serve(leaf);
        connect(profile(RevocationPolicy.hardFail()));
        assertTrue(ocsp.requests() >= 1);
    }

    @Test
    void ocspResponderOverrideIsAskedInsteadOfTheAiaUrl() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.NONE, "127.0.0.1", "localhost");
        ocsp.revoked(leaf.cert());
        serve(leaf);
        refused(profile(RevocationPolicy.softFail().withOcspResponder(ocsp.url())), ReasonCode.REVOKED);
    }

    // ---------------------------------------------------------------- CRL

    @Test
    void revokedByCrlIsRefused() throws Exception {
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.crl(crl.url()), "127.0.0.1", "localhost");
        crl.serve(Pki.crl(root, Instant.now().plus(Duration.ofHours(1)), leaf.cert()));
        serve(leaf);
        TlsException e = refused(profile(RevocationPolicy.softFail()), ReasonCode.REVOKED);
        assertTrue(e.getMessage().contains("CRL at " + crl.url()), e.getMessage());
        assertTrue(e.getMessage().contains(serial(leaf)), e.getMessage());
    }

    @Test
    void crlServerDownWarnsInSoftFailAndRefusesInHardFail() throws Exception {
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.crl(crl.url()), "127.0.0.1", "localhost");
        crl.stop();
        serve(leaf);
        connect(profile(RevocationPolicy.softFail()));
        assertFalse(events(SecurityEventType.REVOCATION_UNKNOWN).isEmpty(), events.toString());
        events.clear();
        TlsException e = refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOCATION_UNKNOWN);
        assertTrue(e.getMessage().contains("CRL at " + crl.url()), e.getMessage());
    }

    @Test
    void crlSignedByAnotherCaIsNotAnAnswer() throws Exception {
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.crl(crl.url()), "127.0.0.1", "localhost");
        crl.serve(Pki.crl(Pki.root("Revocation Test Root"), Instant.now().plus(Duration.ofHours(1))));
        serve(leaf);
        TlsException e = refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOCATION_UNKNOWN);
        assertTrue(e.getMessage().contains("signature"), e.getMessage());
    }

    @Test
    void cachedCrlMeansNoSecondDownload() throws Exception {
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.crl(crl.url()), "127.0.0.1", "localhost");
        crl.serve(Pki.crl(root, Instant.now().plus(Duration.ofHours(1))));
        serve(leaf);
        TlsProfile profile = profile(RevocationPolicy.hardFail());
        connect(profile);
        assertEquals(1, crl.requests());
        connect(profile);
        assertEquals(1, crl.requests());
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
    }

    @Test
    void ocspIsPreferredAndCrlAnswersWhenTheResponderIsDown() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        Pki.Issued leaf = Pki.leaf(root, new Pki.Urls(ocsp.url().toString(), crl.url().toString()),
                "127.0.0.1", "localhost");
        ocsp.good(leaf.cert());
        crl.serve(Pki.crl(root, Instant.now().plus(Duration.ofHours(1)), leaf.cert()));
        serve(leaf);
        // OCSP first: good, and the CRL (which says revoked) is never fetched
        connect(profile(RevocationPolicy.hardFail()));
        assertEquals(0, crl.requests());
        // CRL first: revoked
        refused(profile(RevocationPolicy.hardFail().withSources(RevocationPolicy.Source.CRL,
                RevocationPolicy.Source.OCSP)), ReasonCode.REVOKED);
        // responder down: the CRL answers
        ocsp.stop();
        events.clear();
        refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOKED);
    }

    // ---------------------------------------------------------------- path, modes

    @Test
    void revokedIntermediateIsRefusedUnlessOnlyTheLeafIsChecked() throws Exception {
        RevocationPeers.OcspResponder rootOcsp = responder(root, "root-ocsp");
        Pki.Issued inter = Pki.intermediate("Revocation Test Intermediate", root, Pki.Urls.ocsp(rootOcsp.url()));
        RevocationPeers.OcspResponder interOcsp = responder(inter, "inter-ocsp");
        Pki.Issued leaf = Pki.leaf(inter, Pki.Urls.ocsp(interOcsp.url()), "127.0.0.1", "localhost");
        rootOcsp.revoked(inter.cert());
        interOcsp.good(leaf.cert());
        serve(leaf, inter.cert());
        TlsException e = refused(profile(RevocationPolicy.softFail()), ReasonCode.REVOKED);
        assertTrue(e.getMessage().contains("Revocation Test Intermediate"), e.getMessage());
        assertTrue(e.getMessage().contains(serial(inter)), e.getMessage());

        events.clear();
        connect(profile(RevocationPolicy.hardFail().withCheckIntermediates(false)));
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
    }

    @Test
    void certificateWithoutRevocationInformationPassesSoftFailSilentlyAndFailsHardFail() throws Exception {
        Pki.Issued leaf = Pki.leaf(root, "127.0.0.1", "localhost");
        serve(leaf);
        connect(profile(RevocationPolicy.softFail()));
        assertTrue(events.isEmpty(), events.toString());
        TlsException e = refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOCATION_UNKNOWN);
        assertTrue(e.getMessage().contains("no http OCSP responder"), e.getMessage());
        events.clear();
        connect(profile(RevocationPolicy.off()));
        assertTrue(events.isEmpty(), events.toString());
    }

    // ---------------------------------------------------------------- stapling

    private SSLSocket handshake(TlsProfile profile, int port) throws Exception {
        TlsContext ctx = profile.contextFor(URI.create("wss://localhost:" + port + "/"));
        SSLSocket socket = (SSLSocket) ctx.sslContext().getSocketFactory().createSocket("localhost", port);
        socket.setSoTimeout(10_000);
        socket.setSSLParameters(ctx.sslParameters());
        socket.startHandshake();
        return socket;
    }

    @Test
    void goodStapleIsUsedWhenTheResponderIsDown() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "localhost");
        ocsp.good(leaf.cert());
        byte[] staple = ocsp.respond(leaf.cert(), root.cert());
        ocsp.stop();
        RevocationPeers.StaplingServer server = closeLater(new RevocationPeers.StaplingServer(dir.resolve("s"), leaf,
                staple));
        try (SSLSocket s = handshake(profile(RevocationPolicy.hardFail()), server.port())) {
            assertEquals(leaf.cert(), s.getSession().getPeerCertificates()[0]);
        }
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
        assertTrue(events(SecurityEventType.REVOCATION_UNKNOWN).isEmpty(), events.toString());
    }

    @Test
    void revokedStapleIsRefused() throws Exception {
        RevocationPeers.OcspResponder ocsp = responder(root, "ocsp");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.ocsp(ocsp.url()), "localhost");
        ocsp.revoked(leaf.cert());
        byte[] staple = ocsp.respond(leaf.cert(), root.cert());
        ocsp.good(leaf.cert());
        int before = ocsp.requests();
        RevocationPeers.StaplingServer server = closeLater(new RevocationPeers.StaplingServer(dir.resolve("s"), leaf,
                staple));
        SSLHandshakeException e = assertThrows(SSLHandshakeException.class,
                () -> handshake(profile(RevocationPolicy.softFail()), server.port()).close());
        assertTrue(e.getMessage().startsWith("[tls.revoked]") || e.getMessage().contains("[tls.revoked]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("stapled OCSP"), e.getMessage());
        assertEquals(before, ocsp.requests(), "the staple answered; the responder was not asked");
        assertEquals("tls.revoked", events(SecurityEventType.TLS_FAILURE).get(0).details().get("reason"));
    }

    @Test
    void passwordInAUrlNeverReachesAMessage() throws Exception {
        RevocationPeers.CrlServer crl = closeLater(new RevocationPeers.CrlServer());
        URI withSecret = URI.create("http://crl-user:s3cret-pw@127.0.0.1:" + crl.url().getPort() + "/ca.crl");
        Pki.Issued leaf = Pki.leaf(root, Pki.Urls.crl(withSecret), "127.0.0.1", "localhost");
        crl.stop();
        serve(leaf);
        TlsException e = refused(profile(RevocationPolicy.hardFail()), ReasonCode.REVOCATION_UNKNOWN);
        assertFalse(e.getMessage().contains("s3cret-pw"), e.getMessage());
        assertFalse(events.toString().contains("s3cret-pw"), events.toString());
        assertTrue(e.getMessage().contains("CRL at http://127.0.0.1:" + crl.url().getPort()), e.getMessage());
    }
}
