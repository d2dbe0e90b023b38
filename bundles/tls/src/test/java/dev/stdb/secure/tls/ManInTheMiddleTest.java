package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.sandbox.Sandbox;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real TLS-terminating proxy between the core client and the TLS sandbox, with a certificate for the right host
 * from another CA the client also trusts (a corporate inspection proxy, or a compromised CA). PKIX alone lets it
 * through; a pin on the real chain refuses it.
 */
class ManInTheMiddleTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private static Pki.Issued realRoot;
    private static Pki.Issued realLeaf;
    private static Pki.Issued mitmRoot;
    private static Pki.Issued mitmLeaf;

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private Sandbox sandbox;
    private MitmProxy proxy;
    private Connection connection;

    @BeforeAll
    static void certificates() throws Exception {
        realRoot = Pki.root("Real Server Root");
        realLeaf = Pki.leaf(realRoot, "localhost", "127.0.0.1");
        mitmRoot = Pki.root("Inspection Proxy Root");
        mitmLeaf = Pki.leaf(mitmRoot, "localhost");
    }

    @BeforeEach
    void start() throws Exception {
        sandbox = Sandbox.builder().tls(Pki.serverKeyStore(PASSWORD, realLeaf, realRoot.cert()), PASSWORD).start();
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("PKIX");
        kmf.init(Pki.serverKeyStore(PASSWORD, mitmLeaf, mitmRoot.cert()), PASSWORD);
        SSLContext own = SSLContext.getInstance("TLS");
        own.init(kmf.getKeyManagers(), null, null);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("real", realRoot.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext upstream = SSLContext.getInstance("TLS");
        upstream.init(null, tmf.getTrustManagers(), null);
        proxy = new MitmProxy(own, upstream, "localhost", sandbox.port());
    }

    @AfterEach
    void stop() {
        if (connection != null) {
            connection.close();
        }
        if (proxy != null) {
            proxy.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private URI viaProxy() {
        return URI.create("wss://localhost:" + proxy.port() + "/");
    }

    /** Both CAs are anchors: the proxy's chain is valid for PKIX and host name checks. */
    private TlsProfile.Builder profile() throws Exception {
        return TlsProfile.builder("mitm").trustSystem(false)
                .trustPem(Pki.pem(dir.resolve("ca.pem"), realRoot.cert(), mitmRoot.cert())).events(events::add);
    }

    @Test
    void withoutPinsTheProxyIsTrustedAndRelays() throws Exception {
        // proves the proxy works end to end, so the refusal below is caused by the pin alone
        connection = CoreClients.connect(viaProxy(), sandbox.database(), profile().build(), events::add);
        assertTrue(proxy.relayed() >= 1, "the connection did not go through the proxy");
        assertTrue(events.stream().noneMatch(e -> e.type() == SecurityEventType.TLS_FAILURE
                || e.type() == SecurityEventType.PIN_MISMATCH), events.toString());
    }

    @Test
    void pinOnTheRealChainRefusesTheProxy() throws Exception {
        String realLeafPin = realLeaf.spkiPin();
        String realRootPin = realRoot.spkiPin();
        TlsProfile pinned = profile().pins(PinSet.of("localhost", realLeafPin, realRootPin)).build();

        // control: the pinned profile connects to the real server directly (same name, same anchors)
        CoreClients.connect(URI.create("wss://localhost:" + sandbox.port() + "/"), sandbox.database(), pinned,
                events::add).close();
        assertTrue(events.stream().noneMatch(e -> e.type() == SecurityEventType.PIN_MISMATCH), events.toString());

        TlsException failure = CoreClients.refused(viaProxy(), sandbox.database(), pinned, events::add);
        assertEquals(ReasonCode.PIN_MISMATCH, failure.reason(), failure.toString());
        String message = failure.getMessage();
        assertTrue(message.contains("[tls.pin_mismatch]"), message);
        assertTrue(message.contains("host localhost"), message);
        // the error names the expected pins, then the pins the proxy's chain presented (its leaf and its CA)
        int seenAt = message.indexOf("the validated chain has SPKI pins");
        assertTrue(seenAt > 0, message);
        String expected = message.substring(0, seenAt);
        String seen = message.substring(seenAt);
        assertTrue(expected.contains(realLeafPin) && expected.contains(realRootPin), message);
        assertTrue(seen.contains(mitmLeaf.spkiPin()), message);
        assertTrue(seen.contains(mitmRoot.spkiPin()), message);
        assertFalse(seen.contains(realLeafPin) || seen.contains(realRootPin), message);

        List<SecurityEvent> mismatches = events.stream().filter(e -> e.type() == SecurityEventType.PIN_MISMATCH)
                .collect(Collectors.toList());
        assertFalse(mismatches.isEmpty(), events.toString());
        SecurityEvent e = mismatches.get(0);
        assertEquals(Outcome.FAILURE, e.outcome());
        assertEquals("localhost", e.details().get("host"), e.toString());
        assertTrue(e.details().get("expected").contains(realLeafPin), e.toString());
        assertTrue(e.details().get("expected").contains(realRootPin), e.toString());
        assertTrue(e.details().get("seen").contains(mitmLeaf.spkiPin()), e.toString());
        assertTrue(e.details().get("seen").contains(mitmRoot.spkiPin()), e.toString());
        assertFalse(e.details().get("seen").contains(realLeafPin), e.toString());

        // nothing reached the real server: the client aborted its handshake with the proxy
        assertEquals(0, proxy.relayed());
    }
}
