package dev.stdb.secure.benchmarks.client;

import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.core.Connection;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Heap per idle connection: {@code --count} anonymous connections from this JVM to one sandbox that runs in its OWN
 * process (the standalone jar), so the server's heap and threads are not counted. Used heap is read from the
 * MemoryMXBean after several full GCs, before any connection is opened (after one warm-up connection was opened and
 * closed, so classes and static caches are loaded) and once all connections are CONNECTED; the difference divided by
 * the count is the heap per idle connection. Threads (by name pattern) and resident memory (VmRSS, which also holds the
 * threads' stacks) are reported too, {@code --idle-ms} after the last connect and again {@code --steady-ms} later
 * (the JDK HttpClient's idle worker threads live 60 s), and 6 s after closing them all. With {@code --histogram} the
 * largest per-class differences go to stderr.
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.stdb.secure.benchmarks.client.IdleConnections [--count 1000]
 *      [--parallel 16] [--idle-ms 3000] [--steady-ms 62000] [--histogram] [--sandbox process | --uri ws://...]
 * </pre>
 */
public final class IdleConnections {
    private static final String USAGE = "IdleConnections [--count 1000] [--parallel 16] [--idle-ms 3000] [--steady-ms 62000] [--histogram] "
            + "[--sandbox process|inprocess | --uri ws://host:port --database quickstart]";

    private IdleConnections() {
    }

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Bench.args(argv, USAGE);
        int count = Bench.intArg(args, "count", 1000);
        int parallel = Bench.intArg(args, "parallel", 16);
        int idleMs = Bench.intArg(args, "idle-ms", 3000);
        int steadyMs = Bench.intArg(args, "steady-ms", 62000);
        boolean histogram = args.containsKey("histogram");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        Map<String, Object> out = Bench.result("idle-connections");
        out.put("sdk", "dev.stdb.secure.core");
        try (Bench.Server server = Bench.server(args, "process")) {
            Bench.log("server " + server.kind() + " at " + server.uri());
            out.put("server", server.kind().startsWith("process") ? "process" : server.kind());
            // Warm-up: load the classes and static caches of a connection, then let it go.
            Connection warm = Bench.connect(server);
            Bench.await(warm.subscribe("SELECT * FROM person").applied(), Duration.ofSeconds(10));
            warm.close();
            warm = null;
            Thread.sleep(500);
            long heapBefore = usedHeap(memory);
            Map<String, Integer> threadsBefore = threads();
            long rssBefore = rssKiB();
            Map<String, long[]> histBefore = histogram ? histogram() : Map.of();

            List<Connection> open = Collections.synchronizedList(new ArrayList<>(count));
            ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
            Semaphore slots = new Semaphore(parallel);
            long started = System.nanoTime();
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                slots.acquire();
                CompletableFuture<Connection> f;
                try {
                    f = Bench.client(server).connect().toCompletableFuture();
                } catch (RuntimeException e) {
                    errors.add(String.valueOf(e));
                    slots.release();
                    continue;
                }
                pending.add(f.orTimeout(60, TimeUnit.SECONDS).whenComplete((c, e) -> {
                    if (e != null) {
                        errors.add(String.valueOf(e));
                    } else {
                        open.add(c);
                    }
                    slots.release();
                }));
            }
            CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).exceptionally(e -> null)
                    .get(120, TimeUnit.SECONDS);
            pending.clear(); // its futures hold the connections: only `open` may, so closing them frees them
            long connectMs = (System.nanoTime() - started) / 1_000_000;
            long connected = open.stream().filter(c -> c.status().state() == ConnectionState.CONNECTED).count();
            Bench.log(connected + " of " + count + " CONNECTED in " + connectMs + " ms; " + errors.size() + " failed"
                    + (errors.isEmpty() ? "" : ", first: " + errors.peek()));
            Thread.sleep(idleMs); // idle: let short-lived threads and buffers settle
            long heapAfter = usedHeap(memory);
            Map<String, Integer> threadsAfter = threads();
            long rssAfter = rssKiB();
            if (histogram) {
                printHistogramDiff(histBefore, histogram(), open.size());
            }
            long stillConnected = open.stream().filter(c -> c.status().state() == ConnectionState.CONNECTED).count();

            out.put("requested", count);
            out.put("connected", connected);
            out.put("stillConnectedAfterIdle", stillConnected);
            out.put("failed", errors.size());
            if (!errors.isEmpty()) {
                out.put("firstError", errors.peek());
            }
            out.put("connectSeconds", connectMs / 1000.0);
            out.put("heapBeforeMiB", mib(heapBefore));
            out.put("heapAfterMiB", mib(heapAfter));
            double perConnection = connected == 0 ? 0 : (heapAfter - heapBefore) / 1024.0 / connected;
            out.put("heapPerConnectionKiB", Math.round(perConnection * 10) / 10.0);
            out.put("rssPerConnectionKiB", connected == 0 ? 0 : Math.round((rssAfter - rssBefore) * 10.0 / connected) / 10.0);
            out.put("threadsBefore", threadsBefore.values().stream().mapToInt(Integer::intValue).sum());
            out.put("threadsAfter", threadsAfter.values().stream().mapToInt(Integer::intValue).sum());
            out.put("threadsByName", diff(threadsBefore, threadsAfter));
            if (steadyMs > 0) {
                // The JDK HttpClient's default executor keeps idle worker threads for 60 s: sample again after that.
                Bench.log("idle for another " + steadyMs + " ms");
                Thread.sleep(steadyMs);
                long heapSteady = usedHeap(memory);
                Map<String, Integer> threadsSteady = threads();
                out.put("steadyAfterSeconds", (idleMs + steadyMs) / 1000.0);
                out.put("steadyHeapPerConnectionKiB", connected == 0 ? 0
                        : Math.round((heapSteady - heapBefore) / 1024.0 / connected * 10) / 10.0);
                out.put("steadyThreads", threadsSteady.values().stream().mapToInt(Integer::intValue).sum());
                out.put("steadyThreadsByName", diff(threadsBefore, threadsSteady));
                out.put("stillConnectedAfterSteady",
                        open.stream().filter(c -> c.status().state() == ConnectionState.CONNECTED).count());
            }

            open.forEach(Connection::close);
            open.clear();
            // Closed connections become garbage; a JDK HttpClient's selector thread ends once its client was
            // collected and it notices (it checks every 3 s), its idle workers after 60 s.
            Thread.sleep(2000);
            usedHeap(memory);
            Thread.sleep(4000);
            Map<String, Integer> threadsClosed = threads();
            out.put("threadsAfterClose6s", threadsClosed.values().stream().mapToInt(Integer::intValue).sum());
            out.put("threadsAfterCloseByName", diff(threadsBefore, threadsClosed));
            out.put("heapAfterCloseMiB", mib(usedHeap(memory)));
        }
        System.out.println(Bench.json(out));
        System.exit(0);
    }

    private static long usedHeap(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static double mib(long bytes) {
        return Math.round(bytes / 1024.0 / 1024.0 * 10) / 10.0;
    }

    private static long rssKiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (Exception e) {
            // not Linux
        }
        return 0;
    }

    /** Live threads by name, digits folded ({@code HttpClient-#-Worker-#}). */
    private static Map<String, Integer> threads() {
        Map<String, Integer> byName = new TreeMap<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            byName.merge(t.getName().replaceAll("\\d+", "#"), 1, Integer::sum);
        }
        return byName;
    }

    private static Map<String, Integer> diff(Map<String, Integer> before, Map<String, Integer> after) {
        Map<String, Integer> d = new LinkedHashMap<>();
        after.entrySet().stream()
                .filter(e -> e.getValue() - before.getOrDefault(e.getKey(), 0) != 0)
                .sorted((a, b) -> Integer.compare(b.getValue() - before.getOrDefault(b.getKey(), 0),
                        a.getValue() - before.getOrDefault(a.getKey(), 0)))
                .forEach(e -> d.put(e.getKey(), e.getValue() - before.getOrDefault(e.getKey(), 0)));
        return d;
    }

    // ------------------------------------------------------------------ class histogram (GC.class_histogram)

    private static final Pattern HISTO_LINE = Pattern.compile("\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+).*");

    /** class -> {instances, bytes} of live objects (the dump itself runs a full GC). */
    private static Map<String, long[]> histogram() {
        Map<String, long[]> out = new HashMap<>();
        try {
            MBeanServer mbs = ManagementFactory.getPlatformMBeanServer();
            String text = (String) mbs.invoke(new ObjectName("com.sun.management:type=DiagnosticCommand"),
                    "gcClassHistogram", new Object[] {new String[0]}, new String[] {String[].class.getName()});
            for (String line : text.split("\n")) {
                Matcher m = HISTO_LINE.matcher(line);
                if (m.matches()) {
                    out.put(m.group(3), new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
                }
            }
        } catch (Exception e) {
            Bench.log("no class histogram: " + e);
        }
        return out;
    }

    private static void printHistogramDiff(Map<String, long[]> before, Map<String, long[]> after, int connections) {
        if (connections == 0) {
            return;
        }
        List<Map.Entry<String, long[]>> rows = new ArrayList<>();
        after.forEach((k, v) -> {
            long[] b = before.getOrDefault(k, new long[2]);
            rows.add(Map.entry(k, new long[] {v[0] - b[0], v[1] - b[1]}));
        });
        rows.sort((a, b) -> Long.compare(b.getValue()[1], a.getValue()[1]));
        long total = rows.stream().mapToLong(e -> e.getValue()[1]).sum();
        System.err.printf("heap growth by class for %d connections: %.1f KiB per connection in total%n",
                connections, total / 1024.0 / connections);
        System.err.printf("%12s %12s %14s  %s%n", "inst/conn", "bytes/conn", "total bytes", "class");
        rows.stream().limit(30).forEach(e -> System.err.printf("%12.1f %12.0f %14d  %s%n",
                e.getValue()[0] / (double) connections, e.getValue()[1] / (double) connections, e.getValue()[1], e.getKey()));
    }
}
