package dev.stdb.secure.benchmarks.audit;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.audit.file.FileAuditTrail;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Durable publishes to the file audit trail: each {@code publish} returns only after its record is written and
 * fsynced. With one thread every record pays one fsync; with eight threads, records published while a batch is being
 * forced join the next batch and share its fsync (group commit), so throughput should rise well above the
 * single-thread figure on the same disk. A signed checkpoint (SHA256withECDSA, software key) follows every 1000
 * events; segments rotate at 16 MiB.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FileAuditBenchmark {

    private Path dir;
    private FileAuditTrail trail;
    private SecurityEvent event;

    @Setup(Level.Trial)
    public void open() throws IOException, GeneralSecurityException {
        dir = Files.createTempDirectory("stdb-audit-file-bench");
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair keys = g.generateKeyPair();
        trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic()).open();
        event = SecurityEvent.of(SecurityEventType.AUTH_SUCCESS, Outcome.SUCCESS).source("benchmark")
                .principal("alice").connection("bench").detail("issuer", "https://idp.example/realms/r")
                .detail("key", "sha256:0f1e2d3c4b5a69788796a5b4c3d2e1f0").build();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        trail.close();
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    @Threads(1)
    public void publish1Thread() {
        trail.publish(event);
    }

    @Benchmark
    @Threads(8)
    public void publish8Threads() {
        trail.publish(event);
    }
}
