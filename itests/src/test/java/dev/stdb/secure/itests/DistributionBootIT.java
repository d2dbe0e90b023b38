package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.session.ClientSession;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Boots the Karaf distribution (distribution/, {@code stdb-secure-distribution} zip) as a child process, the way a user
 * does with {@code bin/stdb-secure server}: in its default mode, which starts the bundled protocol sandbox and runs the
 * demo job against it. Checks over Karaf's JMX MBeans that the boot features (stdb-secure-base and stdb-secure-demo
 * among them) are installed and the stdb bundles Active; that the demo printed the subscription's rows, the row its
 * reducer call inserted and later live changes (console and karaf.log); and that stopping Karaf stops the sandbox too.
 * SSH, JMX and the sandbox listen on free ports of 127.0.0.1 only, configured in the test's own unpacked copy (which
 * also enables the {@code karaf} user for JMX and SSH). Over SSH, as an operator would, it then installs
 * {@code stdb-secure-audit-file} from the distribution's system/ (with it comes {@code stdb-secure-shell}) on a file trail
 * configured in that copy, and checks that {@code sec:audit-verify} prints OK and {@code sec:audit-query} answers.
 */
public class DistributionBootIT {
    private static final Duration BOOT_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final String LOOPBACK = "127.0.0.1";

    /** The boot features of distribution/pom.xml (VERIFIED-DEPENDENCIES.md §3, eventadmin, ours and what it pulls in). */
    private static final List<String> EXPECTED_FEATURES = List.of("wrap", "shell", "feature", "jaas", "ssh", "management",
            "bundle", "config", "deployer", "diagnostic", "instance", "kar", "log", "package", "service", "system", "scr",
            "eventadmin", "stdb-secure-base", "stdb-secure-api", "stdb-secure-protocol", "stdb-secure-core",
            "stdb-secure-demo");
    private static final List<String> STDB_BUNDLES = List.of(Vectors.API_BSN, Vectors.PROTOCOL_BSN,
            "dev.stdb.secure.core", "dev.stdb.secure.demo");

    /** What the demo job prints (console and karaf.log), given the row this test adds before Karaf connects. */
    private static final String DEMO_SUBSCRIBED = "stdb-demo: subscribed to SELECT * FROM person: 1 row";
    private static final String DEMO_INITIAL_ROW = "  person {id=1, name=Grace Hopper, age=85}";
    private static final String DEMO_INSERTED = "+ person {id=2, name=Ada Lovelace, age=36}";
    private static final String DEMO_COMMITTED = "stdb-demo: add_person(Ada Lovelace,36) committed";
    private static final String DEMO_UPDATED = "~ person {id=1, name=Grace Hopper, age=85} -> {id=1, name=Grace Hopper, age=86}";
    private static final String DEMO_DELETED = "- person {id=2, name=Ada Lovelace, age=36}";

    /** The file trail this test configures (etc/dev.stdb.secure.audit.file-itest.cfg) and the console commands use. */
    private static final String TRAIL_PID = "dev.stdb.secure.audit.file~itest";
    static {
        // Apache SSHD registers Bouncy Castle JVM-wide on first use, and the next test classes share this JVM; the
        // JDK's providers are enough for Karaf's console (the bundles cope with a foreign BC anyway, see
        // ClientCertificateTest in tls).
        System.setProperty("org.apache.sshd.security.provider.BC.enabled", "false");
    }

    /** Karaf colours its error messages; the assertions read plain text. */
    private static final Pattern ANSI = Pattern.compile("\u001B\\[[;\\d]*m");

    /** FeaturesServiceImpl logs "Done." when the boot features have been installed and started. */
    private static final Pattern FEATURES_DONE = Pattern.compile("\\|\\s*FeaturesServiceImpl\\s*\\|.*\\|\\s*Done\\.");

    private Path home;
    private Process karaf;
    private Thread killOnExit;
    private int sshPort;
    private int rmiRegistryPort;
    private int rmiServerPort;
    private int sandboxPort;

