package dev.stdb.secure.store.pkcs11;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real SoftHSM2 tokens for the tests, initialised once per test JVM in a fresh directory.
 *
 * <p>SoftHSM2 reads {@code SOFTHSM2_CONF} when the library is loaded, and a JVM cannot set its own environment, so
 * surefire passes the variable (this module's pom.xml) and this class writes that file, pointing at a new token
 * directory, before any test loads the library. SoftHSM2 scans the token directory once, at {@code C_Initialize}: a
 * token initialised later in the same process is not seen, so every token the tests use is created here, up front.
 * Missing SoftHSM2 fails the tests (never skips them).
 */
public final class SoftHsm {

    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    public static final String PIN = "12345-user-pin";
    static final String SO_PIN = "98765-so-pin";
    /** Most tests. */
    public static final String MAIN = "stdb-main";
    /** The wrong-PIN test only: PKCS#11 login is per process and token, so no other test may log in to it. */
    static final String PIN_TOKEN = "stdb-pin";
    /** The recovery test, which logs the token out behind a store's back. */
    static final String RESET = "stdb-reset";
    /** The mTLS test. */
    static final String TLS = "stdb-tls";

    private static Path tokenDir;

    private SoftHsm() {
    }

    /** Creates the tokens (once per JVM); fails loudly, saying how to install SoftHSM2, if it is missing. */
    public static synchronized Path init() throws Exception {
        if (tokenDir != null) {
            return tokenDir;
        }
        requireInstalled();
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            throw new AssertionError("SOFTHSM2_CONF is not set: run these tests through Maven (surefire sets it to"
                    + " target/softhsm/softhsm2.conf), or export it to a writable path");
        }
        Path confFile = Path.of(conf);
        Files.createDirectories(confFile.getParent());
        try (var old = Files.newDirectoryStream(confFile.getParent(), "tokens-*")) {
            for (Path d : old) {
                try (var walk = Files.walk(d)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
                }
            }
        }
        Path dir = Files.createTempDirectory(confFile.getParent(), "tokens-");
        writeConf(confFile, dir);
        for (String label : List.of(MAIN, PIN_TOKEN, RESET, TLS)) {
            initToken(confFile, label);
        }
        tokenDir = dir;
        return dir;
    }

    public static void requireInstalled() {
        if (!Files.isRegularFile(LIBRARY) || !onPath("softhsm2-util")) {
            throw new AssertionError("SoftHSM2 is not installed (" + LIBRARY + ", softhsm2-util): the PKCS#11 store"
                    + " tests need it; install it with `apt-get install softhsm2` (Debian/Ubuntu)");
        }
    }

    public static void writeConf(Path confFile, Path tokens) throws IOException {
        Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                + "log.level = ERROR\n", StandardCharsets.UTF_8);
    }

    /** {@code softhsm2-util --init-token --free} with {@code SOFTHSM2_CONF=confFile}. */
    public static void initToken(Path confFile, String label) throws Exception {
        run(Map.of("SOFTHSM2_CONF", confFile.toString()), "softhsm2-util", "--init-token", "--free", "--label", label,
                "--so-pin", SO_PIN, "--pin", PIN);
    }

    static String run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command).replace(PIN, "***").replace(SO_PIN, "***")
                    + " failed: " + out);
        }
        return out;
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /** A store on token {@code label}, selected by label, with the test PIN from a callback. */
    public static Pkcs11Store.Builder store(String label, Path dataDir) {
        return Pkcs11Store.builder().library(LIBRARY).tokenLabel(label).pin(() -> PIN.toCharArray())
                .dataDir(dataDir);
    }

    /** Every file under {@code roots}. */
    static List<Path> files(Path... roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path r : roots) {
            try (var s = Files.walk(r)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            }
        }
        return out;
    }
}
