package dev.stdb.secure.benchmarks.client;

import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** What the client benchmarks share: arguments, a sandbox (in this JVM, in its own process, or external), JSON. */
final class Bench {
    static final String SANDBOX_JAR = "bundles/sandbox/target/dev.stdb.secure.sandbox-0.1.0-SNAPSHOT-standalone.jar";

    private Bench() {
    }

    // ------------------------------------------------------------------ arguments

    /** {@code --name value} pairs; a flag without a value ({@code --name} followed by another flag) is "true". */
    static Map<String, String> args(String[] argv, String usage) {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            String a = argv[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.err.println(usage);
                System.exit(0);
            }
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument " + a + "\n" + usage);
            }
            if (i + 1 < argv.length && !argv[i + 1].startsWith("--")) {
                out.put(a.substring(2), argv[++i]);
            } else {
                out.put(a.substring(2), "true");
            }
        }
        return out;
    }

    static int intArg(Map<String, String> args, String name, int dflt) {
        String v = args.get(name);
        return v == null ? dflt : Integer.parseInt(v.replace("_", "").replace(",", ""));
    }

    // ------------------------------------------------------------------ where things are

    /** The repository root: above the benchmarks jar (benchmarks/target/benchmarks.jar), else above the working dir. */
    static Path repoRoot() {
        List<Path> starts = new ArrayList<>();
        try {
            starts.add(Path.of(Bench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toAbsolutePath());
        } catch (Exception e) {
            // not from a file: try the working directory
        }
        starts.add(Path.of("").toAbsolutePath());
        for (Path start : starts) {
            for (Path p = start; p != null; p = p.getParent()) {
                if (Files.isDirectory(p.resolve("bundles/sandbox")) && Files.isDirectory(p.resolve("benchmarks"))) {
                    return p;
                }
            }
        }
        throw new IllegalStateException("cannot find the repository root (a directory with bundles/sandbox and benchmarks)"
                + " above " + starts);
    }

    // ------------------------------------------------------------------ the server

    /** A running sandbox, wherever it is. */
    interface Server extends AutoCloseable {
        URI uri();

        String database();

        /** inprocess, process or external. */
        String kind();

        @Override
        void close();
    }

    /**
     * {@code --uri ws://...} (with {@code --database}): an external server; else {@code --sandbox inprocess|process},
     * {@code dflt} when not given. {@code process} runs the standalone sandbox jar in its own JVM, so its heap and
     * threads are not this process's.
     */
    static Server server(Map<String, String> args, String dflt) throws IOException {
        String database = args.getOrDefault("database", "quickstart");
        if (args.containsKey("uri")) {
            URI uri = URI.create(args.get("uri"));
            return new Server() {
                public URI uri() { return uri; }
                public String database() { return database; }
                public String kind() { return "external"; }
                public void close() { }
            };
        }
        String kind = args.getOrDefault("sandbox", dflt);
        if (kind.equals("inprocess")) {
            Sandbox sandbox = Sandbox.builder().database(database).start();
            return new Server() {
                public URI uri() { return sandbox.wsUri(); }
                public String database() { return database; }
                public String kind() { return "inprocess"; }
                public void close() { sandbox.close(); }
            };
        }
        if (kind.equals("process")) {
            return sandboxProcess(args, database);
        }
        throw new IllegalArgumentException("--sandbox must be inprocess or process, got " + kind);
    }

    private static Server sandboxProcess(Map<String, String> args, String database) throws IOException {
        Path jar = args.containsKey("sandbox-jar") ? Path.of(args.get("sandbox-jar")) : repoRoot().resolve(SANDBOX_JAR);
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no sandbox jar at " + jar + " (mvn -o install -pl bundles/sandbox -DskipTests)");
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, args.getOrDefault("sandbox-xmx", "-Xmx2g"),
                "-jar", jar.toString(), "--port", "0", "--database", database));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        URI uri = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while (uri == null && System.nanoTime() < deadline && (line = out.readLine()) != null) {
            String t = line.trim();
            if (t.startsWith("URL:")) {
                uri = URI.create(t.substring(4).trim().split("\\s+")[0]);
            }
        }
        if (uri == null) {
            p.destroyForcibly();
            throw new IllegalStateException("the sandbox process printed no URL");
        }
        // Keep draining its stdout so it never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                while (out.readLine() != null) {
                    // discard
                }
            } catch (IOException ignored) {
                // gone
            }
        }, "sandbox-stdout");
        drain.setDaemon(true);
        drain.start();
        URI found = uri;
        long pid = p.pid();
        return new Server() {
            public URI uri() { return found; }
            public String database() { return database; }
            public String kind() { return "process(pid " + pid + ")"; }
            public void close() {
                p.destroy();
                try {
                    if (!p.waitFor(10, TimeUnit.SECONDS)) {
                        p.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    static SpacetimeClient.Builder client(Server server) {
        return SpacetimeClient.builder().uri(server.uri()).database(server.database()).timeout(Duration.ofSeconds(30));
    }

    static Connection connect(Server server) {
        return await(client(server).connect(), Duration.ofSeconds(30));
    }

    static <T> T await(CompletionStage<T> stage, Duration timeout) {
        try {
            return stage.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out after " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ numbers

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double us(long nanos) {
        return Math.round(nanos / 100.0) / 10.0;
    }

    /** p50/p90/p99/p99.9/max/mean in microseconds, under {@code prefix}. */
    static void latencies(Map<String, Object> out, String prefix, long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        out.put(prefix + "p50Us", us(percentile(s, 50)));
        out.put(prefix + "p90Us", us(percentile(s, 90)));
        out.put(prefix + "p99Us", us(percentile(s, 99)));
        out.put(prefix + "p999Us", us(percentile(s, 99.9)));
        out.put(prefix + "maxUs", us(s[s.length - 1]));
        out.put(prefix + "meanUs", us((long) Arrays.stream(s).average().orElse(0)));
    }

    static Map<String, Object> result(String benchmark) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("benchmark", benchmark);
        out.put("impl", "java");
        out.put("runtime", "JDK " + System.getProperty("java.version"));
        out.put("cores", Runtime.getRuntime().availableProcessors());
        out.put("jvmArgs", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments()));
        // Other processes on the machine skew latency tails: the 1-minute load average when the result was taken.
        out.put("loadAverage", Math.round(ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() * 100) / 100.0);
        return out;
    }

    static String json(Map<String, ?> map) {
        StringBuilder b = new StringBuilder("{");
        for (Map.Entry<String, ?> e : map.entrySet()) {
            if (b.length() > 1) {
                b.append(',');
            }
            b.append(quote(e.getKey())).append(':').append(value(e.getValue()));
        }
        return b.append('}').toString();
    }

    private static String value(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Number || v instanceof Boolean) {
            return v.toString();
        }
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, x) -> copy.put(String.valueOf(k), x));
            return json(copy);
        }
        if (v instanceof List<?> l) {
            StringBuilder b = new StringBuilder("[");
            for (Object x : l) {
                if (b.length() > 1) {
                    b.append(',');
                }
                b.append(value(x));
            }
            return b.append(']').toString();
        }
        return quote(v.toString());
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /**
     * Context switches (voluntary and not) of every thread of this process so far, from /proc/self/task; -1 where there
     * is no /proc. Threads that ended meanwhile are not counted.
     */
    static long contextSwitches() {
        try (var tasks = Files.list(Path.of("/proc/self/task"))) {
            long sum = 0;
            for (Path task : (Iterable<Path>) tasks::iterator) {
                try {
                    for (String line : Files.readAllLines(task.resolve("status"))) {
                        if (line.startsWith("voluntary_ctxt_switches:") || line.startsWith("nonvoluntary_ctxt_switches:")) {
                            sum += Long.parseLong(line.replaceAll("[^0-9]", ""));
                        }
                    }
                } catch (IOException gone) {
                    // the thread ended
                }
            }
            return sum;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    static void log(String message) {
        System.err.println("[" + Thread.currentThread().getName() + "] " + message);
    }
}
