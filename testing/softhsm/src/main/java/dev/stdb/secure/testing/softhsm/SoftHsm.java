package dev.stdb.secure.testing.softhsm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Real SoftHSM2 tokens for the tests, initialised once per test JVM in a fresh directory.
 *
 * <p>SoftHSM2 reads {@code SOFTHSM2_CONF} when the library is loaded, and a JVM cannot set its own environment, so
 * surefire or failsafe passes the variable (bundles/store-pkcs11/pom.xml, itests/pom.xml) and this class writes that file, pointing at a new token
 * directory, before any test loads the library. SoftHSM2 scans the token directory once, at {@code C_Initialize}: a
 * token initialised later in the same process is not seen, so every token a test JVM uses is created by the first
 * {@link #init} call, up front.
 * Missing SoftHSM2 fails the tests (never skips them).
 */
public final class SoftHsm {

    /** SoftHSM2's PKCS#11 module as Debian installs it. */
    public static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    /** The user PIN of every token made here (test only). */
    public static final String PIN = "12345-user-pin";
    /** The security officer PIN of every token made here (test only). */
    public static final String SO_PIN = "98765-so-pin";

    private static Path tokenDir;
    private static Set<String> labels;

    private SoftHsm() {
    }

    /**
     * Creates the tokens {@code tokenLabels} (once per JVM: the first call decides, because SoftHSM2 sees only the
     * tokens that exist when the library is first loaded) in a fresh directory named by the file in
     * {@code SOFTHSM2_CONF}, removing the token directories of earlier runs; returns the token directory. A later call
     * asking for a label the first did not create fails. Fails loudly, saying how to install SoftHSM2, if it is missing.
     */
    public static synchronized Path init(String... tokenLabels) throws Exception {
        if (tokenDir != null) {
            for (String l : tokenLabels) {
                if (!labels.contains(l)) {
                    throw new AssertionError("token '" + l + "' was not created by the first SoftHsm.init" + labels
                            + ": SoftHSM2 sees only tokens that exist when the library is loaded, so create every token"
                            + " of the test JVM in the first call");
                }
            }
            return tokenDir;
        }
        requireInstalled();
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            throw new AssertionError("SOFTHSM2_CONF is not set: run these tests through Maven (surefire or failsafe sets"
                    + " it to target/softhsm/softhsm2.conf), or export it to a writable path");
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
        for (String label : tokenLabels) {
            initToken(confFile, label);
        }
        labels = new LinkedHashSet<>(List.of(tokenLabels));
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

    /** Runs a command with {@code env} added; fails (PINs masked) unless it exits 0 within 60 s. Returns its output. */
    public static String run(Map<String, String> env, String... command) throws Exception {
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

    /** Every file under {@code roots}. */
    public static List<Path> files(Path... roots) throws IOException {
        List<Path> out = new ArrayList<>();
        for (Path r : roots) {
            try (var s = Files.walk(r)) {
                s.filter(Files::isRegularFile).forEach(out::add);
            }
        }
        return out;
    }
}
