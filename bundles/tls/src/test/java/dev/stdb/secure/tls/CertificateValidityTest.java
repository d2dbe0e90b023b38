package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.sandbox.Sandbox;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Server certificates outside their validity period or from no configured anchor: the core client against the TLS
 * sandbox is refused with the reason that names the failed check, and the refusal is a TLS_FAILURE event.
 */
class CertificateValidityTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private static Pki.Issued root;
    private static Pki.Issued expired;
    private static Pki.Issued notYetValid;
    private static Pki.Issued valid;
    private static Pki.Issued selfSigned;

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private Sandbox sandbox;

    @BeforeAll
    static void certificates() throws Exception {
        Instant now = Instant.now();
        root = Pki.root("Validity Root");
        expired = Pki.leaf(root, now.minus(Duration.ofDays(30)), now.minus(Duration.ofDays(1)),
                "127.0.0.1", "localhost");
        notYetValid = Pki.leaf(root, now.plus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)),
                "127.0.0.1", "localhost");
        valid = Pki.leaf(root, "127.0.0.1", "localhost");
        selfSigned = Pki.selfSigned("localhost", "127.0.0.1");
    }

    @AfterEach
    void close() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private void serve(Pki.Issued leaf, X509Certificate... rest) throws Exception {
        sandbox = Sandbox.builder().tls(Pki.serverKeyStore(PASSWORD, leaf, rest), PASSWORD).start();
    }

    private TlsProfile profile() throws Exception {
        return TlsProfile.builder("validity").trustSystem(false).trustPem(Pki.pem(dir.resolve("ca.pem"), root.cert()))
                .events(events::add).build();
    }

    private TlsException refused() throws Exception {
        return CoreClients.refused(sandbox.wsUri(), sandbox.database(), profile(), events::add);
    }

    private void assertEvent(ReasonCode reason, String host) {
        SecurityEvent e = CoreClients.tlsFailures(events, reason).get(0);
        assertEquals(Outcome.FAILURE, e.outcome());
        assertEquals(host, e.details().get("host"), e.toString());
        assertEquals("validity", e.details().get("profile"), e.toString());
        assertTrue(e.details().get("message").startsWith("[" + reason.code() + "]"), e.toString());
    }

    @Test
    void expiredServerCertificateIsCertExpired() throws Exception {
        serve(expired, root.cert());
        TlsException failure = refused();
        assertEquals(ReasonCode.CERT_EXPIRED, failure.reason(), failure.toString());
        assertTrue(failure.getMessage().contains("[tls.cert_expired]"), failure.getMessage());
        assertTrue(failure.getMessage().contains("expired or not yet valid"), failure.getMessage());
        assertEvent(ReasonCode.CERT_EXPIRED, "127.0.0.1");
    }

    @Test
    void notYetValidServerCertificateIsCertExpired() throws Exception {
        serve(notYetValid, root.cert());
        TlsException failure = refused();
        assertEquals(ReasonCode.CERT_EXPIRED, failure.reason(), failure.toString());
        assertTrue(failure.getMessage().contains("expired or not yet valid"), failure.getMessage());
        assertEvent(ReasonCode.CERT_EXPIRED, "127.0.0.1");
    }

    @Test
    void selfSignedLeafOutsideTheAnchorsIsUntrusted() throws Exception {
        serve(selfSigned);
        TlsException failure = refused();
        assertEquals(ReasonCode.UNTRUSTED_CHAIN, failure.reason(), failure.toString());
        assertTrue(failure.getMessage().contains("[tls.untrusted_chain]"), failure.getMessage());
        assertTrue(failure.getMessage().contains("does not lead to a trust anchor"), failure.getMessage());
        assertEvent(ReasonCode.UNTRUSTED_CHAIN, "127.0.0.1");
    }

    @Test
    void theSameSandboxWithAValidLeafConnects() throws Exception {
        // control: the profile and sandbox set-up accept a certificate inside its validity period
        serve(valid, root.cert());
        CoreClients.connect(sandbox.wsUri(), sandbox.database(), profile(), events::add).close();
        assertTrue(events.stream().noneMatch(e -> e.type() == dev.stdb.secure.api.audit.SecurityEventType.TLS_FAILURE),
                events.toString());
    }
}
