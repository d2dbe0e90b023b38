package dev.stdb.secure.benchmarks.store;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.auth.apikey.ApiKeyProvider;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.store.file.EncryptedFileStore;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import dev.stdb.secure.store.pkcs11.Pkcs11Store;
import dev.stdb.secure.testing.stores.InMemoryCredentialStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What reading the token from a store adds to a connect: the same long-lived SpacetimeDB token (an API key in bearer
 * mode) is kept in memory, in the encrypted file store, on a SoftHSM2 token and in gnome-keyring, and the core client
 * connects to one in-process sandbox with each, in interleaved rounds (so drift of the machine falls on all alike).
 * Each connect reads the key from its store (the provider reads it at every acquire). Prints one JSON line per store:
 * median and p90 connect time and the median added over memory. Run by {@code benchmarks/run-stores.sh}, which
 * prepares SoftHSM2 ({@code SOFTHSM2_CONF}, token {@code bench}, PIN in {@code STDB_BENCH_PIN}) and a private
 * gnome-keyring session.
 */
public final class StoredTokenConnect {

    private StoredTokenConnect() {
    }

    public static void main(String[] argv) throws Exception {
        int rounds = argv.length > 0 ? Integer.parseInt(argv[0]) : 30;
        int perRound = argv.length > 1 ? Integer.parseInt(argv[1]) : 10;
        Path work = Files.createTempDirectory("stored-token-connect");
        char[] pin = System.getenv("STDB_BENCH_PIN").toCharArray();
        Map<String, CredentialStore> stores = new LinkedHashMap<>();
        stores.put("memory", new InMemoryCredentialStore("memory"));
        stores.put("file", EncryptedFileStore.builder(work.resolve("file-store")).id("file")
                .passphrase(Secret.ofString("bench-passphrase-not-secret")).open());
        stores.put("pkcs11", Pkcs11Store.builder().id("pkcs11").library(Path.of("/usr/lib/softhsm/libsofthsm2.so"))
                .slotListIndex(0).pin(pin::clone).dataDir(work.resolve("pkcs11-data")).build());
        stores.put("keyring", KeyringCredentialStore.builder("bench").build());
        try (Sandbox sandbox = Sandbox.builder().start()) {
            String token = sandbox.issueToken().token();
            Map<String, ApiKeyProvider> providers = new LinkedHashMap<>();
            Map<String, List<Double>> millis = new LinkedHashMap<>();
            for (Map.Entry<String, CredentialStore> e : stores.entrySet()) {
                e.getValue().write("bench/token", Secret.ofString(token));
                providers.put(e.getKey(), ApiKeyProvider.builder("bench-" + e.getKey(), "bench/token").build());
                millis.put(e.getKey(), new ArrayList<>());
            }
            List<String> order = new ArrayList<>(stores.keySet());
            for (int warm = 0; warm < 3; warm++) {
                for (String name : order) {
                    connectOnce(sandbox, providers.get(name), stores.get(name));
                }
            }
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 1) {
                    Collections.reverse(order);
                }
                for (String name : order) {
                    for (int i = 0; i < perRound; i++) {
                        millis.get(name).add(connectOnce(sandbox, providers.get(name), stores.get(name)));
                    }
                }
            }
            double memory = quantile(millis.get("memory"), 0.5);
            for (Map.Entry<String, List<Double>> e : millis.entrySet()) {
                double p50 = quantile(e.getValue(), 0.5);
                System.out.printf(Locale.ROOT, "{\"store\":\"%s\",\"connects\":%d,\"p50Ms\":%.2f,\"p90Ms\":%.2f,"
                                + "\"addedOverMemoryMs\":%.2f,\"ratioToMemory\":%.3f}%n", e.getKey(),
                        e.getValue().size(), p50, quantile(e.getValue(), 0.9), p50 - memory, p50 / memory);
            }
            providers.values().forEach(ApiKeyProvider::close);
        } finally {
            for (CredentialStore s : stores.values()) {
                try {
                    s.delete("bench/token");
                } catch (RuntimeException ignored) {
                    // best effort: the benchmark's own entries
                }
                if (s instanceof AutoCloseable) {
                    ((AutoCloseable) s).close();
                }
            }
        }
    }

    /** One connect until the identity is known, then close; milliseconds. */
    private static double connectOnce(Sandbox sandbox, ApiKeyProvider provider, CredentialStore store)
            throws Exception {
        long start = System.nanoTime();
        try (Connection c = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                .authProvider(provider).credentialStore(store).timeout(Duration.ofSeconds(10)).connect()
                .toCompletableFuture().get(20, TimeUnit.SECONDS)) {
            if (c.identity() == null) {
                throw new IllegalStateException("connected without an identity");
            }
            return (System.nanoTime() - start) / 1e6;
        }
    }

    private static double quantile(List<Double> values, double q) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        double pos = q * (sorted.size() - 1);
        int lo = (int) Math.floor(pos);
        int hi = (int) Math.ceil(pos);
        return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (pos - lo);
    }
}
