package dev.stdb.secure.benchmarks.store;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.store.pkcs11.Pkcs11Store;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The PKCS#11 store against a SoftHSM2 2.6 token: operations per second of
 * <ul>
 *   <li>{@code read}: one entry file read, AES-256-GCM decrypted inside the token;</li>
 *   <li>{@code write}: one entry encrypted inside the token and written atomically (temporary file, fsync, rename,
 *       directory fsync), so the disk's fsync latency dominates;</li>
 *   <li>{@code wrapUnwrap}: {@code KeyService.wrap} then {@code unwrap} of a 32-byte data key, no file I/O.</li>
 * </ul>
 *
 * <p><b>SOFTHSM2_CONF must be set</b> to a writable path before the JVM starts (SoftHSM2 reads it when the library is
 * loaded, and a JVM cannot set its own environment; JMH's forked JVM inherits it). The benchmark writes that file,
 * pointing at a fresh temporary token directory, and initialises its own token there with {@code softhsm2-util}, so it
 * never touches {@code /var/lib/softhsm}:
 * <pre>
 * SOFTHSM2_CONF=/tmp/stdb-bench-softhsm2.conf java -jar benchmarks/target/benchmarks.jar Pkcs11StoreBenchmark
 * </pre>
 * Needs {@code apt-get install softhsm2}. The token is selected by {@code slotListIndex = 0} (it is the only one).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class Pkcs11StoreBenchmark {

    static final Path LIBRARY = Path.of("/usr/lib/softhsm/libsofthsm2.so");
    private static final String PIN = "bench-pin-1234";

    private Path dir;
    private Pkcs11Store store;
    private Secret value;
    private Secret dataKey;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        String conf = System.getenv("SOFTHSM2_CONF");
        if (conf == null || conf.isBlank()) {
            throw new IllegalStateException("set SOFTHSM2_CONF to a writable path before starting the JVM, e.g."
                    + " SOFTHSM2_CONF=/tmp/stdb-bench-softhsm2.conf java -jar benchmarks.jar Pkcs11StoreBenchmark");
        }
        if (!Files.isRegularFile(LIBRARY)) {
            throw new IllegalStateException(LIBRARY + " is missing: apt-get install softhsm2");
        }
        dir = Files.createTempDirectory("stdb-pkcs11-bench");
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        Path confFile = Path.of(conf);
        if (confFile.getParent() != null) {
            Files.createDirectories(confFile.getParent());
        }
        Files.writeString(confFile, "directories.tokendir = " + tokens + "\nobjectstore.backend = file\n"
                + "log.level = ERROR\n", StandardCharsets.UTF_8);
        Process p = new ProcessBuilder("softhsm2-util", "--init-token", "--free", "--label", "stdb-bench",
                "--so-pin", "bench-so-5678", "--pin", PIN).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("softhsm2-util --init-token failed: " + out);
        }
        store = Pkcs11Store.builder().id("bench").library(LIBRARY).slotListIndex(0).pin(() -> PIN.toCharArray())
                .dataDir(dir.resolve("data")).build();
        value = Secret.ofString("eyJhbGciOiJFUzI1NiJ9.refresh-token-of-typical-length.0123456789abcdef0123456789");
        dataKey = Secret.ofBytes(new byte[32]);
        store.write("bench/read", value);
        store.generateAesKey("bench-data-key");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        store.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }

    @Benchmark
    public int read() {
        try (Secret s = store.read("bench/read").orElseThrow()) {
            return s.length();
        }
    }

    @Benchmark
    public void write() {
        store.write("bench/write", value);
    }

    @Benchmark
    public int wrapUnwrap() {
        try (Secret s = store.unwrap("bench-data-key", store.wrap("bench-data-key", dataKey))) {
            return s.length();
        }
    }
}
