package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.sandbox.Sandbox;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS profiles end to end: the core client connects to the protocol sandbox serving test certificates. */
class TlsProfileTest {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private static Pki.Issued rootA;
    private static Pki.Issued interA;
    private static Pki.Issued leafA;
    private static Pki.Issued leafA2;
    private static Pki.Issued otherHostA;
    private static Pki.Issued rootB;
    private static Pki.Issued leafB;

    @TempDir
    Path dir;

    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private Sandbox sandbox;
    private Connection connection;

    @BeforeAll
    static void certificates() throws Exception {
        rootA = Pki.root("Test Root A");
        interA = Pki.intermediate("Test Intermediate A", rootA);
        leafA = Pki.leaf(interA, "127.0.0.1", "localhost");
        leafA2 = Pki.leaf(interA, "127.0.0.1", "localhost");
        otherHostA = Pki.leaf(interA, "other.example.com");
        rootB = Pki.root("Mallory Root B");
        leafB = Pki.leaf(rootB, "127.0.0.1", "localhost");
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

    private void serve(Pki.Issued leaf, X509Certificate... rest) throws Exception {
        KeyStore ks = Pki.serverKeyStore(PASSWORD, leaf, rest);
        sandbox = Sandbox.builder().tls(ks, PASSWORD).start();
    }

    private TlsProfile.Builder profile(X509Certificate... anchors) throws Exception {
        return TlsProfile.builder("test").trustSystem(false).trustPem(Pki.pem(dir.resolve("ca.pem"), anchors))
                .events(events::add);
    }
    private Connection connect(TlsProfile profile) throws Exception {
        return SandboxClients.connect(sandbox, profile);
    }

    private Throwable refused(TlsProfile profile) {
        return SandboxClients.refused(sandbox, profile);
    }

    private List<SecurityEvent> events(SecurityEventType type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    private static String bogusPin(int seed) {
        byte[] b = new byte[32];
        Arrays.fill(b, (byte) seed);
        return PinSet.SPKI + Base64.getEncoder().encodeToString(b);
    }

    @Test
    void goodChainAndPinConnects() throws Exception {
        serve(leafA, interA.cert());
        connection = connect(profile(rootA.cert()).pins(PinSet.of("127.0.0.1", interA.spkiPin(), bogusPin(1)))
                .build());
        assertTrue(events(SecurityEventType.PIN_MISMATCH).isEmpty(), events.toString());
        assertTrue(events(SecurityEventType.TLS_FAILURE).isEmpty(), events.toString());
    }

    @Test
    void trustStoreFileIsAnAnchorSource() throws Exception {
        serve(leafA, interA.cert());
        Path store = Pki.trustStore(dir.resolve("trust.p12"), "PKCS12", PASSWORD, rootA.cert());
        connection = connect(TlsProfile.builder("ks").trustSystem(false).trustKeyStore(store, "PKCS12", PASSWORD)
                .pins(PinSet.of("*.0.0.1", leafA.spkiPin(), bogusPin(2))).events(events::add).build());
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void pinMismatchWithAnotherTrustedCaIsRefused() throws Exception {
        serve(leafB);
        TlsProfile p = profile(rootA.cert(), rootB.cert())
                .pins(PinSet.of("127.0.0.1", leafA.spkiPin(), interA.spkiPin())).build();
        Throwable failure = refused(p);
        List<SecurityEvent> mismatches = events(SecurityEventType.PIN_MISMATCH);
        assertFalse(mismatches.isEmpty(), events.toString());
        SecurityEvent e = mismatches.get(0);
        assertEquals(Outcome.FAILURE, e.outcome());
        assertEquals("127.0.0.1", e.details().get("host"));
        assertTrue(e.details().get("expected").contains(leafA.spkiPin()), e.toString());
        assertTrue(e.details().get("seen").contains(leafB.spkiPin()), e.toString());
        assertTrue(e.details().get("seen").contains(rootB.spkiPin()), e.toString());
        // the connection error is typed by the check that failed and names the pins the server really has
        assertEquals(ReasonCode.PIN_MISMATCH, ((TlsException) failure).reason(), failure.toString());
        assertTrue(failure.getMessage().contains("[tls.pin_mismatch]"), failure.getMessage());
        assertTrue(failure.getMessage().contains(leafB.spkiPin()), failure.getMessage());
    }

    @Test
    void pinEventsReachTheConnectionsOwnSink() throws Exception {
        // no sink on the profile: the connection's router (here the client's events sink) gets the handshake events
        serve(leafB);
        TlsProfile p = TlsProfile.builder("routed").trustSystem(false)
                .trustPem(Pki.pem(dir.resolve("ca.pem"), rootA.cert(), rootB.cert()))
                .pins(PinSet.of("127.0.0.1", leafA.spkiPin(), interA.spkiPin())).build();
        List<SecurityEvent> routed = new CopyOnWriteArrayList<>();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> dev.stdb.secure.core.SpacetimeClient.builder().uri(sandbox.wsUri())
                        .database(sandbox.database()).tls(p).events(routed::add)
                        .reconnect(new dev.stdb.secure.core.ReconnectPolicy(false, java.time.Duration.ofMillis(10),
                                java.time.Duration.ofMillis(10), 0))
                        .connect().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(ReasonCode.PIN_MISMATCH, ((TlsException) e.getCause()).reason());
        List<SecurityEvent> mismatches = routed.stream()
                .filter(ev -> ev.type() == SecurityEventType.PIN_MISMATCH).collect(Collectors.toList());
        assertEquals(1, mismatches.size(), routed.toString());
        assertEquals("routed", mismatches.get(0).details().get("profile"));
        // the trust manager already reported the refusal: the core adds no second TLS_FAILURE for it
        assertTrue(routed.stream().noneMatch(ev -> ev.type() == SecurityEventType.TLS_FAILURE), routed.toString());
    }

    @Test
    void pinsAreCheckedAgainstTheValidatedChainNotTheSentOne() throws Exception {
        // CVE-2016-2402: the attacker's chain carries the pinned intermediate as an extra, unused certificate
        KeyStore jks = KeyStore.getInstance("JKS");
        jks.load(null, null);
        jks.setKeyEntry("server", leafB.keys().getPrivate(), PASSWORD,
                new java.security.cert.Certificate[] {leafB.cert(), rootB.cert(), interA.cert()});
        sandbox = Sandbox.builder().tls(jks, PASSWORD).start();
        TlsProfile p = profile(rootA.cert(), rootB.cert())
                .pins(PinSet.of("127.0.0.1", interA.spkiPin(), rootA.spkiPin())).build();
        refused(p);
        assertFalse(events(SecurityEventType.PIN_MISMATCH).isEmpty(), events.toString());
    }

    @Test
    void backupPinKeepsTheClientOnlineThroughAKeyRotation() throws Exception {
        serve(leafA2, interA.cert());
        connection = connect(profile(rootA.cert()).pins(PinSet.of("127.0.0.1", leafA.spkiPin(), leafA2.spkiPin()))
                .build());
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void expiredPinSetIsNotEnforced() throws Exception {
        serve(leafB);
        connection = connect(profile(rootB.cert())
                .pins(PinSet.of("127.0.0.1", bogusPin(3), bogusPin(4)).expiring(LocalDate.now().minusDays(1)))
                .build());
        assertEquals(1, events(SecurityEventType.PIN_EXPIRED).size(), events.toString());
        assertTrue(events(SecurityEventType.PIN_MISMATCH).isEmpty(), events.toString());
    }

    @Test
    void pinSetCloseToExpiryWarns() throws Exception {
        serve(leafA, interA.cert());
        connection = connect(profile(rootA.cert()).pinExpiryWarningDays(30)
                .pins(PinSet.of("127.0.0.1", leafA.spkiPin(), bogusPin(5)).expiring(LocalDate.now().plusDays(10)))
                .build());
        List<SecurityEvent> expiring = events(SecurityEventType.PIN_EXPIRING);
        assertEquals(1, expiring.size(), events.toString());
        assertEquals(Outcome.WARNING, expiring.get(0).outcome());
    }

    @Test
    void reportOnlyLetsTheHandshakeGoOn() throws Exception {
        serve(leafB);
        connection = connect(profile(rootA.cert(), rootB.cert())
                .pins(PinSet.of("127.0.0.1", leafA.spkiPin(), interA.spkiPin()).reportOnly()).build());
        List<SecurityEvent> mismatches = events(SecurityEventType.PIN_MISMATCH);
        assertEquals(1, mismatches.size(), events.toString());
        assertEquals(Outcome.WARNING, mismatches.get(0).outcome());
        assertEquals("report-only", mismatches.get(0).details().get("mode"));
    }

    @Test
    void untrustedChainIsRefused() throws Exception {
        serve(leafB);
        Throwable failure = refused(profile(rootA.cert()).build());
        assertReason(ReasonCode.UNTRUSTED_CHAIN);
        assertEquals(ReasonCode.UNTRUSTED_CHAIN, ((TlsException) failure).reason(), failure.toString());
        assertTrue(failure.getMessage().contains("[tls.untrusted_chain]"), failure.getMessage());
    }

    @Test
    void certificateForAnotherHostIsRefused() throws Exception {
        serve(otherHostA, interA.cert());
        Throwable failure = refused(profile(rootA.cert()).build());
        assertReason(ReasonCode.HOSTNAME_MISMATCH);
        assertEquals(ReasonCode.HOSTNAME_MISMATCH, ((TlsException) failure).reason(), failure.toString());
        assertTrue(failure.getMessage().contains("[tls.hostname_mismatch]"), failure.getMessage());
    }

    private void assertReason(ReasonCode reason) {
        List<SecurityEvent> failures = events(SecurityEventType.TLS_FAILURE);
        assertFalse(failures.isEmpty(), events.toString());
        assertEquals(reason.code(), failures.get(0).details().get("reason"), failures.toString());
        assertTrue(failures.get(0).details().get("message").startsWith("[" + reason.code() + "]"), failures.toString());
    }

    @Test
    void parametersCarryTheAllowedVersionsAndHttpsIdentification() throws Exception {
        TlsContext ctx = profile(rootA.cert()).build().contextFor(URI.create("wss://db.example.com/"));
        SSLParameters p = ctx.sslParameters();
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(p.getProtocols()));
        assertEquals("HTTPS", p.getEndpointIdentificationAlgorithm());
        assertTrue(p.getCipherSuites().length > 0);
        for (String s : p.getCipherSuites()) {
            assertFalse(TlsPolicy.isWeak(s), s);
        }
    }

    @Test
    void unreadableAnchorsAreATlsException() {
        TlsProfile p = TlsProfile.builder("broken").trustSystem(false).trustPem(dir.resolve("missing.pem")).build();
        TlsException e = assertThrows(TlsException.class, () -> p.contextFor(URI.create("wss://x/")));
        assertEquals(ReasonCode.UNTRUSTED_CHAIN, e.reason());
        assertTrue(e.getMessage().contains("trust.pem"), e.getMessage());
        TlsProfile none = TlsProfile.builder("none").trustSystem(false).build();
        assertThrows(TlsException.class, () -> none.contextFor(URI.create("wss://x/")));
    }

    @Test
    void systemStoreAloneBuildsAContext() {
        TlsContext ctx = TlsProfile.builder("system").build().contextFor(URI.create("wss://db.example.com/"));
        assertEquals("HTTPS", ctx.sslParameters().getEndpointIdentificationAlgorithm());
    }
}
