package dev.stdb.secure.testing.keyring;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private D-Bus session bus with an unlocked gnome-keyring on it, under {@code target/}: its own dbus-daemon (a
 * config with no service activation, so nothing else starts on it), and gnome-keyring-daemon with HOME, XDG_DATA_HOME,
 * XDG_RUNTIME_DIR and XDG_CONFIG_HOME under {@code target/keyring}, so no real keyring is touched. The login keyring
 * is created with a password (a keyring with an empty password is stored in plaintext).
 *
 * <p>Started once per test JVM by the extension (or the first {@link #get()}) and stopped when the run ends. The bus
 * listens at {@code <keyring.test.dir>/dbus/bus} (system property {@code keyring.test.dir}, default {@code target}),
 * which must be the test JVM's {@code DBUS_SESSION_BUS_ADDRESS} (surefire or failsafe sets it: see
 * bundles/store-keyring/pom.xml, itests/pom.xml), so a store finds it as an application in a desktop session would. Missing tools fail the tests with the command that installs them; nothing is skipped.
 */
public final class PrivateKeyring implements BeforeAllCallback {

    /** The login keyring's password (test only). */
    public static final String PASSWORD = "keyring-test-password-7f3a";
    private static final Duration READY = Duration.ofSeconds(60);
    private static final String INSTALL = "install them with: apt-get install gnome-keyring dbus libsecret-tools";

    private static PrivateKeyring instance;

    private final Path dir;
    private final Path busSocket;
    private final String address;
    private final Map<String, String> env = new HashMap<>();
    private final List<Process> bareBuses = new ArrayList<>();
    private Process bus;
    private Process keyring;

    /** The JUnit extension: starts the shared keyring before the first test class that uses it. */
    public PrivateKeyring() {
        this.dir = null;
        this.busSocket = null;
        this.address = null;
    }

    private PrivateKeyring(Path target) {
        this.dir = target.resolve("keyring").toAbsolutePath();
        this.busSocket = target.resolve("dbus").resolve("bus").toAbsolutePath();
        this.address = "unix:path=" + busSocket;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        PrivateKeyring k = get();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .getOrComputeIfAbsent(PrivateKeyring.class, c -> new Stopper(k));
    }

    /** Stops the shared keyring when the JUnit run ends. */
    private record Stopper(PrivateKeyring keyring) implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            keyring.stop();
        }
    }

    /** The shared keyring, started on first use. */
    public static synchronized PrivateKeyring get() {
        if (instance == null) {
            PrivateKeyring k = new PrivateKeyring(Path.of(System.getProperty("keyring.test.dir", "target")));
            k.start();
            instance = k;
        }
        return instance;
    }

    /** The session bus address (equal to the JVM's DBUS_SESSION_BUS_ADDRESS). */
    public String address() {
        return address;
    }

    /** Where gnome-keyring keeps its files ({@code $XDG_DATA_HOME/keyrings}). */
    public Path keyringFiles() {
        return dir.resolve("data").resolve("keyrings");
    }

    /** The private directory of the whole setup (keyring files, daemon logs). */
    public Path dir() {
        return dir;
    }

    private void start() {
        for (String tool : List.of("dbus-daemon", "gnome-keyring-daemon", "secret-tool", "dbus-send")) {
            if (!onPath(tool)) {
                fail("'" + tool + "' is not on the PATH: the keyring tests need a real D-Bus session and gnome-keyring; "
                        + INSTALL);
            }
        }
        String inherited = System.getenv("DBUS_SESSION_BUS_ADDRESS");
        if (!address.equals(inherited)) {
            fail("DBUS_SESSION_BUS_ADDRESS of the test JVM is '" + inherited + "', expected '" + address
                    + "': run the tests through Maven (surefire or failsafe sets it, see bundles/store-keyring/pom.xml)");
        }
        try {
            deleteTree(dir);
            Files.createDirectories(busSocket.getParent());
            Files.deleteIfExists(busSocket);
            for (String d : List.of("home", "data", "config", "cache", "logs")) {
                Files.createDirectories(dir.resolve(d));
            }
            Path run = Files.createDirectories(dir.resolve("run"));
            Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwx------"));
            env.put("DBUS_SESSION_BUS_ADDRESS", address);
            env.put("HOME", dir.resolve("home").toString());
            env.put("XDG_DATA_HOME", dir.resolve("data").toString());
            env.put("XDG_CONFIG_HOME", dir.resolve("config").toString());
            env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
            env.put("XDG_RUNTIME_DIR", run.toString());
            bus = startBus(busSocket, "bus");
            startKeyring();
        } catch (IOException e) {
            stop();
            fail("cannot start the private D-Bus session and gnome-keyring: " + e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    /** A dbus-daemon on {@code socket} with no service activation; returns once it printed its address. */
    private Process startBus(Path socket, String name) throws IOException {
        Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\""
                + " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n<busconfig><type>session</type>"
                + "<listen>unix:path=" + socket + "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                + "<allow send_destination=\"*\" eavesdrop=\"true\"/><allow eavesdrop=\"true\"/><allow own=\"*\"/>"
                + "</policy></busconfig>\n");
        ProcessBuilder pb = new ProcessBuilder("dbus-daemon", "--config-file=" + conf, "--nofork", "--print-address")
                .redirectError(dir.resolve("logs").resolve(name + ".err").toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        try {
            line = CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (IOException e) {
                    return null;
                }
            }).get(READY.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            line = null;
        }
        if (line == null || !line.startsWith("unix:path=" + socket)) {
            p.destroyForcibly();
            fail("dbus-daemon did not start on " + socket + " (printed '" + line + "'); see "
                    + dir.resolve("logs").resolve(name + ".err"));
        }
        return p;
    }

    /**
     * Starts gnome-keyring-daemon and waits until its default collection is unlocked. gnome-keyring 42 can abort
     * (GLib assertion in invoke_get_property_in_idle_cb, exit 134) when a property is read while it is still
     * registering its objects, which is what the readiness probe does; a daemon that dies while starting is
     * started again, up to three times, and the failure is reported only if every attempt dies.
     */
    private void startKeyring() throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                startKeyringOnce();
                return;
            } catch (KeyringDied died) {
                if (attempt == 3) {
                    fail(died.getMessage());
                }
            }
        }
    }

    /** The daemon exited before it offered an unlocked collection. */
    private static final class KeyringDied extends RuntimeException {
        KeyringDied(String message) {
            super(message);
        }
    }

    private void startKeyringOnce() throws IOException {
        ProcessBuilder pb = new ProcessBuilder("gnome-keyring-daemon", "--foreground", "--unlock",
                "--components=secrets")
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("logs").resolve("keyring.out").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("logs").resolve("keyring.err").toFile()));
        pb.environment().putAll(env);
        keyring = pb.start();
        try (OutputStream in = keyring.getOutputStream()) {
            in.write(PASSWORD.getBytes(StandardCharsets.UTF_8));
        }
        long deadline = System.nanoTime() + READY.toNanos();
        while (true) {
            Result alias = run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                    "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.ReadAlias", "string:default");
            if (alias.code == 0 && alias.out.contains("/org/freedesktop/secrets/collection/")) {
                String path = alias.out.substring(alias.out.indexOf("/org/freedesktop/secrets/collection/")).split("\"")[0];
                Result locked = run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets", path,
                        "org.freedesktop.DBus.Properties.Get", "string:org.freedesktop.Secret.Collection",
                        "string:Locked");
                if (locked.code == 0 && locked.out.contains("boolean false")) {
                    return;
                }
            }
            if (!keyring.isAlive()) {
                throw new KeyringDied("gnome-keyring-daemon exited with " + keyring.exitValue() + "; see "
                        + dir.resolve("logs"));
            }
            if (System.nanoTime() > deadline) {
                fail("gnome-keyring did not offer an unlocked default collection within " + READY.toSeconds()
                        + " s; last answer: " + alias.out + alias.err);
            }
            pause();
        }
    }

    /** Locks every collection through the Secret Service API, as a screen lock would. */
    public void lockAll() {
        Result r = run("dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.secrets",
                "/org/freedesktop/secrets", "org.freedesktop.Secret.Service.Lock",
                "array:objpath:/org/freedesktop/secrets/collection/login");
        if (r.code != 0) {
            fail("Lock failed: " + r.err);
        }
    }

    /** Stops the keyring daemon and starts a new one that unlocks the (existing) login keyring with the password. */
    public synchronized void restartKeyring() {
        stopKeyring();
        try {
            startKeyring();
        } catch (IOException e) {
            fail("cannot restart gnome-keyring: " + e);
        }
    }

    /** A second bus with nothing on it: no Secret Service. Stopped with the keyring. */
    public synchronized String bareBus(String name) {
        Path socket = busSocket.resolveSibling(name);
        try {
            Files.deleteIfExists(socket);
            bareBuses.add(startBus(socket, name));
        } catch (IOException e) {
            fail("cannot start a bare dbus-daemon: " + e);
        }
        return "unix:path=" + socket;
    }

    /** {@code secret-tool lookup attr value ...} in this session: the value, or null if nothing matched. */
    public String secretToolLookup(String... attributes) {
        List<String> cmd = new ArrayList<>(List.of("secret-tool", "lookup"));
        cmd.addAll(List.of(attributes));
        Result r = run(cmd.toArray(String[]::new));
        return r.code == 0 ? r.out : null;
    }

    /** {@code secret-tool search --all attr value ...}: labels and attributes, never the values. */
    public String secretToolSearch(String... attributes) {
        List<String> cmd = new ArrayList<>(List.of("secret-tool", "search", "--all"));
        cmd.addAll(List.of(attributes));
        Result r = run(cmd.toArray(String[]::new));
        return r.out + r.err;
    }

    /** Exit code and output of a command run by {@link #run}. */
    public record Result(int code, String out, String err) {
    }

    /** Runs a command in this session's environment and waits for it (generous timeout: the machine is shared). */
    public Result run(String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command);
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            CompletableFuture<String> out = read(p.getInputStream());
            CompletableFuture<String> err = read(p.getErrorStream());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail(command[0] + " did not finish within 60 s");
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (Exception e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e, e);
        }
    }

    private static CompletableFuture<String> read(java.io.InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "";
            }
        });
    }

    private void stopKeyring() {
        if (keyring != null) {
            keyring.destroy();
            try {
                if (!keyring.waitFor(30, TimeUnit.SECONDS)) {
                    keyring.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            keyring = null;
        }
    }

    /** Stops the daemons (also done by the extension at the end of the run and by a shutdown hook). */
    public synchronized void stop() {
        stopKeyring();
        for (Process p : bareBuses) {
            p.destroy();
        }
        bareBuses.clear();
        if (bus != null) {
            bus.destroy();
            bus = null;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    private static boolean onPath(String tool) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String d : path.split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
