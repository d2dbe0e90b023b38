package dev.stdb.secure.benchmarks.client;

import dev.stdb.secure.core.Connection;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Update fan-out: how many updates per second one connection applies to its cache. A plain main.
 *
 * <p>A watcher connection subscribes to {@code SELECT * FROM person} and counts its {@code onUpdate} callbacks; a
 * writer (a second connection) first adds {@code --rows} persons, then calls {@code update_person} round-robin over
 * them with up to {@code --window} calls in flight, one transaction (one TransactionUpdate frame with a delete and an
 * insert, one {@code onUpdate} at the watcher) per call. Updates, not inserts, keep the table small: the sandbox's
 * {@code add_person} scans the whole table for the next id, so a growing table would measure the sandbox's O(n)
 * reducer instead of the client. Two phases, each after a warm-up round:
 * <ul>
 *   <li><b>live</b>: the watcher applies updates as they arrive; rate = callbacks / time from the first to the last
 *       callback. This is end to end: with one single-threaded sandbox engine on the same machine, it is bounded by
 *       the server as much as by the client ({@code lagMs} says how far the watcher's last callback trailed the
 *       writer's last acknowledgement).</li>
 *   <li><b>backlog</b>: the watcher's callback thread is held (its first callback blocks) while the writer produces
 *       all rows and the frames pile up in the client; then it is released and the rate is callbacks / time from
 *       release to the last callback: what the client alone can apply (decode, cache, listener) per second.</li>
 * </ul>
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.stdb.secure.benchmarks.client.FanOut [--updates 50000]
 *      [--warmup 20000] [--rows 1000] [--window 256] [--settle-ms 1000] [--sandbox process|inprocess | --uri ws://...]
 * </pre>
 */
public final class FanOut {
    private static final String USAGE = "FanOut [--updates 50000] [--warmup 20000] [--rows 1000] [--window 256] [--settle-ms 1000] "
            + "[--sandbox process|inprocess | --uri ws://host:port --database quickstart]";
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private FanOut() {
    }

    /** The watcher's listener: counts, timestamps the first and last callback, and may hold the callback thread. */
    private static final class Watch {
        final int expected;
        final AtomicLong count = new AtomicLong();
        volatile long first;
        volatile long last;
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch gate;
        final CountDownLatch held = new CountDownLatch(1);

        Watch(int expected, boolean hold) {
            this.expected = expected;
            this.gate = new CountDownLatch(hold ? 1 : 0);
        }

        void onRow() {
            long n = count.incrementAndGet();
            if (n == 1) {
                held.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                first = System.nanoTime();
            }
            if (n == expected) {
                last = System.nanoTime();
                done.countDown();
            }
        }
    }

    private static final AtomicReference<Watch> CURRENT = new AtomicReference<>();

    public static void main(String[] argv) throws Exception {
        Map<String, String> args = Bench.args(argv, USAGE);
        int updates = Bench.intArg(args, "updates", 50_000);
        int warmupUpdates = Bench.intArg(args, "warmup", 20_000);
        int window = Bench.intArg(args, "window", 256);
        int rows = Bench.intArg(args, "rows", 1000);
        long settleMs = Bench.intArg(args, "settle-ms", 1000);
        Map<String, Object> out = Bench.result("fanout");
        out.put("sdk", "dev.stdb.secure.core");
        try (Bench.Server server = Bench.server(args, "process");
             Connection watcher = Bench.connect(server);
             Connection writer = Bench.connect(server)) {
            Bench.log("server " + server.kind() + " at " + server.uri());
            out.put("server", server.kind().startsWith("process") ? "process" : server.kind());
            watcher.table("person").onUpdate((oldRow, newRow) -> {
                Watch w = CURRENT.get();
                if (w != null) {
                    w.onRow();
                }
            });
            Bench.await(watcher.subscribe("SELECT * FROM person").applied(), TIMEOUT);
            for (int i = 0; i < rows; i++) {
                Bench.await(writer.callReducer("add_person", "fan-seed-" + i, i % 100), TIMEOUT);
            }
            int[] ids = Bench.await(writer.oneOffQuery("SELECT * FROM person"), TIMEOUT).stream()
                    .mapToInt(r -> r.getInt("id")).toArray();
            Bench.log("seeded " + ids.length + " rows");

            int batch = 0;
            for (String phase : new String[] {"live", "backlog"}) {
                boolean hold = phase.equals("backlog");
                Bench.log(phase + ": warm-up of " + warmupUpdates + " updates");
                round(writer, ids, new Watch(warmupUpdates, hold), warmupUpdates, window, settleMs, batch++);
                Bench.log(phase + ": measuring " + updates + " updates");
                Map<String, Object> r = round(writer, ids, new Watch(updates, hold), updates, window, settleMs, batch++);
                out.put(phase, r);
                Bench.log(phase + ": " + Bench.json(r));
            }
            out.put("updates", updates);
            out.put("window", window);
            out.put("rows", ids.length);
            out.put("cacheRows", watcher.table("person").size());
        }
        System.out.println(Bench.json(out));
        System.exit(0);
    }

    private static Map<String, Object> round(Connection writer, int[] ids, Watch watch, int updates, int window, long settleMs,
                                             int batch) throws InterruptedException {
        CURRENT.set(watch);
        Semaphore inFlight = new Semaphore(window);
        AtomicLong failures = new AtomicLong();
        AtomicLong lastAck = new AtomicLong();
        CountDownLatch acked = new CountDownLatch(updates);
        long start = System.nanoTime();
        for (int i = 0; i < updates; i++) {
            inFlight.acquire();
            writer.callReducer("update_person", ids[i % ids.length], "fan-" + batch + "-" + i, i % 100).whenComplete((r, e) -> {
                if (e != null) {
                    failures.incrementAndGet();
                }
                lastAck.accumulateAndGet(System.nanoTime(), Math::max);
                inFlight.release();
                acked.countDown();
            });
        }
        if (!acked.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the writer's calls did not complete in " + TIMEOUT);
        }
        long writerDone = lastAck.get();
        long released = 0;
        if (watch.gate.getCount() > 0) {
            // Backlog: every row is committed; let the server push the remaining frames, then release the watcher.
            if (!watch.held.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("the watcher saw no row");
            }
            Thread.sleep(settleMs);
            released = System.nanoTime();
            watch.gate.countDown();
        }
        if (!watch.done.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("the watcher applied " + watch.count.get() + " of " + updates + " updates");
        }
        CURRENT.set(null);
        if (failures.get() > 0) {
            throw new IllegalStateException(failures.get() + " writer calls failed");
        }
        Map<String, Object> r = new java.util.LinkedHashMap<>();
        long from = released != 0 ? released : watch.first;
        double seconds = (watch.last - from) / 1e9;
        r.put("updatesPerSecond", Math.round((released != 0 ? updates : updates - 1) / seconds));
        r.put("seconds", Math.round(seconds * 1000) / 1000.0);
        r.put("writerCallsPerSecond", Math.round(updates / ((writerDone - start) / 1e9)));
        if (released == 0) {
            r.put("lagMs", Math.round((watch.last - writerDone) / 1e5) / 10.0);
        }
        return r;
    }
}
