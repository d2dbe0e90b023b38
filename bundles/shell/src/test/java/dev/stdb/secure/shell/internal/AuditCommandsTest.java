package dev.stdb.secure.shell.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.AuditTrail;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.audit.file.FileAuditTrail;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.apache.felix.framework.FrameworkFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.launch.Framework;

/**
 * The command actions as Karaf runs them, minus the console: a real OSGi framework (Felix) holds real file trails
 * registered as {@link AuditTrail} services (as the audit-file component registers them), the action gets the
 * framework's bundle context (what Karaf injects for {@code @Reference BundleContext}) and prints to a buffer.
 */
class AuditCommandsTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @TempDir
    Path tmp;

    private Framework framework;
    private BundleContext context;
    private final List<FileAuditTrail> trails = new ArrayList<>();
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    @BeforeEach
    void startFramework() throws Exception {
        framework = new FrameworkFactory().newFramework(Map.of(Constants.FRAMEWORK_STORAGE,
                tmp.resolve("framework").toString(), Constants.FRAMEWORK_STORAGE_CLEAN,
                Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        framework.start();
        context = framework.getBundleContext();
    }

    @AfterEach
    void stop() throws Exception {
        for (FileAuditTrail t : trails) {
            t.close();
        }
        framework.stop();
        framework.waitForStop(10_000);
    }

    /** Ten events (times T0 + i s) with a checkpoint after every four: twelve records in one segment. */
    private FileAuditTrail trail(String name) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        Path dir = tmp.resolve(name);
        FileAuditTrail t = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(4).checkpointTimer(false).clock(Clock.fixed(T0, ZoneOffset.UTC)).open();
        trails.add(t);
        for (int i = 0; i < 10; i++) {
            t.publish(SecurityEvent.of(i % 2 == 0 ? SecurityEventType.AUTH_SUCCESS : SecurityEventType.CONNECTED,
                    Outcome.SUCCESS).time(T0.plusSeconds(i)).principal(i % 3 == 0 ? "alice" : "bob")
                    .connection("conn-" + (i % 2)).source("test").detail("n", Integer.toString(i)).build());
        }
        return t;
    }

    private ServiceRegistration<AuditTrail> register(FileAuditTrail t, String pid) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(Constants.SERVICE_PID, pid);
        props.put("directory", t.directory().toString());
        return context.registerService(AuditTrail.class, t, props);
    }

    private <C extends TrailCommand> C command(C c) {
        c.context = context;
        c.out = new PrintStream(buffer, true, StandardCharsets.UTF_8);
        return c;
    }

    private String output() {
        return buffer.toString(StandardCharsets.UTF_8);
    }

    private static long id(ServiceRegistration<?> reg) {
        return (Long) reg.getReference().getProperty(Constants.SERVICE_ID);
    }

    @Test
    void verifyPrintsOkWithTheRecordCountAndReleasesTheService() throws Exception {
        FileAuditTrail t = trail("a");
        ServiceRegistration<AuditTrail> reg = register(t, "dev.stdb.secure.audit.file~a");

        assertNull(command(new AuditVerifyCommand()).execute());

        assertEquals("OK: 12 records intact (events and checkpoints, the start to now) in the audit trail service.id "
                + id(reg) + ", service.pid dev.stdb.secure.audit.file~a, directory " + t.directory() + "\n", output());
        assertNull(reg.getReference().getUsingBundles(), "the command ungets the trail");
    }

    @Test
    void verifyCountsOnlyTheRecordsInTheRange() throws Exception {
        register(trail("a"), "a");
        AuditVerifyCommand c = command(new AuditVerifyCommand());
        c.from = "2026-01-01T00:00:05Z";
        c.to = "2026-01-01T00:00:08Z";

        c.execute();

        assertTrue(output().startsWith("OK: 3 records intact (events and checkpoints, 2026-01-01T00:00:05Z to"
                + " 2026-01-01T00:00:08Z)"), output());
    }

    @Test
    void verifyNamesTheFirstProblemAndFails() throws Exception {
        FileAuditTrail t = trail("a");
        register(t, "a");
        Path segment = t.segments().get(0);
        List<String> lines = Files.readAllLines(segment, StandardCharsets.UTF_8);
        assertTrue(lines.get(2).contains("\"n\":\"2\""), lines.get(2));
        lines.set(2, lines.get(2).replace("\"n\":\"2\"", "\"n\":\"7\""));
        Files.writeString(segment, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);

        AuditException e = assertThrows(AuditException.class, () -> command(new AuditVerifyCommand()).execute());

        assertEquals(ReasonCode.AUDIT_CHAIN_BROKEN, e.reason());
        assertTrue(e.getMessage().contains("seq 3"), e.getMessage());
        String expected = "FAILED: MODIFIED at segment " + segment.getFileName() + " line 3 (seq 3): ";
        assertTrue(output().startsWith(expected), output());
        assertTrue(output().contains("[first bad record: seq 3; "), output());
    }

    @Test
    void verifyRejectsAMalformedInstantBeforeTouchingTheTrail() throws Exception {
        register(trail("a"), "a");
        AuditVerifyCommand c = command(new AuditVerifyCommand());
        c.from = "yesterday";

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::execute);

        assertTrue(e.getMessage().startsWith("--from: 'yesterday' is not an ISO-8601 instant"), e.getMessage());
        assertEquals("", output());
    }

    @Test
    void withoutAnyTrailTheCommandSaysWhatToInstall() {
        AuditException e = assertThrows(AuditException.class, () -> command(new AuditVerifyCommand()).execute());

        assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("stdb-secure-audit-file"), e.getMessage());
    }

    @Test
    void severalTrailsNeedASelectorAndEachKindOfSelectorPicksOne() throws Exception {
        FileAuditTrail a = trail("a");
        FileAuditTrail b = trail("b");
        ServiceRegistration<AuditTrail> ra = register(a, "pid-a");
        ServiceRegistration<AuditTrail> rb = register(b, "pid-b");
        // Tamper with b only, so that which trail was verified shows in the outcome.
        Files.writeString(b.segments().get(0), "", StandardCharsets.UTF_8);

        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> command(new AuditVerifyCommand()).execute());
        assertTrue(none.getMessage().startsWith("2 AuditTrail services are registered; choose one with --trail"),
                none.getMessage());
        assertTrue(none.getMessage().contains("\n  service.id " + id(ra) + ", service.pid pid-a, directory "
                + a.directory()), none.getMessage());
        assertTrue(none.getMessage().contains("\n  service.id " + id(rb) + ", service.pid pid-b, directory "
                + b.directory()), none.getMessage());

        for (String selector : List.of(Long.toString(id(ra)), a.directory().toString(), "(service.pid=pid-a)")) {
            buffer.reset();
            AuditVerifyCommand c = command(new AuditVerifyCommand());
            c.trail = selector;
            c.execute();
            assertTrue(output().startsWith("OK: 12 records") && output().contains("service.pid pid-a"),
                    selector + ": " + output());
        }
        AuditVerifyCommand onB = command(new AuditVerifyCommand());
        onB.trail = Long.toString(id(rb));
        assertThrows(AuditException.class, onB::execute);

        AuditVerifyCommand unknown = command(new AuditVerifyCommand());
        unknown.trail = "999999";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, unknown::execute);
        assertTrue(e.getMessage().startsWith("--trail 999999 matches none of the AuditTrail services:"),
                e.getMessage());

        AuditVerifyCommand both = command(new AuditVerifyCommand());
        both.trail = "(service.pid=pid-*)";
        e = assertThrows(IllegalArgumentException.class, both::execute);
        assertTrue(e.getMessage().startsWith("--trail (service.pid=pid-*) matches 2 AuditTrail services"),
                e.getMessage());

        AuditVerifyCommand broken = command(new AuditVerifyCommand());
        broken.trail = "(service.pid=";
        e = assertThrows(IllegalArgumentException.class, broken::execute);
        assertTrue(e.getMessage().startsWith("--trail: not a valid LDAP filter"), e.getMessage());
    }

    @Test
    void queryPrintsTheMatchingEventsOldestFirst() throws Exception {
        ServiceRegistration<AuditTrail> reg = register(trail("a"), "a");
        AuditQueryCommand c = command(new AuditQueryCommand());
        c.types = List.of("auth_success");
        c.principal = "alice";

        c.execute();

        assertEquals("2026-01-01T00:00:00Z AUTH_SUCCESS SUCCESS principal=alice connection=conn-0 source=test n=0\n"
                + "2026-01-01T00:00:06Z AUTH_SUCCESS SUCCESS principal=alice connection=conn-0 source=test n=6\n"
                + "2 events in the audit trail service.id " + id(reg) + ", service.pid a, directory "
                + tmp.resolve("a") + "\n", output());
    }

    @Test
    void querySaysWhenTheLimitCutTheList() throws Exception {
        register(trail("a"), "a");
        AuditQueryCommand c = command(new AuditQueryCommand());
        c.connection = "conn-1";
        c.from = "2026-01-01T00:00:02Z";
        c.limit = 2;

        c.execute();

        String[] lines = output().split("\n");
        assertEquals(3, lines.length, output());
        assertTrue(lines[0].startsWith("2026-01-01T00:00:03Z CONNECTED SUCCESS principal=alice connection=conn-1"),
                output());
        assertTrue(lines[1].startsWith("2026-01-01T00:00:05Z CONNECTED"), output());
        assertTrue(lines[2].startsWith("2 events (the --limit of 2; more may match)"), output());
    }

    @Test
    void queryRejectsAnUnknownType() throws Exception {
        register(trail("a"), "a");
        AuditQueryCommand c = command(new AuditQueryCommand());
        c.types = List.of("LOGIN");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, c::execute);

        assertTrue(e.getMessage().startsWith("--type: unknown event type 'LOGIN'; one of [AUTH_SUCCESS"),
                e.getMessage());
    }

    @Test
    void queryEscapesControlCharactersAndShowsOnlyASecretsFingerprint() throws Exception {
        FileAuditTrail t = trail("a");
        register(t, "a");
        Secret secret = Secret.ofString("s3cret-token-value");
        t.publish(SecurityEvent.of(SecurityEventType.TOKEN_ISSUED, Outcome.SUCCESS).time(T0.plusSeconds(20))
                .principal("eve\u001b[2J\nforged line").source("test").detail("token", secret).build());
        AuditQueryCommand c = command(new AuditQueryCommand());
        c.types = List.of("TOKEN_ISSUED");

        c.execute();

        String[] lines = output().split("\n");
        assertEquals(2, lines.length, output());
        assertEquals("2026-01-01T00:00:20Z TOKEN_ISSUED SUCCESS principal=eve\\u001b[2J\\u000aforged line"
                + " source=test token=" + secret.fingerprint(), lines[0]);
        assertFalse(output().contains("s3cret"), output());
        assertFalse(output().contains("\u001b"), output());
    }
}