    @Before
    public void unpackAndConfigure() throws IOException {
        Path zip = Paths.get(Vectors.required("stdb.distribution.zip"));
        Path work = Paths.get(Vectors.required("stdb.distribution.work"));
        assertTrue("distribution zip missing: " + zip, Files.isRegularFile(zip));
        deleteTree(work);
        home = unzip(zip, work);

        int[] ports = freeLoopbackPorts(4);
        sshPort = ports[0];
        rmiRegistryPort = ports[1];
        rmiServerPort = ports[2];
        sandboxPort = ports[3];
        Path etc = home.resolve("etc");
        java.util.Properties shipped = new java.util.Properties();
        try (java.io.Reader in = Files.newBufferedReader(etc.resolve("org.apache.karaf.shell.cfg"))) {
            shipped.load(in);
        }
        assertEquals("the shipped console listens on loopback only", LOOPBACK, shipped.getProperty("sshHost"));
        setProperties(etc.resolve("org.apache.karaf.shell.cfg"),
                Map.of("sshHost", LOOPBACK, "sshPort", Integer.toString(sshPort)));
        setProperties(etc.resolve("org.apache.karaf.management.cfg"),
                Map.of("rmiRegistryHost", LOOPBACK, "rmiRegistryPort", Integer.toString(rmiRegistryPort),
                        "rmiServerHost", LOOPBACK, "rmiServerPort", Integer.toString(rmiServerPort)));
        // Karaf 4.4 ships the karaf user commented out; enable it (admin roles, for JMX) in this copy only.
        Files.writeString(etc.resolve("users.properties"),
                "\nkaraf = karaf,_g_:admingroup\n_g_\\:admingroup = group,admin,manager,viewer,systembundles,ssh\n",
                StandardCharsets.ISO_8859_1, StandardOpenOption.APPEND);

        // A file trail for the console commands, signed by an EC key in a PKCS#12 file made here with keytool. The
        // password comes from the environment variable failsafe sets (keytool and Karaf both read it from there).
        String keytool = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "audit", "-keyalg", "EC", "-groupname",
                "secp256r1", "-dname", "CN=stdb distribution itest", "-validity", "30", "-storetype", "PKCS12",
                "-keystore", etc.resolve("audit-signing.p12").toString(), "-storepass:env",
                AuditTrailIT.P12_PASSWORD_ENV).redirectErrorStream(true).start();
        String keytoolOut = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue("keytool: " + keytoolOut, p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        Files.writeString(etc.resolve("dev.stdb.secure.audit.file-itest.cfg"), "directory = "
                + trailDirectory() + "\nkeystore.path = " + etc.resolve("audit-signing.p12")
                + "\nkeystore.password.env = " + AuditTrailIT.P12_PASSWORD_ENV + "\nkeystore.alias = audit\n",
                StandardCharsets.ISO_8859_1);
    }

    private Path trailDirectory() {
        return home.resolve("data/stdb/audit");
    }

