package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SubscriptionHandle;
import dev.stdb.secure.itests.tls.TestPki;
import dev.stdb.secure.itests.tls.TlsSandboxMain;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The real TLS bundle ({@code dev.stdb.secure.tls}, with the Bouncy Castle bundles) and the core's connection
 * component in Felix, against the sandbox serving {@code wss} that <em>requires client certificates</em>, all set up
 * through ConfigurationAdmin: PKIX to a root from a PEM file, host name {@code localhost} verified, the intermediate's
 * key pinned (with a backup pin), and a client certificate from PEM or PKCS#12. A profile replaced while connected
 * leaves the live session alone and governs the next reconnect: pins that no longer match refuse it with
 * {@code [tls.pin_mismatch]}, matching pins bring the connection back on its own with its subscription.
 *
 * <p>The certificates are made on the host with Bouncy Castle ({@link TestPki}) in a fresh directory under
 * {@code target/}; the sandbox runs as a child process ({@link TlsSandboxMain}) on 127.0.0.1; the probe talks to its
 * HTTP API over the same mutual TLS. The PKCS#12 password reaches the profile through the environment variable
 * {@value #P12_PASSWORD_ENV}, which failsafe sets.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class TlsConnectionIT extends StdbTestSupport {
    /** The factory PID of the TLS bundle's profile component. */
    static final String TLS_PID = "dev.stdb.secure.tls";
    /** Environment variable with the client PKCS#12 password (set by failsafe in itests/pom.xml). */
    static final String P12_PASSWORD_ENV = "STDB_ITEST_CLIENT_P12_PASSWORD";
    private static final String SERVER_PASSWORD = "itest-server-Pa55";

    private static final String PKI_DIR = "stdb.itest.tls.dir";
    private static final String PIN_INTERMEDIATE = "stdb.itest.tls.pin.intermediate";
    private static final String PIN_BACKUP = "stdb.itest.tls.pin.backup";
    private static final String PIN_WRONG_1 = "stdb.itest.tls.pin.wrong1";
    private static final String PIN_WRONG_2 = "stdb.itest.tls.pin.wrong2";

    // Host side: the PKI of this run.
    private static Path hostPkiDir;
    private static TestPki.Pins hostPins;

    // Either side (each has its own copy): the mutual-TLS HTTP client for the sandbox.
    private static volatile HttpClient http;

    // ------------------------------------------------------------------ host side

    private static synchronized Path hostPki() throws Exception {
        if (hostPkiDir == null) {
            Path target = Files.createDirectories(Paths.get("target").toAbsolutePath());
            Path dir = Files.createTempDirectory(target, "tls-it-");
            hostPins = TestPki.write(dir, SERVER_PASSWORD.toCharArray(), p12Password());
            hostPkiDir = dir;
        }
        return hostPkiDir;
    }

    private static char[] p12Password() {
        String p = System.getenv(P12_PASSWORD_ENV);
        if (p == null || p.isEmpty()) {
            throw new AssertionError("environment variable " + P12_PASSWORD_ENV
                    + " is not set (run the tests with mvn verify: failsafe sets it)");
        }
        return p.toCharArray();
    }

    @Override
    protected ProcessBuilder sandboxProcess(Path jar, int port) throws Exception {
        return tlsSandboxProcess(jar, port);
    }

    /**
     * Host side: the sandbox over TLS requiring client certificates, {@link TlsSandboxMain} on the standalone jar
     * (also used by {@link AuditTrailIT}).
     */
    static ProcessBuilder tlsSandboxProcess(Path jar, int port) throws Exception {
        Path dir = hostPki();
        Path classes = Paths.get(TlsSandboxMain.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ProcessBuilder pb = new ProcessBuilder(javaExecutable(), "-cp", jar + File.pathSeparator + classes,
                TlsSandboxMain.class.getName(), "--port", String.valueOf(port),
                "--keystore", dir.resolve(TestPki.SERVER_P12).toString(),
                "--client-ca", dir.resolve(TestPki.CLIENT_CA_PEM).toString(), "--database", DATABASE);
        pb.environment().put("SANDBOX_TLS_PASSWORD", SERVER_PASSWORD);
        return pb;
    }

    /** {@code localhost}: the only name in the server certificate. The sandbox listens on 127.0.0.1 only. */
    @Override
    protected URI sandboxBaseUri(int port) {
        return URI.create("https://localhost:" + port);
    }

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        return tlsOptions();
    }

    /** Host side: the Bouncy Castle and TLS bundles, and the PKI directory and pins for the probe. */
    static Option[] tlsOptions() throws Exception {
        String bc = Vectors.required("stdb.version.bouncycastle");
        Path dir = hostPki();
        return options(
                mavenBundle("org.bouncycastle", "bcprov-jdk18on", bc),
                mavenBundle("org.bouncycastle", "bcutil-jdk18on", bc),
                mavenBundle("org.bouncycastle", "bcpkix-jdk18on", bc),
                bundle(Vectors.bundleJar("tls").toURI().toString()),
                systemProperty(PKI_DIR).value(dir.toString()),
                systemProperty(PIN_INTERMEDIATE).value(hostPins.intermediate()),
                systemProperty(PIN_BACKUP).value(hostPins.backup()),
                systemProperty(PIN_WRONG_1).value(hostPins.wrong1()),
                systemProperty(PIN_WRONG_2).value(hostPins.wrong2()));
    }

    // ------------------------------------------------------------------ either side

    static Path pkiDir() {
        String dir = System.getProperty(PKI_DIR);
        if (dir != null) {
            return Paths.get(dir);
        }
        try {
            return hostPki();
        } catch (Exception e) {
            throw new AssertionError("cannot write the test PKI", e);
        }
    }

    /** JDK only: trusts the server root, presents the client certificate from the PKCS#12 file, verifies the host. */
    @Override
    protected HttpClient sandboxHttp() {
        return tlsHttp();
    }

    static HttpClient tlsHttp() {
        HttpClient client = http;
        if (client == null) {
            synchronized (TlsConnectionIT.class) {
                client = http;
                if (client == null) {
                    client = mutualTlsClient(pkiDir());
                    http = client;
                }
            }
        }
        return client;
    }

    private static HttpClient mutualTlsClient(Path dir) {
        try {
            char[] password = p12Password();
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(dir.resolve(TestPki.CLIENT_P12))) {
                keys.load(in, password);
            }
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, password);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (InputStream in = Files.newInputStream(dir.resolve(TestPki.ROOT_PEM))) {
                int n = 0;
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    trust.setCertificateEntry("root-" + n++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(5)).build();
        } catch (Exception e) {
            throw new AssertionError("cannot build the mutual-TLS HTTP client from " + dir, e);
        }
    }

    // ------------------------------------------------------------------ 1

    /**
     * Pinned mutual TLS end to end, then the profile replaced twice: not-matching pins leave the live session up and
     * refuse the next reconnect with PIN_MISMATCH (in the status and as a security event at the connection's audit
     * sink); matching pins again bring the connection back on its own.
     */
    @Test
    public void pinnedMutualTlsAndAProfileReplacedWhileConnected() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        Map<String, Object> matching = pemProfile("pinned", matchingPins());
        Configuration profile = configureFactory(TLS_PID, matching);
        awaitService(TlsContextProvider.class, "(tls.profile=pinned)", TIMEOUT);
        configureConnection(tlsConnection("tls-pinned", "pinned"));

        // Up over wss with PKIX to the PEM root, host name localhost, the intermediate pinned and a PEM client key.
        Connection c = awaitConnection("tls-pinned");
        assertEquals(ConnectionState.CONNECTED, c.status().state());
        Identity identity = c.identity();
        assertNotNull("identity", identity);
        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(sub.isActive());
        String mine = uniqueName();
        c.callReducer("add_person", mine, 36).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitPersonInCache(c, mine);
        awaitPersonInCache(c, insertPersonOverHttp());
        await("CONNECTED event", () -> sink.types().contains(SecurityEventType.CONNECTED));

        // Replace the profile with pins that match nothing in the chain: the live session is not touched.
        ConnectionId session = c.connectionId();
        try (StateChanges states = new StateChanges(c)) {
            List<ConnectionStatus> changes = states.list();
            int mark = sink.size();
            profile.update(new Hashtable<>(pemProfile("pinned", wrongPins())));
            await("the connection to bind the replaced TLS provider", () -> sink.since(mark).stream()
                    .anyMatch(e -> e.type() == SecurityEventType.PROVIDER_BOUND && "tls".equals(e.details().get("kind"))));
            String afterSwap = uniqueName();
            c.callReducer("add_person", afterSwap, 37).toCompletableFuture().get(10, TimeUnit.SECONDS);
            awaitPersonInCache(c, afterSwap);
            assertEquals("the same session", session, c.connectionId());
            assertEquals(ConnectionState.CONNECTED, c.status().state());
            assertEquals("state changes while the TLS provider was replaced", List.of(), changes);

            // Drop the session: the reconnect uses the new profile, and its pins refuse the server.
            fault("drop-connections");
            await("a reconnect refused with [tls.pin_mismatch] (changes " + changes + ")", () -> changes.stream()
                    .anyMatch(s -> s.state() == ConnectionState.RECONNECTING && s.reason() != null
                            && s.reason().contains("[tls.pin_mismatch]")));
            assertNotEquals(ConnectionState.CONNECTED, c.status().state());
            assertNotEquals(ConnectionState.CLOSED, c.status().state());
            await("a PIN_MISMATCH security event at the connection's audit sink", () -> sink.since(mark).stream()
                    .anyMatch(e -> e.type() == SecurityEventType.PIN_MISMATCH));

            // Matching pins again: the connection comes back by itself, as the same identity, subscription replayed.
            profile.update(new Hashtable<>(matching));
            await("reconnected (now " + c.status() + ")",
                    () -> c.status().state() == ConnectionState.CONNECTED && !session.equals(c.connectionId()));
            assertEquals(identity, c.identity());
            assertSame("the same Connection service", c, awaitConnection("tls-pinned"));
            awaitPersonInCache(c, insertPersonOverHttp());
            String afterRestore = uniqueName();
            c.callReducer("add_person", afterRestore, 38).toCompletableFuture().get(10, TimeUnit.SECONDS);
            awaitPersonInCache(c, afterRestore);
        }
    }

    // ------------------------------------------------------------------ 2

    /** A PKCS#12 client certificate whose password the profile names by environment variable. */
    @Test
    public void pkcs12ClientCertificateWithPasswordFromTheEnvironment() throws Exception {
        Map<String, Object> p = baseProfile("p12", matchingPins());
        p.put("client.pkcs12", pkiDir().resolve(TestPki.CLIENT_P12).toString());
        p.put("client.pkcs12.password.env", P12_PASSWORD_ENV);
        configureFactory(TLS_PID, p);
        awaitService(TlsContextProvider.class, "(tls.profile=p12)", TIMEOUT);
        configureConnection(tlsConnection("tls-p12", "p12"));

        Connection c = awaitConnection("tls-p12");
        assertNotNull("identity", c.identity());
        c.subscribe("SELECT * FROM person").applied().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String name = uniqueName();
        c.callReducer("add_person", name, 40).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitPersonInCache(c, name);
    }

    // ------------------------------------------------------------------ 3

    /** A profile with no client certificate: the server refuses the handshake, reported as CLIENT_CERT_UNAVAILABLE. */
    @Test
    public void withoutAClientCertificateTheConnectionFailsWithClientCertUnavailable() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        configureFactory(TLS_PID, baseProfile("no-client-cert", matchingPins()));
        awaitService(TlsContextProvider.class, "(tls.profile=no-client-cert)", TIMEOUT);
        configureConnection(tlsConnection("tls-no-cert", "no-client-cert"));

        await("a TLS_FAILURE event with reason tls.client_cert_unavailable (events " + sink.types() + ")",
                () -> sink.since(0).stream().anyMatch(e -> e.type() == SecurityEventType.TLS_FAILURE
                        && "tls.client_cert_unavailable".equals(e.details().get("reason"))));
        assertTrue("no connection came up",
                references(Connection.class, "(name=tls-no-cert)").isEmpty());
        assertTrue("never CONNECTED: " + sink.types(), !sink.types().contains(SecurityEventType.CONNECTED));
    }

    // ------------------------------------------------------------------ 4

    /**
     * The first connect is refused by the pins (the profile is wrong from the start): the connection reports
     * PIN_MISMATCH and waits out its backoff instead of closing; once the operator fixes the profile in
     * ConfigurationAdmin, the provider change makes it try again at once (its backoff here is ten minutes, longer than
     * the test waits), and it comes up with a working subscription.
     */
    @Test
    public void aFirstConnectRefusedByThePinsComesUpWhenTheProfileIsFixed() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        Configuration profile = configureFactory(TLS_PID, pemProfile("first-wrong", wrongPins()));
        awaitService(TlsContextProvider.class, "(tls.profile=first-wrong)", TIMEOUT);
        Map<String, Object> p = tlsConnection("tls-first-wrong", "first-wrong");
        p.put("reconnect.base.millis", 600_000L);
        p.put("reconnect.cap.millis", 600_000L);
        configureConnection(p);

        await("a PIN_MISMATCH event (events " + sink.types() + ")", () -> sink.types()
                .contains(SecurityEventType.PIN_MISMATCH));
        await("a retry scheduled after the refusal, not a close (events " + sink.types() + ")", () -> sink.types()
                .contains(SecurityEventType.RECONNECTING));
        assertTrue("no connection came up", references(Connection.class, "(name=tls-first-wrong)").isEmpty());
        assertTrue("never CONNECTED: " + sink.types(), !sink.types().contains(SecurityEventType.CONNECTED));
        long mismatches = sink.types().stream().filter(t -> t == SecurityEventType.PIN_MISMATCH).count();

        // The operator fixes the pins: the connection comes up by itself, long before its backoff would end.
        int mark = sink.size();
        profile.update(new Hashtable<>(pemProfile("first-wrong", matchingPins())));
        Connection c = awaitConnection("tls-first-wrong");
        assertEquals(ConnectionState.CONNECTED, c.status().state());
        assertNotNull("identity", c.identity());
        assertTrue("the same profile was not retried meanwhile: " + sink.types(), mismatches == sink.since(0).stream()
                .filter(e -> e.type() == SecurityEventType.PIN_MISMATCH).count());
        await("a CONNECTED event", () -> sink.since(mark).stream().anyMatch(e -> e.type() == SecurityEventType.CONNECTED));
        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(10, TimeUnit.SECONDS);
        String name = uniqueName();
        c.callReducer("add_person", name, 39).toCompletableFuture().get(10, TimeUnit.SECONDS);
        awaitPersonInCache(c, name);
        awaitPersonInCache(c, insertPersonOverHttp());
    }

    // ------------------------------------------------------------------ helpers

    /** Trust only the PEM root; pins for localhost; no client certificate. */
    static Map<String, Object> baseProfile(String name, String pins) {
        Map<String, Object> p = new HashMap<>();
        p.put("tls.profile", name);
        p.put("trust.system", Boolean.FALSE);
        p.put("trust.pem", pkiDir().resolve(TestPki.ROOT_PEM).toString());
        p.put("pins", new String[] {pins});
        return p;
    }

    /** {@link #baseProfile} with the client key and chain as PEM files (read with Bouncy Castle, inside OSGi). */
    static Map<String, Object> pemProfile(String name, String pins) {
        Map<String, Object> p = baseProfile(name, pins);
        p.put("client.pem.key", pkiDir().resolve(TestPki.CLIENT_KEY).toString());
        p.put("client.pem.chain", pkiDir().resolve(TestPki.CLIENT_CHAIN).toString());
        return p;
    }

    /** The intermediate's SPKI plus a backup pin, expiring in a year. */
    static String matchingPins() {
        return "localhost|" + System.getProperty(PIN_INTERMEDIATE) + "," + System.getProperty(PIN_BACKUP)
                + "|expires=" + LocalDate.now().plusYears(1);
    }

    /** Two pins that match no certificate of the chain. */
    static String wrongPins() {
        return "localhost|" + System.getProperty(PIN_WRONG_1) + "," + System.getProperty(PIN_WRONG_2);
    }

    private Map<String, Object> tlsConnection(String name, String profile) {
        Map<String, Object> p = connectionProperties(name);
        p.put("uri", "wss://localhost:" + sandboxUri().getPort());
        p.put("tls.target", "(tls.profile=" + profile + ")");
        return p;
    }

    /** Inserts a person through the sandbox's HTTP API (another client, over mutual TLS); returns the name. */
    /** Records every security event the connection publishes. */
    static final class RecordingSink implements AuditSink {
        private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void publish(SecurityEvent event) {
            events.add(event);
        }

        int size() {
            return events.size();
        }

        List<SecurityEvent> since(int index) {
            return List.copyOf(events.subList(index, events.size()));
        }

        List<SecurityEventType> types() {
            return events.stream().map(SecurityEvent::type).toList();
        }
    }
}
