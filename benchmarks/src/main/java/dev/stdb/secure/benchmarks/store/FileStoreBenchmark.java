package dev.stdb.secure.benchmarks.store;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.store.file.EncryptedFileStore;
import java.io.IOException;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads and writes of the encrypted file store with a passphrase-derived key (Argon2id at the default 64 MiB, 3
 * passes, run once when the store is opened in setup, not per operation). The store holds {@code entries} entries of
 * 512 bytes, about a credential store's size. A write is a locked read-modify-write of the whole file, fsync of the
 * temp file, atomic rename and fsync of the directory, so its score is bound by the disk's fsync latency; a read is
 * a file read, header comparison and one AES-GCM decryption.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class FileStoreBenchmark {

    @Param({"20"})
    public int entries;

    private Path dir;
    private EncryptedFileStore store;
    private Secret value;
    private int next;

    @Setup(Level.Trial)
    public void open() throws IOException {
        dir = Files.createTempDirectory("stdb-file-store-bench").resolve("store");
        store = EncryptedFileStore.builder(dir)
                .passphrase(Secret.ofString("benchmark passphrase, not a secret"))
                .open();
        byte[] bytes = new byte[512];
        java.util.Arrays.fill(bytes, (byte) 'x');
        value = Secret.ofBytes(bytes);
        for (int i = 0; i < entries; i++) {
            store.write("key-" + i, value);
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        store.close();
        value.destroy();
        try (Stream<Path> files = Files.walk(dir.getParent())) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public int read() {
        int i = next++ % entries;
        try (Secret s = store.read("key-" + i).orElseThrow()) {
            return s.length();
        }
    }

    @Benchmark
    public void write() {
        int i = next++ % entries;
        store.write("key-" + i, value);
    }
}
