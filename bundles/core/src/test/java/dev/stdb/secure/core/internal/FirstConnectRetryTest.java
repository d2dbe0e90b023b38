package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.sandbox.Sandbox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A first connect refused by TLS, against the sandbox serving {@code wss} with a certificate made by the JDK's
 * {@code keytool}: the OSGi component's connection ({@code retryFirstConnect}) keeps retrying with backoff, and a
 * provider change (the operator fixed the profile) brings the next attempt forward at once; the plain-Java builder's
 * connection fails {@code connect()} instead. The trust managers are the JDK's own, trusting the wrong or the right
 * certificate: the handshake fails for real, as a wrong pin set fails it in the TLS bundle (TlsConnectionIT).
 */
class FirstConnectRetryTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private static final Duration WAIT = Duration.ofSeconds(15);
    /** Backoff so long that only a provider change can make the next attempt within the test. */
    private static final ReconnectPolicy SLOW = new ReconnectPolicy(true, Duration.ofHours(1), Duration.ofHours(1), 0);

    @TempDir
    static Path dir;
    private static KeyStore serverKeys;
    private static KeyStore otherKeys;
    private static Sandbox sandbox;

    private ConnectionImpl connection;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private final List<ConnectionStatus> states = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        serverKeys = keytool("server");
        otherKeys = keytool("other");
        sandbox = Sandbox.builder().tls(serverKeys, PASSWORD).start();
    }

    @AfterAll
    static void stop() {
        if (sandbox != null) {
            sandbox.close();
        }
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.closeAndWait(Duration.ofSeconds(2));
        }
    }

    /** A self-signed certificate for localhost and 127.0.0.1, made by the JDK's keytool. */
    private static KeyStore keytool(String name) throws Exception {
        Path file = dir.resolve(name + ".p12");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + name,
                "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", file.toString(), "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "keytool: " + out);
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, PASSWORD);
        }
        return ks;
    }

    /** A TLS provider whose JDK trust manager trusts only the certificate of {@code keys}; counts its contexts. */
    private static final class TrustingProvider implements TlsContextProvider {
        final AtomicInteger contexts = new AtomicInteger();
        private final SSLContext ssl;

        TrustingProvider(KeyStore keys) throws Exception {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            Certificate cert = keys.getCertificate(keys.aliases().nextElement());
            trust.setCertificateEntry("anchor", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
        }

        @Override
        public String id() {
            return "test";
        }

        @Override
        public TlsContext contextFor(URI target) throws TlsException {
            contexts.incrementAndGet();
            return new TlsContext(ssl, new SSLParameters());
        }
    }

    private ConnectionImpl open(AtomicReference<TlsContextProvider> tls, boolean retryFirstConnect) {
        ClientSettings settings = new ClientSettings(sandbox.wsUri(), sandbox.database(), () -> null, false,
                new MemoryCredentialStore(), tls::get, true, Compression.NONE, SLOW, events::add, Clock.systemUTC(),
                Duration.ofSeconds(5), false, new Lockouts(), Duration.ZERO, retryFirstConnect);
        connection = new ConnectionImpl(settings);
        connection.addStateListener((target, status) -> states.add(status));
        return connection;
    }

    private static void eventually(BooleanSupplier condition, java.util.function.Supplier<String> what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what.get());
            }
            Thread.sleep(10);
        }
    }

    private long reconnecting(int attempt) {
        return states.stream().filter(s -> s.state() == ConnectionState.RECONNECTING && s.attempt() == attempt).count();
    }

    @Test
    void aFirstConnectRefusedByTlsRetriesWithBackoffAndAProviderChangeBringsItUp() throws Exception {
        TrustingProvider wrong = new TrustingProvider(otherKeys);
        AtomicReference<TlsContextProvider> tls = new AtomicReference<>(wrong);
        ConnectionImpl c = open(tls, true);
        CompletableFuture<?> first = c.start();

        // Refused: the failure is reported and a retry is scheduled (with the long backoff), the connection lives.
        eventually(() -> reconnecting(1) == 1, () -> "a first retry scheduled, states " + states);
        ConnectionStatus retry = c.status();
        assertEquals(ConnectionState.RECONNECTING, retry.state());
        assertTrue(retry.reason().contains("[" + ReasonCode.UNTRUSTED_CHAIN.code() + "]"), retry.reason());
        assertTrue(retry.delay().compareTo(Duration.ZERO) >= 0);
        assertFalse(first.isDone(), "the first connect is still pending, not failed");
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.TLS_FAILURE), events.toString());
        assertEquals(1, wrong.contexts.get(), "one attempt so far");

        // A provider change with the same (still wrong) profile: one attempt at once, then the backoff again.
        c.providersChanged();
        eventually(() -> reconnecting(2) == 1, () -> "the second failure, states " + states);
        assertEquals(2, wrong.contexts.get(), "exactly one attempt per change: no hot loop");
        assertEquals(ConnectionState.RECONNECTING, c.status().state());

        // The operator fixes the profile: the change brings the next attempt forward and the connection comes up.
        TrustingProvider right = new TrustingProvider(serverKeys);
        tls.set(right);
        c.providersChanged();
        first.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertEquals(ConnectionState.CONNECTED, c.status().state());
        assertEquals(2, wrong.contexts.get());
        assertTrue(right.contexts.get() >= 1);
        assertNotNull(c.identity());
        c.callReducer("add_person", "Ada", 36).toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.CONNECTED));
    }

    @Test
    void withoutRetryTheFirstTlsRefusalFailsConnectAndCloses() throws Exception {
        ConnectionImpl c = open(new AtomicReference<>(new TrustingProvider(otherKeys)), false);
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> c.start().get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        assertInstanceOf(TlsException.class, e.getCause());
        assertEquals(ReasonCode.UNTRUSTED_CHAIN, ((TlsException) e.getCause()).reason());
        assertEquals(ConnectionState.CLOSED, c.status().state());
    }
}