    @Test
    public void bootsWithStdbSecureBaseAndRunsTheDemoAgainstTheSandbox() throws Exception {
        Path launcher = home.resolve("bin/stdb-secure");
        assertTrue("bin/stdb-secure missing", Files.isRegularFile(launcher));
        assertTrue("lib/sandbox/sandbox.jar missing", Files.isRegularFile(home.resolve("lib/sandbox/sandbox.jar")));
        String branding = Files.readString(home.resolve("etc/branding.properties"), StandardCharsets.ISO_8859_1);
        assertTrue(branding, branding.contains("SpacetimeDB Secure Client for OSGi"));
        assertTrue(branding, branding.contains("Running: the demo job"));
        assertTrue(branding, branding.contains("data/log/karaf.log"));
        assertTrue(branding, !branding.contains("Not installed yet: the core connection"));

        long started = System.nanoTime();
        long deadline = started + BOOT_TIMEOUT.toNanos();
        start(launcher);

        // The launcher prints the sandbox's banner once it answers /v1/ping, then starts Karaf, which needs seconds
        // before the demo subscribes: a row added now is one the subscription finds.
        awaitConsole(deadline, "Connection 'demo': ws://127.0.0.1:" + sandboxPort
                + ", database quickstart (etc/dev.stdb.secure.connection-demo.cfg).");
        callSandboxReducer("add_person", "[\"Grace Hopper\", 85]");
        System.out.printf("DistributionBootIT: sandbox up and a row added after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        String cfg = Files.readString(home.resolve("etc/dev.stdb.secure.connection-demo.cfg"), StandardCharsets.ISO_8859_1);
        assertTrue(cfg, cfg.contains("name = demo\n") && cfg.contains("uri = ws://127.0.0.1:" + sandboxPort + "\n")
                && cfg.contains("database = quickstart\n"));

        awaitFeaturesDone(deadline);

        // The JMX connector may come up a moment after the features; poll until the stdb bundles are Active.
        Map<String, String> bundles = Map.of();
        Map<String, Boolean> features = Map.of();
        Exception lastError = null;
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://" + LOOPBACK + ":" + rmiServerPort + "/jndi/rmi://"
                + LOOPBACK + ":" + rmiRegistryPort + "/karaf-root");
        while (true) {
            assertAlive();
            try (JMXConnector connector = JMXConnectorFactory.connect(url,
                    Map.of(JMXConnector.CREDENTIALS, new String[] {"karaf", "karaf"}))) {
                MBeanServerConnection server = connector.getMBeanServerConnection();
                bundles = bundleStates(server);
                features = installedFeatures(server);
                lastError = null;
                if (ready(bundles, features)) {
                    break;
                }
            } catch (IOException | RuntimeException e) {
                lastError = e;
            }
            if (System.nanoTime() > deadline) {
                fail("stdb bundles not Active over JMX (" + url + ") within " + BOOT_TIMEOUT.toSeconds() + " s; bundles "
                        + bundles + ", last error " + lastError + "\n" + diagnostics());
            }
            Thread.sleep(250);
        }
        System.out.printf("DistributionBootIT: Karaf up and stdb bundles Active after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));

        // The demo job: the subscription's row, then the row its add_person call inserted, then the commit.
        String console = awaitConsole(deadline, DEMO_SUBSCRIBED, DEMO_INITIAL_ROW, DEMO_INSERTED, DEMO_COMMITTED);
        assertTrue("demo lines out of order:\n" + console, console.indexOf(DEMO_SUBSCRIBED) < console.indexOf(DEMO_INITIAL_ROW)
                && console.indexOf(DEMO_INITIAL_ROW) < console.indexOf(DEMO_INSERTED)
                && console.indexOf(DEMO_INSERTED) < console.indexOf(DEMO_COMMITTED));
        // Live changes made by another client.
        callSandboxReducer("update_person", "[1, \"Grace Hopper\", 86]");
        callSandboxReducer("delete_person", "[2]");
        awaitConsole(deadline, DEMO_UPDATED, DEMO_DELETED);
        System.out.printf("DistributionBootIT: demo output complete after %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        // The log is written asynchronously: its lines may trail the console's by a moment.
        List<String> expected = List.of(DEMO_SUBSCRIBED, DEMO_INITIAL_ROW, DEMO_INSERTED, DEMO_COMMITTED, DEMO_UPDATED,
                DEMO_DELETED);
        long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        String demoLog = Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
        while (!expected.stream().allMatch(demoLog::contains) && System.nanoTime() < logDeadline) {
            Thread.sleep(200);
            demoLog = Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
        }
        for (String line : expected) {
            assertTrue("karaf.log lacks the demo's line '" + line + "'\n" + diagnostics(), demoLog.contains(line));
        }

        for (String bsn : STDB_BUNDLES) {
            assertEquals(bsn + " state", "Active", bundles.get(bsn));
        }
        for (String feature : EXPECTED_FEATURES) {
            assertEquals("feature " + feature + " installed; features " + features, Boolean.TRUE, features.get(feature));
        }
        List<String> notStarted = bundles.entrySet().stream()
                .filter(e -> !e.getValue().equals("Active") && !e.getValue().equals("Resolved"))
                .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.toList());
        assertEquals("bundles neither Active nor Resolved (fragments)", List.of(), notStarted);

        // SSH answers on the configured loopback port, and nothing listens beyond loopback.
        try (Socket ssh = new Socket()) {
            ssh.connect(new InetSocketAddress(LOOPBACK, sshPort), 5_000);
            ssh.setSoTimeout(5_000);
            String banner = new BufferedReader(new InputStreamReader(ssh.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
            assertTrue("SSH banner: " + banner, banner != null && banner.startsWith("SSH-2.0-"));
        }
        assertEquals("TCP listeners of Karaf outside loopback", List.of(), nonLoopbackListeners());

        checkAuditCommands();

        String log = Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
        assertTrue("karaf.log has errors:\n" + tail(home.resolve("data/log/karaf.log"), 60),
                !log.contains("| ERROR |") && !log.contains("NoClassDefFoundError"));

        stopKarafAndCheckTheSandboxStops();
        log = Files.readString(home.resolve("data/log/karaf.log"), StandardCharsets.UTF_8);
        assertTrue("karaf.log has errors after the shutdown:\n" + tail(home.resolve("data/log/karaf.log"), 60),
                !log.contains("| ERROR |") && !log.contains("NoClassDefFoundError"));
    }

    /**
     * Stops Karaf as an operator would (SIGTERM to its JVM, the launcher left alone) and checks that the launcher then
     * stops the sandbox it started and exits: no process of the distribution is left.
     */
    private void stopKarafAndCheckTheSandboxStops() throws Exception {
        List<ProcessHandle> tree = processTree();
        ProcessHandle sandbox = findProcess(tree, "lib/sandbox/sandbox.jar")
                .orElseThrow(() -> new AssertionError("no sandbox among the launcher's processes: " + describe(tree)));
        // By karaf.home, near the start of its command line: the JDK reads at most 4096 bytes of /proc/<pid>/cmdline,
        // and with a long enough unpack path (4109 bytes in the audit-shell worktree) the main class at the end is cut.
        ProcessHandle java = findProcess(tree, "-Dkaraf.home=" + home)
                .orElseThrow(() -> new AssertionError("no Karaf JVM among the launcher's processes: " + describe(tree)));
        assertTrue("sandbox not running before Karaf stops", sandbox.isAlive());

        long stopping = System.nanoTime();
        java.destroy();
        assertTrue("bin/stdb-secure did not exit within 30 s of Karaf's SIGTERM; processes " + describe(tree) + "\n"
                + diagnostics(), karaf.waitFor(30, TimeUnit.SECONDS));
        System.out.printf("DistributionBootIT: launcher exited (%d) %d ms after Karaf's SIGTERM%n", karaf.exitValue(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping));
        assertTrue("the sandbox outlived Karaf: " + describe(List.of(sandbox)), !sandbox.isAlive());
        List<ProcessHandle> alive = tree.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
        assertEquals("processes of the distribution left after Karaf stopped", List.of(), describe(alive));
        // Also by command line, anywhere on the machine (what pgrep -f would find): nothing runs from this copy.
        String path = home.toString();
        List<ProcessHandle> strays = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().map(c -> c.contains(path)).orElse(false))
                .collect(Collectors.toList());
        assertEquals("processes still running from " + path, List.of(), describe(strays));
    }

    private static Optional<ProcessHandle> findProcess(List<ProcessHandle> processes, String commandLinePart) {
        return processes.stream()
                .filter(h -> h.info().commandLine().map(c -> c.contains(commandLinePart)).orElse(false))
                .findFirst();
    }

    private static List<String> describe(List<ProcessHandle> processes) {
        return processes.stream()
                .map(h -> h.pid() + " " + h.info().commandLine().map(c -> c.length() > 160 ? c.substring(0, 160) + "..." : c)
                        .orElse("?"))
                .collect(Collectors.toList());
    }

    /**
     * Installs stdb-secure-audit-file over SSH (offline, from system/), waits for the configured trail's service, then
     * runs the commands of stdb-secure-shell, which came with it, and checks their output and exit status.
     */
    private void checkAuditCommands() throws Exception {
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(60);
        Console install = console("feature:install stdb-secure-audit-file");
        assertEquals("feature:install stdb-secure-audit-file: " + install + "\n" + diagnostics(), 0, install.exit);
        // Configuration Admin hands the trail its configuration asynchronously: wait for the service.
        Console services = console("service:list dev.stdb.secure.api.audit.AuditTrail");
        while (!services.out.contains("service.pid = " + TRAIL_PID)) {
            assertTrue("no AuditTrail service " + TRAIL_PID + " within 60 s: " + services + "\n" + diagnostics(),
                    System.nanoTime() < deadline);
            Thread.sleep(250);
            services = console("service:list dev.stdb.secure.api.audit.AuditTrail");
        }
        String label = "in the audit trail service\\.id \\d+, service\\.pid " + Pattern.quote(TRAIL_PID)
                + ", directory " + Pattern.quote(trailDirectory().toString());

        Console verify = console("sec:audit-verify");
        assertEquals("sec:audit-verify: " + verify + "\n" + diagnostics(), 0, verify.exit);
        assertTrue("sec:audit-verify: " + verify, Pattern.compile("OK: \\d+ records intact \\(events and checkpoints,"
                + " the start to now\\) " + label).matcher(verify.out.strip()).matches());

        Console query = console("sec:audit-query --limit 5");
        assertEquals("sec:audit-query: " + query, 0, query.exit);
        List<String> lines = query.out.strip().lines().collect(Collectors.toList());
        assertTrue("sec:audit-query: " + query, Pattern.compile("\\d+ events? (\\(the --limit of 5; more may match\\) )?"
                + label).matcher(lines.get(lines.size() - 1)).matches());
        System.out.printf("DistributionBootIT: audit-file installed and sec:audit-verify OK in %d ms (%s)%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), verify.out.strip());
    }

    /** What a console command printed and its exit status (non-zero when it threw). */
    private static final class Console {
        final int exit;
        final String out;

        Console(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }

        @Override
        public String toString() {
            return "exit " + exit + ", output:\n" + out;
        }
    }

    /** Runs one command in Karaf's console over SSH (an exec channel, as {@code ssh karaf@host command} does). */
    private Console console(String command) throws IOException {
        try (SshClient client = SshClient.setUpDefaultClient()) {
            // The server is this test's own Karaf on loopback, its host key made at its first start.
            client.setServerKeyVerifier((session, address, key) -> true);
            client.start();
            try (ClientSession session = client.connect("karaf", LOOPBACK, sshPort).verify(10_000).getSession()) {
                session.addPasswordIdentity("karaf");
                session.auth().verify(10_000);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (ChannelExec channel = session.createExecChannel(command)) {
                    channel.setOut(out);
                    channel.setErr(out);
                    channel.open().verify(10_000);
                    Set<ClientChannelEvent> events = channel.waitFor(EnumSet.of(ClientChannelEvent.CLOSED),
                            TimeUnit.SECONDS.toMillis(60));
                    assertTrue(command + " did not finish within 60 s: " + out, events.contains(ClientChannelEvent.CLOSED));
                    Integer exit = channel.getExitStatus();
                    return new Console(exit == null ? -1 : exit,
                            ANSI.matcher(out.toString(StandardCharsets.UTF_8)).replaceAll(""));
                }
            }
        }
    }

    /** Waits until the launcher's console output holds every line (as whole lines); returns the output. */
    private String awaitConsole(long deadline, String... lines) throws IOException, InterruptedException {
        Path out = home.resolve("console.out");
        while (true) {
            String console = Files.isRegularFile(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
            List<String> have = console.lines().collect(Collectors.toList());
            List<String> missing = Stream.of(lines).filter(l -> !have.contains(l)).collect(Collectors.toList());
            if (missing.isEmpty()) {
                return console;
            }
            assertAlive();
            if (System.nanoTime() > deadline) {
                fail("console output lacks " + missing + " after " + BOOT_TIMEOUT.toSeconds() + " s\n" + diagnostics());
            }
            Thread.sleep(100);
        }
    }

    /** Calls a reducer of the sandbox's module over its HTTP API, as another client would. */
    private void callSandboxReducer(String reducer, String jsonArgs) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + LOOPBACK + ":" + sandboxPort + "/v1/database/quickstart/call/" + reducer))
                        .timeout(Duration.ofSeconds(10))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(jsonArgs)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(reducer + " " + jsonArgs + ": " + response.body(), 200, response.statusCode());
    }

    @After
    public void stop() throws Exception {
        if (karaf == null) {
            return;
        }
        try {
            List<ProcessHandle> tree = processTree();
            // bin/karaf is a shell script that forks java: stop java first (Karaf's shutdown hook), then the script.
            tree.stream().filter(h -> h.pid() != karaf.pid()).forEach(ProcessHandle::destroy);
            karaf.destroy();
            long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
            for (ProcessHandle h : tree) {
                long left = deadline - System.nanoTime();
                try {
                    h.onExit().get(Math.max(left, 1), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    // forced below
                }
            }
            List<ProcessHandle> survivors = tree.stream().filter(ProcessHandle::isAlive).collect(Collectors.toList());
            if (!survivors.isEmpty()) {
                System.err.println("DistributionBootIT: forcing " + survivors.stream().map(ProcessHandle::pid)
                        .collect(Collectors.toList()) + " after " + STOP_TIMEOUT.toSeconds() + " s");
                survivors.forEach(ProcessHandle::destroyForcibly);
                for (ProcessHandle h : survivors) {
                    h.onExit().get(10, TimeUnit.SECONDS);
                }
            }
            karaf.waitFor(10, TimeUnit.SECONDS);
            assertTrue("Karaf processes still alive: " + survivors, survivors.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            if (killOnExit != null) {
                Runtime.getRuntime().removeShutdownHook(killOnExit);
            }
            karaf = null;
        }
    }

    private void start(Path launcher) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(launcher.toString(), "server", "--sandbox-port",
                Integer.toString(sandboxPort))
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(home.resolve("console.out").toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(k -> k.startsWith("KARAF_") || k.equals("JAVA_OPTS") || k.equals("EXTRA_JAVA_OPTS")
                || k.equals("JAVA_DEBUG_OPTS"));
        env.put("JAVA_HOME", System.getProperty("java.home"));
        karaf = builder.start();
        karaf.getOutputStream().close();
        // Should the test JVM die before @After runs, do not leave Karaf behind.
        Process process = karaf;
        killOnExit = new Thread(() -> {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }, "kill-karaf");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    private void awaitFeaturesDone(long deadline) throws IOException, InterruptedException {
        Path log = home.resolve("data/log/karaf.log");
        while (true) {
            assertAlive();
            if (Files.isRegularFile(log)
                    && FEATURES_DONE.matcher(Files.readString(log, StandardCharsets.UTF_8)).find()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail("Karaf did not install its boot features within " + BOOT_TIMEOUT.toSeconds() + " s\n"
                        + diagnostics());
            }
            Thread.sleep(250);
        }
    }

    private void assertAlive() {
        if (!karaf.isAlive()) {
            fail("Karaf exited with " + karaf.exitValue() + "\n" + diagnostics());
        }
    }

    private static boolean ready(Map<String, String> bundles, Map<String, Boolean> features) {
        return STDB_BUNDLES.stream().allMatch(b -> "Active".equals(bundles.get(b)))
                && Boolean.TRUE.equals(features.get("stdb-secure-base"));
    }

    private static Map<String, String> bundleStates(MBeanServerConnection server) throws Exception {
        TabularData table = (TabularData) server.getAttribute(
                new ObjectName("org.apache.karaf:type=bundle,name=root"), "Bundles");
        Map<String, String> states = new TreeMap<>();
        for (Object row : table.values()) {
            CompositeData bundle = (CompositeData) row;
            states.put((String) bundle.get("Symbolic Name"), (String) bundle.get("State"));
        }
        return states;
    }

    private static Map<String, Boolean> installedFeatures(MBeanServerConnection server) throws Exception {
        TabularData table = (TabularData) server.getAttribute(
                new ObjectName("org.apache.karaf:type=feature,name=root"), "Features");
        Map<String, Boolean> installed = new TreeMap<>();
        for (Object row : table.values()) {
            CompositeData feature = (CompositeData) row;
            installed.merge((String) feature.get("Name"), (Boolean) feature.get("Installed"), Boolean::logicalOr);
        }
        return installed;
    }

    private List<ProcessHandle> processTree() {
        List<ProcessHandle> tree = new ArrayList<>();
        karaf.descendants().forEach(tree::add);
        tree.add(karaf.toHandle());
        return tree;
    }

    /** Listening TCP sockets of the Karaf process tree that are not bound to loopback (Linux /proc; else none). */
    private List<String> nonLoopbackListeners() throws IOException {
        List<String> found = new ArrayList<>();
        for (ProcessHandle h : processTree()) {
            Path fds = Paths.get("/proc", Long.toString(h.pid()), "fd");
            if (!Files.isDirectory(fds)) {
                continue;
            }
            Set<String> inodes = new HashSet<>();
            try (Stream<Path> list = Files.list(fds)) {
                for (Path fd : (Iterable<Path>) list::iterator) {
                    try {
                        Matcher m = Pattern.compile("socket:\\[(\\d+)]")
                                .matcher(Files.readSymbolicLink(fd).toString());
                        if (m.matches()) {
                            inodes.add(m.group(1));
                        }
                    } catch (IOException closedMeanwhile) {
                        // ignore
                    }
                }
            }
            for (String table : List.of("tcp", "tcp6")) {
                Path file = Paths.get("/proc", Long.toString(h.pid()), "net", table);
                if (!Files.isRegularFile(file)) {
                    continue;
                }
                List<String> lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    if (f.length > 9 && f[3].equals("0A") && inodes.contains(f[9])) {
                        String[] local = f[1].split(":");
                        InetAddress address = InetAddress.getByAddress(procAddress(local[0]));
                        if (!address.isLoopbackAddress()) {
                            found.add(address.getHostAddress() + ":" + Integer.parseInt(local[1], 16));
                        }
                    }
                }
            }
        }
        return found;
    }

    /** /proc/net/tcp{,6} print addresses as 32-bit words in host byte order. */
    private static byte[] procAddress(String hex) {
        byte[] bytes = new byte[hex.length() / 2];
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        for (int word = 0; word < bytes.length / 4; word++) {
            for (int i = 0; i < 4; i++) {
                int source = word * 4 + (little ? 3 - i : i);
                bytes[word * 4 + i] = (byte) Integer.parseInt(hex.substring(source * 2, source * 2 + 2), 16);
            }
        }
        return bytes;
    }

    private String diagnostics() {
        return "--- tail of data/log/karaf.log ---\n" + tail(home.resolve("data/log/karaf.log"), 80)
                + "\n--- tail of data/log/sandbox.log ---\n" + tail(home.resolve("data/log/sandbox.log"), 20)
                + "\n--- tail of console output ---\n" + tail(home.resolve("console.out"), 40);
    }

    private static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e + ")";
        }
    }

    /** Unpacks the zip (one top-level directory, the assembly) into work; returns that directory. */
    private static Path unzip(Path zip, Path work) throws IOException {
        Path root = null;
        try (ZipFile file = new ZipFile(zip.toFile())) {
            for (Enumeration<? extends ZipEntry> entries = file.entries(); entries.hasMoreElements();) {
                ZipEntry entry = entries.nextElement();
                Path target = work.resolve(entry.getName()).normalize();
                if (!target.startsWith(work)) {
                    throw new IOException("zip entry outside the target: " + entry.getName());
                }
                if (root == null) {
                    root = work.resolve(work.relativize(target).getName(0));
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    try (InputStream in = file.getInputStream(entry)) {
                        Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
        }
        assertTrue("no bin/karaf in " + zip, root != null && Files.isRegularFile(root.resolve("bin/karaf")));
        // java.util.zip drops the Unix modes: make the shell scripts executable again.
        try (Stream<Path> bin = Files.walk(root.resolve("bin"))) {
            for (Path script : (Iterable<Path>) bin::iterator) {
                if (Files.isRegularFile(script) && !script.toString().endsWith(".bat")) {
                    Set<PosixFilePermission> perms = new HashSet<>(Files.getPosixFilePermissions(script));
                    perms.addAll(Set.of(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.GROUP_EXECUTE,
                            PosixFilePermission.OTHERS_EXECUTE));
                    Files.setPosixFilePermissions(script, perms);
                }
            }
        }
        return root;
    }

    /** Sets existing {@code key = value} lines of a Karaf .cfg file; fails if a key is not there. */
    private static void setProperties(Path cfg, Map<String, String> values) throws IOException {
        List<String> lines = Files.readAllLines(cfg, StandardCharsets.ISO_8859_1);
        for (Map.Entry<String, String> value : values.entrySet()) {
            Pattern key = Pattern.compile("^\\s*" + Pattern.quote(value.getKey()) + "\\s*=.*$");
            boolean set = false;
            for (int i = 0; i < lines.size(); i++) {
                if (key.matcher(lines.get(i)).matches()) {
                    lines.set(i, value.getKey() + " = " + value.getValue());
                    set = true;
                }
            }
            assertTrue(value.getKey() + " not found in " + cfg, set);
        }
        Files.write(cfg, lines, StandardCharsets.ISO_8859_1);
    }

    /** Distinct free TCP ports on loopback (all held open together, so they differ). */
    private static int[] freeLoopbackPorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK));
                sockets.add(socket);
                ports[i] = socket.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket socket : sockets) {
                socket.close();
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
