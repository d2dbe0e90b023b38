package dev.stdb.secure.benchmarks.client;

import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReducerResult;
import dev.stdb.secure.protocol.value.Row;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Reducer round trip on loopback, this SDK against the official TypeScript SDK, on the same server in the same run.
 * A plain main, not JMH: it measures a latency distribution over a live server, one call in flight at a time.
 *
 * <p>One connection subscribed to {@code SELECT * FROM person} with an {@code onUpdate} listener; each iteration
 * calls {@code update_person(id, "java-rt-<i>", i % 100)} on the same row and measures from just before the call to
 * the moment BOTH its CompletionStage has completed AND the listener has seen the new name (the later of the two
 * timestamps, both taken on the connection's callback thread, where the application would observe them). The
 * calling thread's own view (after {@code join()}, i.e. plus one thread wake-up) is reported too, as {@code caller*}.
 *
 * <p>The TypeScript side ({@code benchmarks/ts/reducer-roundtrip.mjs}, run first as a subprocess against the same
 * sandbox) does the same: {@code conn.callReducer} with SDK-serialised args, until the promise resolved and
 * {@code onUpdate} fired for that row. Order: {@code --server-warmup-runs} TypeScript runs whose numbers are discarded
 * (the in-process sandbox is a JVM and would otherwise be coldest for whichever client goes first), the measured
 * TypeScript run, then the Java run. Each client has its own {@code --warmup} calls before its measured ones.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.stdb.secure.benchmarks.client.ReducerRoundTrip \
 *      [--iterations 5000] [--warmup 5000] [--sandbox inprocess|process | --uri ws://... --database quickstart]
 *      [--server-warmup-runs 1] [--no-ts] [--ts-script benchmarks/ts/reducer-roundtrip.mjs] [--node node]
 * </pre>
 * Prints one JSON line per client (TypeScript first, then Java) on stdout.
 */
public final class ReducerRoundTrip {
    private static final String USAGE = "ReducerRoundTrip [--iterations 5000] [--warmup 5000] [--server-warmup-runs 1] "
            + "[--sandbox inprocess|process | --uri ws://host:port --database quickstart] [--no-ts] [--ts-script F] [--node node]";

    private ReducerRoundTrip() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Bench.args(argv, USAGE);
        int iterations = Bench.intArg(args, "iterations", 5000);
        int warmup = Bench.intArg(args, "warmup", 5000);
        int serverWarmupRuns = Bench.intArg(args, "server-warmup-runs", 1);
        try (Bench.Server server = Bench.server(args, "inprocess")) {
            Bench.log("server " + server.kind() + " at " + server.uri());
            if (!args.containsKey("no-ts")) {
                // The sandbox is a JVM too: a fresh one would give the first client a cold server. Warm it with
                // discarded TypeScript runs, so the measured TypeScript run meets a server at least as warm as Java's.
                for (int r = 0; r < serverWarmupRuns; r++) {
                    Bench.log("server warm-up run " + (r + 1) + " (discarded): " + typeScript(args, server, iterations, warmup));
                }
                System.out.println(typeScript(args, server, iterations, warmup));
                System.out.flush();
            }
            Map<String, Object> java = java(server, iterations, warmup);
            java.put("server", server.kind().startsWith("process") ? "process" : server.kind());
            System.out.println(Bench.json(java));
            System.out.flush();
        }
        System.exit(0);
    }

    private static String typeScript(Map<String, String> args, Bench.Server server, int iterations, int warmup)
            throws Exception {
        Path script = args.containsKey("ts-script") ? Path.of(args.get("ts-script"))
                : Bench.repoRoot().resolve("benchmarks/ts/reducer-roundtrip.mjs");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no TypeScript script at " + script);
        }
        List<String> cmd = new ArrayList<>(List.of(args.getOrDefault("node", "node"), "--experimental-websocket",
                script.toString(), "--uri", server.uri().toString(), "--database", server.database(),
                "--iterations", String.valueOf(iterations), "--warmup", String.valueOf(warmup)));
        Bench.log("running " + String.join(" ", cmd));
        Process p = new ProcessBuilder(cmd).directory(script.getParent().toFile())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String last = null;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("{")) {
                    last = line;
                } else {
                    System.err.println("[ts] " + line);
                }
            }
        }
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0 || last == null) {
            throw new IllegalStateException("the TypeScript round trip failed (exit " + (p.isAlive() ? "none" : p.exitValue())
                    + "): " + last);
        }
        return last;
    }

    /** Written on the connection's callback thread, read by the caller after the call's future completed. */
    private static final class Probe {
        volatile String expected;
        volatile long listenerAt;
        volatile long completedAt;
    }

    static Map<String, Object> java(Bench.Server server, int iterations, int warmup) {
        Duration timeout = Duration.ofSeconds(10);
        try (Connection c = Bench.connect(server)) {
            Probe probe = new Probe();
            c.table("person").onUpdate((oldRow, newRow) -> {
                if (newRow.getString("name").equals(probe.expected)) {
                    probe.listenerAt = System.nanoTime();
                }
            });
            Bench.await(c.subscribe("SELECT * FROM person").applied(), timeout);
            String seed = "java-rt-seed-" + System.nanoTime();
            Bench.await(c.callReducer("add_person", seed, 30), timeout);
            int id = c.table("person").rows().stream().filter(r -> r.getString("name").equals(seed))
                    .mapToInt(r -> r.getInt("id")).findFirst().orElseThrow();
            Bench.log("java: row id " + id + "; " + warmup + " warm-up + " + iterations + " measured calls");

            long[] latency = new long[iterations];
            long[] caller = new long[iterations];
            long started = System.nanoTime();
            long switchesBefore = 0;
            for (int i = 0; i < warmup + iterations; i++) {
                String name = "java-rt-" + i;
                probe.expected = name;
                probe.listenerAt = 0;
                probe.completedAt = 0;
                if (i == warmup) {
                    switchesBefore = Bench.contextSwitches();
                }
                long t0 = System.nanoTime();
                CompletableFuture<ReducerResult> call = c.callReducer("update_person", id, name, i % 100)
                        .toCompletableFuture();
                CompletableFuture<ReducerResult> observed = call.whenComplete((r, e) -> probe.completedAt = System.nanoTime());
                Bench.await(observed, timeout);
                long tCaller = System.nanoTime();
                long listened = probe.listenerAt;
                if (listened == 0) {
                    throw new IllegalStateException("call " + i + " completed before its onUpdate ran");
                }
                if (i >= warmup) {
                    latency[i - warmup] = Math.max(listened, probe.completedAt) - t0;
                    caller[i - warmup] = tCaller - t0;
                }
            }
            long elapsed = System.nanoTime() - started;
            long switches = Bench.contextSwitches() - switchesBefore;
            Row last = c.table("person").findByPrimaryKey(id).orElseThrow();
            if (!last.getString("name").equals("java-rt-" + (warmup + iterations - 1))) {
                throw new IllegalStateException("the cache does not hold the last update: " + last);
            }
            Map<String, Object> out = Bench.result("reducer-roundtrip");
            out.put("sdk", "dev.stdb.secure.core");
            out.put("iterations", iterations);
            out.put("warmup", warmup);
            Bench.latencies(out, "", latency);
            Bench.latencies(out, "caller", caller);
            out.put("callsPerSecond", Math.round((warmup + iterations) / (elapsed / 1e9)));
            // Thread hand-offs per call in this JVM (with an in-process sandbox, the server's threads count too).
            out.put("contextSwitchesPerCall", switchesBefore < 0 ? null : Math.round(switches * 10.0 / iterations) / 10.0);
            return out;
        }
    }
}
