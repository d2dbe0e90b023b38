package dev.stdb.secure.benchmarks.store;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Read and write of one token through the keyring store against a real Secret Service (gnome-keyring). Needs a D-Bus
 * session with an unlocked keyring: run it with {@code bash benchmarks/run-keyring.sh}, which makes a private one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class KeyringStoreBenchmark {

    private KeyringCredentialStore store;
    private Secret value;

    @Setup(Level.Trial)
    public void open() {
        store = KeyringCredentialStore.builder("bench").build();
        value = Secret.ofString("eyJhbGciOiJFUzI1NiJ9.benchmark-token-payload.signature-0123456789abcdef");
        store.write("token", value);
    }

    @TearDown(Level.Trial)
    public void close() {
        store.delete("token");
        store.close();
    }

    @Benchmark
    public Secret read() {
        return store.read("token").orElseThrow();
    }

    @Benchmark
    public void write() {
        store.write("token", value);
    }
}
