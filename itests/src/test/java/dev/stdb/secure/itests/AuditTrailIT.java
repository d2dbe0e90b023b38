package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.AuditTrail;
import dev.stdb.secure.api.audit.ConnectionStats;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.audit.VerificationResult;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.audit.file.FileAuditTrail;
import dev.stdb.secure.audit.file.Verification;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.itests.TlsConnectionIT.RecordingSink;
import dev.stdb.secure.testing.rsyslog.Rsyslog;
import dev.stdb.secure.testing.rsyslog.SyslogMessage;

import java.io.File;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;

/**
 * Issue 8 end to end: the core, the TLS bundle, the file audit trail, the syslog sink, the connection anomaly
 * detectors ({@code anomaly-connection}), the encrypted file store ({@code store-file}) and the API key provider
 * ({@code auth-apikey}) in Felix, configured through ConfigurationAdmin, and a real rsyslogd ({@link Rsyslog}, plain
 * TCP on 127.0.0.1) as the syslog server. Security events from several bundles are captured by a recording
 * {@link AuditSink} registered beside the two real ones: the TLS bundle's PIN_MISMATCH; the ANOMALY findings that
 * anomaly-connection's pin-mismatch detector raises on them (published by the core's router, so their source is the
 * core; the detector is named in the details); auth-apikey's TOKEN_ISSUED (bearer mode, the key a token the sandbox
 * minted, read from the file store); the core's CONNECTED, AUTH_FAILURE, AUTH_SUCCESS, PROVIDER_BOUND,
 * CONNECTION_STATS ({@code stats.period.seconds=1}) and the router's own AUDIT_FAILURE. Every captured event must
 * appear in the file trail (queried through its {@link AuditTrail} service, by id, same content) and in rsyslog's
 * output file (by the {@code id} SD-PARAM); the API key is in neither. rsyslogd is stopped in the middle of the run,
 * long enough for the router to report the syslog sink failing, and started again on the same port: nothing is lost
 * (the core spools and retries). Finally the trail verifies: through the service, at rest with
 * {@link FileAuditTrail#verifyAtRest}, and with the {@code Verify} command in a separate JVM, checkpoint signatures
 * checked against the certificate.
 *
 * <p>store-file emits events of its own only on failures (STORE_FAILURE: tampering, wrong key, permissions), and in
 * OSGi its component hands them to its logger, not to the core's router: none reach the audit sinks, so none are
 * asserted here.
 *
 * <p>The checkpoint key is an EC key in a PKCS#12 file made on the host with {@code keytool}; its password reaches
 * keytool and the file trail's configuration ({@code keystore.password.env}) through the environment variable
 * {@value #P12_PASSWORD_ENV}, which failsafe sets (as it sets the file store's passphrase variable). The sandbox serves
 * {@code wss} with client certificates, as for {@link TlsConnectionIT}, whose PKI and profiles this test reuses.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuditTrailIT extends StdbTestSupport {
    static final String FILE_PID = "dev.stdb.secure.audit.file";
    static final String SYSLOG_PID = "dev.stdb.secure.audit.syslog";
    static final String ANOMALY_PID = "dev.stdb.secure.anomaly.connection";
    static final String STORE_PID = "dev.stdb.secure.store.file";
    static final String APIKEY_PID = "dev.stdb.secure.auth.apikey";
    static final String TLS_SOURCE = "dev.stdb.secure.tls";
    static final String CORE_SOURCE = "dev.stdb.secure.core";
    static final String APIKEY_SOURCE = "dev.stdb.secure.auth.apikey";
    static final String ANOMALY_BUNDLE = "dev.stdb.secure.anomaly.connection";
    /** Environment variable with the file store's passphrase (set by failsafe in itests/pom.xml). */
    private static final String STORE_PASSPHRASE_ENV = "STDB_ITEST_STORE_PASSPHRASE";
    /** Environment variable with the PKCS#12 password (set by failsafe in itests/pom.xml). */
    static final String P12_PASSWORD_ENV = "STDB_ITEST_AUDIT_P12_PASSWORD";
    private static final String AUDIT_DIR = "stdb.itest.audit.dir";
    private static final String P12 = "audit-signing.p12";
    private static final String CERT = "audit-signing.pem";
    private static final String ALIAS = "audit";
    /** Small, so that the run writes several signed checkpoints. */
    private static final long CHECKPOINT_EVERY = 5;
    private static final Duration LONG = Duration.ofSeconds(60);

    // Host side: the directory of this run (PKCS#12 key, certificate; the probe adds the trail and rsyslog's files).
    private static Path hostDir;

    // ------------------------------------------------------------------ host side

    private static synchronized Path hostDir() throws Exception {
        if (hostDir == null) {
            Path target = Files.createDirectories(Paths.get("target").toAbsolutePath());
            Path dir = Files.createTempDirectory(target, "audit-it-");
            if (System.getenv(P12_PASSWORD_ENV) == null) {
                throw new AssertionError("environment variable " + P12_PASSWORD_ENV
                        + " is not set (run the tests with mvn verify: failsafe sets it)");
            }
            String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
            // The password is read from the environment by keytool itself (-storepass:env), never on a command line.
            run(dir, keytool, "-genkeypair", "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1",
                    "-sigalg", "SHA256withECDSA", "-dname", "CN=stdb itest audit checkpoints", "-validity", "30",
                    "-storetype", "PKCS12", "-keystore", dir.resolve(P12).toString(),
                    "-storepass:env", P12_PASSWORD_ENV);
            run(dir, keytool, "-exportcert", "-rfc", "-alias", ALIAS, "-storetype", "PKCS12",
                    "-keystore", dir.resolve(P12).toString(), "-storepass:env", P12_PASSWORD_ENV,
                    "-file", dir.resolve(CERT).toString());
            hostDir = dir;
        }
        return hostDir;
    }

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError(command[0] + " " + command[1] + " exited with " + p.exitValue() + ": " + out);
        }
        return out;
    }

    @Override
    protected ProcessBuilder sandboxProcess(Path jar, int port) throws Exception {
        return TlsConnectionIT.tlsSandboxProcess(jar, port);
    }

    @Override
    protected URI sandboxBaseUri(int port) {
        return URI.create("https://localhost:" + port);
    }

    @Override
    protected HttpClient sandboxHttp() {
        return TlsConnectionIT.tlsHttp();
    }

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        return OptionUtils.combine(TlsConnectionIT.tlsOptions(), options(
                bundle(Vectors.bundleJar("audit.file").toURI().toString()),
                bundle(Vectors.bundleJar("audit.syslog").toURI().toString()),
                bundle(Vectors.bundleJar("testing.rsyslog").toURI().toString()),
                bundle(Vectors.bundleJar("anomaly.connection").toURI().toString()),
                bundle(Vectors.bundleJar("storefile").toURI().toString()),
                mavenBundle("com.nimbusds", "nimbus-jose-jwt", Vectors.required("stdb.version.nimbus.jose")),
                bundle(Vectors.bundleJar("auth.apikey").toURI().toString()),
                systemProperty(AUDIT_DIR).value(hostDir().toString())));
    }

    // ------------------------------------------------------------------ the test

    @Test
    public void everySecurityEventReachesTheFileTrailAndRsyslog() throws Exception {
        long started = System.nanoTime();
        Path dir = Paths.get(Vectors.required(AUDIT_DIR));
        Path trailDir = dir.resolve("trail");
        RecordingSink captured = new RecordingSink();
        registerService(AuditSink.class, captured, null);

        try (Rsyslog rsyslog = new Rsyslog(dir.resolve("rsyslog"), null)) {
            rsyslog.start();

            // The two real sinks, through ConfigurationAdmin; both bound before any connection exists.
            Map<String, Object> file = new HashMap<>();
            file.put("directory", trailDir.toString());
            file.put("keystore.path", dir.resolve(P12).toString());
            file.put("keystore.password.env", P12_PASSWORD_ENV);
            file.put("keystore.alias", ALIAS);
            file.put("certificate.path", dir.resolve(CERT).toString());
            file.put("checkpoint.every.records", CHECKPOINT_EVERY);
            configureFactory(FILE_PID, file);
            AuditTrail trail = awaitService(AuditTrail.class, "(service.factoryPid=" + FILE_PID + ")", TIMEOUT);
            Map<String, Object> syslog = new HashMap<>();
            syslog.put("host", "127.0.0.1");
            syslog.put("port", rsyslog.port);
            syslog.put("transport", "tcp");
            syslog.put("app.name", "stdb-itest");
            syslog.put("backoff.max.millis", 200L);
            configureFactory(SYSLOG_PID, syslog);
            awaitService(AuditSink.class, "(service.factoryPid=" + SYSLOG_PID + ")", TIMEOUT);

            // The connection anomaly detectors, bound to every connection's router. Each pin mismatch is an ALERT;
            // the BLOCK after a burst would lock the sandbox out for the later connections, so it never comes here.
            Map<String, Object> detector = new HashMap<>();
            detector.put("detector.id", "itest-audit-anomalies");
            detector.put("pinMismatch.blockCount", Integer.MAX_VALUE);
            configureFactory(ANOMALY_PID, detector);
            awaitService(AnomalyDetector.class, "(detector.id=itest-audit-anomalies)", TIMEOUT);

            // 1. Up over pinned mutual TLS (CONNECTED); the first events reach rsyslog.
            Map<String, Object> matching = TlsConnectionIT.pemProfile("audit", TlsConnectionIT.matchingPins());
            Configuration profile = configureFactory(TlsConnectionIT.TLS_PID, matching);
            awaitService(TlsContextProvider.class, "(tls.profile=audit)", TIMEOUT);
            configureConnection(tlsConnection("audit-tls"));
            Connection c = awaitConnection("audit-tls");
            await("a CONNECTED event", () -> !ofType(captured.since(0), SecurityEventType.CONNECTED).isEmpty());
            UUID connected = ofType(captured.since(0), SecurityEventType.CONNECTED).get(0).id();
            await("the CONNECTED event in rsyslog", () -> receivedIds(rsyslog).contains(connected.toString()), LONG);

            // 2. The TLS bundle refuses the server: the profile replaced with pins that match nothing, the session
            //    dropped; every reconnect attempt is a PIN_MISMATCH.
            int beforeSwap = captured.size();
            profile.update(new Hashtable<>(TlsConnectionIT.pemProfile("audit", TlsConnectionIT.wrongPins())));
            await("the connection to bind the replaced TLS provider", () -> captured.since(beforeSwap).stream()
                    .anyMatch(e -> e.type() == SecurityEventType.PROVIDER_BOUND && "tls".equals(e.details().get("kind"))));
            fault("drop-connections");
            await("a PIN_MISMATCH event", () -> !ofType(captured.since(0), SecurityEventType.PIN_MISMATCH).isEmpty());
            UUID firstPinMismatch = ofType(captured.since(0), SecurityEventType.PIN_MISMATCH).get(0).id();
            await("the first PIN_MISMATCH in rsyslog", () -> receivedIds(rsyslog).contains(firstPinMismatch.toString()),
                    LONG);
            // anomaly-connection's pin-mismatch detector: its finding is published (by the router) with the trigger.
            await("an ANOMALY finding of the pin-mismatch detector", () -> !pinMismatchFindings(captured).isEmpty());

            // 3. rsyslogd goes away while the connection keeps failing (and emitting): the router reports the syslog
            //    sink failing with one AUDIT_FAILURE event, and spools for it. Then rsyslogd comes back, same port.
            rsyslog.stop();
            int mark = captured.size();
            await("an AUDIT_FAILURE event for the syslog sink (events " + captured.types() + ")",
                    () -> captured.since(mark).stream().anyMatch(e -> e.type() == SecurityEventType.AUDIT_FAILURE
                            && e.details().getOrDefault("sink", "").startsWith(SYSLOG_PID)), LONG);
            rsyslog.start();

            // Matching pins again: the connection comes back by itself (CONNECTED once more).
            int beforeRestore = captured.size();
            profile.update(new Hashtable<>(matching));
            await("reconnected (now " + c.status() + ")", () -> captured.since(beforeRestore).stream()
                    .anyMatch(e -> e.type() == SecurityEventType.CONNECTED), LONG);

            // 4. A second connection whose auth provider fails (AUTH_FAILURE).
            Hashtable<String, Object> providerProps = new Hashtable<>();
            providerProps.put("provider.id", "itest-failing");
            registerService(AuthProvider.class, new FailingAuthProvider(), providerProps);
            Map<String, Object> failing = tlsConnection("audit-auth");
            failing.put("auth.target", "(provider.id=itest-failing)");
            configureConnection(failing);
            await("an AUTH_FAILURE event", () -> !ofType(captured.since(0), SecurityEventType.AUTH_FAILURE).isEmpty());

            // 5. A third connection authenticated by auth-apikey in bearer mode: the key is a token the sandbox
            //    minted, kept in an encrypted file store (store-file); the connection reports CONNECTION_STATS every
            //    second.
            Map<String, String> minted = mintIdentity(sandboxHttp(), sandboxUri());
            Map<String, Object> storeConfig = new HashMap<>();
            storeConfig.put("store.id", "audit-store");
            storeConfig.put("path", dir.resolve("store").toString());
            storeConfig.put("passphrase.env", STORE_PASSPHRASE_ENV);
            storeConfig.put("argon2.memory.kib", 1024);
            storeConfig.put("argon2.iterations", 1);
            configureFactory(STORE_PID, storeConfig);
            CredentialStore store = awaitService(CredentialStore.class, "(store.id=audit-store)", TIMEOUT);
            try (Secret key = Secret.ofString(minted.get("token"))) {
                store.write("itest/apikey", key);
            }
            Map<String, Object> apikey = new HashMap<>();
            apikey.put("provider.id", "itest-apikey");
            apikey.put("key.name", "itest/apikey");
            apikey.put("mode", "bearer");
            configureFactory(APIKEY_PID, apikey);
            awaitService(AuthProvider.class, "(provider.id=itest-apikey)", TIMEOUT);
            Map<String, Object> keyed = tlsConnection("audit-apikey");
            keyed.put("auth.target", "(provider.id=itest-apikey)");
            keyed.put("store.target", "(store.id=audit-store)");
            keyed.put("stats.period.seconds", 1);
            configureConnection(keyed);
            Connection withKey = awaitConnection("audit-apikey");
            assertEquals("connected as the identity of the minted token", minted.get("identity"),
                    withKey.identity().toHex());
            await("TOKEN_ISSUED from auth-apikey and the core's AUTH_SUCCESS (events " + captured.types() + ")",
                    () -> !tokensIssued(captured).isEmpty() && captured.since(0).stream().anyMatch(e ->
                            e.type() == SecurityEventType.AUTH_SUCCESS && CORE_SOURCE.equals(e.source())
                                    && "itest-apikey".equals(e.details().get("provider"))));
            SecurityEvent issued = tokensIssued(captured).get(0);
            assertEquals("itest-apikey", issued.details().get("provider"));
            assertEquals("the store entry, not the key", "itest/apikey", issued.details().get("key"));
            assertTrue("the key's fingerprint: " + issued, issued.details().containsKey("fingerprint"));
            await("a CONNECTION_STATS summary", () -> !ofType(captured.since(0), SecurityEventType.CONNECTION_STATS)
                    .isEmpty());

            // Every event captured up to here, from several bundles.
            List<SecurityEvent> events = captured.since(0);
            Set<SecurityEventType> types = events.stream().map(SecurityEvent::type)
                    .collect(Collectors.toCollection(() -> new TreeSet<>()));
            Set<String> sources = events.stream().map(SecurityEvent::source).collect(Collectors.toCollection(TreeSet::new));
            for (SecurityEventType t : List.of(SecurityEventType.PIN_MISMATCH, SecurityEventType.AUDIT_FAILURE,
                    SecurityEventType.CONNECTED, SecurityEventType.AUTH_FAILURE, SecurityEventType.PROVIDER_BOUND,
                    SecurityEventType.ANOMALY, SecurityEventType.CONNECTION_STATS, SecurityEventType.TOKEN_ISSUED,
                    SecurityEventType.AUTH_SUCCESS)) {
                assertTrue(t + " among " + types, types.contains(t));
            }
            for (String source : List.of(TLS_SOURCE, CORE_SOURCE, APIKEY_SOURCE)) {
                assertTrue("events from " + source + " among " + sources, sources.contains(source));
            }
            // An ANOMALY event's source is the core's router, which publishes the finding; the finding itself names
            // its detector, here one of the service anomaly-connection registers.
            ServiceReference<AnomalyDetector> detectorRef =
                    references(AnomalyDetector.class, "(detector.id=itest-audit-anomalies)").get(0);
            assertEquals("the detector service's bundle", ANOMALY_BUNDLE, detectorRef.getBundle().getSymbolicName());
            SecurityEvent finding = pinMismatchFindings(captured).get(0);
            assertEquals(SecurityEventType.PIN_MISMATCH.name(), finding.details().get("trigger.type"));
            assertTrue("the finding's trigger is a captured PIN_MISMATCH: " + finding,
                    ofType(events, SecurityEventType.PIN_MISMATCH).stream()
                            .anyMatch(e -> e.id().toString().equals(finding.details().get("trigger"))));
            SecurityEvent summary = ofType(events, SecurityEventType.CONNECTION_STATS).get(0);
            assertEquals("source of " + summary, CORE_SOURCE, summary.source());
            assertTrue("a summary names its count and period: " + summary,
                    summary.details().containsKey(ConnectionStats.REDUCER_CALLS)
                            && summary.details().containsKey(ConnectionStats.PERIOD_MS));

            // In the file trail, queried through its service: each event by id, with the same content.
            await("all " + events.size() + " captured events in the file trail", () -> {
                Map<UUID, SecurityEvent> stored = byId(trail.query(AuditQuery.all()));
                return events.stream().allMatch(e -> stored.containsKey(e.id()));
            }, LONG);
            Map<UUID, SecurityEvent> stored = byId(trail.query(AuditQuery.all()));
            for (SecurityEvent e : events) {
                SecurityEvent s = stored.get(e.id());
                assertEquals("type of " + e.id(), e.type(), s.type());
                assertEquals("outcome of " + e.id(), e.outcome(), s.outcome());
                assertEquals("connection of " + e.id(), e.connection(), s.connection());
                assertEquals("source of " + e.id(), e.source(), s.source());
                assertEquals("details of " + e.id(), e.details(), s.details());
            }

            // In rsyslog's output: each event by its id SD-PARAM, including those emitted while rsyslogd was down.
            await("all " + events.size() + " captured events in rsyslog's output (restart included)", () -> {
                Set<String> ids = receivedIds(rsyslog);
                return events.stream().allMatch(e -> ids.contains(e.id().toString()));
            }, LONG);
            Map<String, SyslogMessage> received = new HashMap<>();
            for (String line : rsyslog.lines()) {
                SyslogMessage m = SyslogMessage.parse(line);
                received.putIfAbsent(m.params().get("id"), m);
            }
            for (SecurityEvent e : events) {
                SyslogMessage m = received.get(e.id().toString());
                assertEquals("type of " + e.id(), e.type().name(), m.params().get("type"));
                assertEquals("source of " + e.id(), e.source(), m.params().get("source"));
                assertEquals("app name", "stdb-itest", m.appName());
            }
            // The bearer key is a secret: in neither sink, only its fingerprint.
            for (String line : rsyslog.lines()) {
                assertFalse("the API key in rsyslog's output", line.contains(minted.get("token")));
            }
            try (Stream<Path> files = Files.walk(trailDir)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    assertFalse("the API key in " + f, new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1)
                            .contains(minted.get("token")));
                }
            }

            // Quiet: stopping the core deactivates the three connections and closes their routers (joining the workers),
            // so nothing writes to the trail while it is verified at rest.
            Bundle core = coreBundle();
            core.stop();

            VerificationResult live = trail.verify(null, null);
            assertTrue("the trail verifies through its service: " + live, live.intact());
            assertTrue("records checked " + live.recordsChecked(), live.recordsChecked() >= events.size());

            PublicKey key;
            try (InputStream in = Files.newInputStream(dir.resolve(CERT))) {
                key = CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
            }
            Verification atRest = FileAuditTrail.verifyAtRest(trailDir, key, CHECKPOINT_EVERY);
            assertTrue("intact at rest: " + atRest, atRest.intact());
            assertTrue("checkpoint signatures checked: " + atRest, atRest.signaturesChecked());

            // The Verify command, in its own JVM on the bundle jars.
            String classPath = Vectors.bundleJar("audit.file") + File.pathSeparator + Vectors.bundleJar("api");
            Process verify = new ProcessBuilder(javaExecutable(), "-cp", classPath,
                    "dev.stdb.secure.audit.file.Verify", trailDir.toString(), "--cert", dir.resolve(CERT).toString(),
                    "--every", String.valueOf(CHECKPOINT_EVERY)).redirectErrorStream(true).start();
            String out = new String(verify.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue("Verify finished", verify.waitFor(60, TimeUnit.SECONDS));
            assertEquals("Verify exit code; output: " + out, 0, verify.exitValue());
            assertTrue("Verify output: " + out, out.startsWith("intact: ") && !out.contains("NOT checked"));

            System.out.printf("AuditTrailIT: %d events (%s) from %s; file trail and rsyslog hold all of them;"
                    + " %s; Verify: %s; %.1f s%n", events.size(), types, sources, atRest, out.trim(),
                    (System.nanoTime() - started) / 1e9);
        }
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> tlsConnection(String name) {
        Map<String, Object> p = connectionProperties(name);
        p.put("uri", "wss://localhost:" + sandboxUri().getPort());
        p.put("tls.target", "(tls.profile=audit)");
        return p;
    }

    private Bundle coreBundle() {
        for (Bundle b : bundleContext.getBundles()) {
            if ("dev.stdb.secure.core".equals(b.getSymbolicName())) {
                return b;
            }
        }
        throw new AssertionError("no core bundle");
    }

    private static List<SecurityEvent> ofType(List<SecurityEvent> events, SecurityEventType type) {
        List<SecurityEvent> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            if (e.type() == type) {
                out.add(e);
            }
        }
        return out;
    }

    /** The TOKEN_ISSUED events of auth-apikey. */
    private static List<SecurityEvent> tokensIssued(RecordingSink captured) {
        List<SecurityEvent> out = new ArrayList<>();
        for (SecurityEvent e : ofType(captured.since(0), SecurityEventType.TOKEN_ISSUED)) {
            if (APIKEY_SOURCE.equals(e.source())) {
                out.add(e);
            }
        }
        return out;
    }

    /** The ANOMALY events of anomaly-connection's pin-mismatch detector. */
    private static List<SecurityEvent> pinMismatchFindings(RecordingSink captured) {
        List<SecurityEvent> out = new ArrayList<>();
        for (SecurityEvent e : ofType(captured.since(0), SecurityEventType.ANOMALY)) {
            if ("pin-mismatch-burst".equals(e.details().get("detector"))) {
                out.add(e);
            }
        }
        return out;
    }

    private static Map<UUID, SecurityEvent> byId(List<SecurityEvent> events) {
        Map<UUID, SecurityEvent> m = new HashMap<>();
        for (SecurityEvent e : events) {
            m.putIfAbsent(e.id(), e);
        }
        return m;
    }

    /** The {@code id} SD-PARAMs of the complete lines rsyslogd has written so far. */
    private static Set<String> receivedIds(Rsyslog rsyslog) throws Exception {
        Set<String> ids = new java.util.HashSet<>();
        for (String line : rsyslog.lines()) {
            ids.add(SyslogMessage.parse(line).params().get("id"));
        }
        return ids;
    }

    /** An auth provider whose every acquire fails: the core reports AUTH_FAILURE. */
    static final class FailingAuthProvider implements AuthProvider {
        @Override
        public String id() {
            return "itest-failing";
        }

        @Override
        public CompletionStage<Credential> acquire(AuthContext context) {
            return CompletableFuture.failedFuture(new AuthenticationException(ReasonCode.INVALID_CREDENTIALS,
                    "the itest provider refuses every request"));
        }

        @Override
        public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
            return acquire(context);
        }
    }
}
