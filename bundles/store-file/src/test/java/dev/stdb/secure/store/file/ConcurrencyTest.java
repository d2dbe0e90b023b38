package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.open;
import static dev.stdb.secure.store.file.Stores.secret;
import static dev.stdb.secure.store.file.Stores.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Writers in threads and in other processes share one store; a writer killed mid-work leaves a readable store. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConcurrencyTest {

    @TempDir
    Path tmp;

    @Test
    void concurrentThreadsOnTwoInstancesLoseNoWrite() throws Exception {
        Path dir = tmp.resolve("real").resolve("s");
        Files.createDirectories(dir.getParent());
        // the second instance names the directory through a symbolic link to its parent: still one lock per JVM
        Path alias = Files.createSymbolicLink(tmp.resolve("link"), dir.getParent()).resolve("s");
        int threads = 4;
        int perThread = 25;
        try (EncryptedFileStore a = open(dir); EncryptedFileStore b = open(alias)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                EncryptedFileStore s = t % 2 == 0 ? a : b;
                int id = t;
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        s.write("t" + id + "-" + i, secret("v" + id + "-" + i));
                    }
                    return null;
                }));
            }
            work.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < 50; i++) {
                    a.list();
                    b.read("t0-0").ifPresent(x -> x.destroy());
                }
                return null;
            }));
            start.countDown();
            for (Future<?> f : work) {
                f.get(2, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertEquals(threads * perThread, a.list().size());
            for (int t = 0; t < threads; t++) {
                for (int i = 0; i < perThread; i++) {
                    assertEquals("v" + t + "-" + i, text(b.read("t" + t + "-" + i).orElseThrow()));
                }
            }
            a.verify();
        }
    }

    @Test
    void readersOfTheRotatingInstanceNeverSeeAWrongKey() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore s = open(dir, "first")) {
            s.write("k", secret("v"));
            ExecutorService pool = Executors.newFixedThreadPool(2);
            java.util.concurrent.atomic.AtomicBoolean rotating = new java.util.concurrent.atomic.AtomicBoolean(true);
            List<Future<Integer>> readers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                readers.add(pool.submit(() -> {
                    int reads = 0;
                    while (rotating.get()) {
                        assertEquals("v", text(s.read("k").orElseThrow()));
                        reads++;
                    }
                    return reads;
                }));
            }
            for (int i = 0; i < 20; i++) {
                s.rotatePassphrase(secret(i % 2 == 0 ? "second" : "first"));
            }
            rotating.set(false);
            for (Future<Integer> f : readers) {
                assertTrue(f.get(1, TimeUnit.MINUTES) > 0);
            }
            pool.shutdown();
        }
    }

    @Test
    void twoProcessesWritingAtOnceLoseNoWrite() throws Exception {
        Path dir = tmp.resolve("s");
        open(dir).close();
        int count = 30;
        try (Child one = Child.start(dir, Stores.PASS, "write", dir.toString(), "p1", "" + count);
             Child two = Child.start(dir, Stores.PASS, "write", dir.toString(), "p2", "" + count)) {
            one.awaitLine("ready");
            two.awaitLine("ready");
            one.go();
            two.go();
            one.awaitLine("done");
            two.awaitLine("done");
            assertEquals(0, one.process.waitFor());
            assertEquals(0, two.process.waitFor());
        }
        try (EncryptedFileStore s = open(dir)) {
            s.verify();
            Set<String> keys = s.list();
            assertEquals(2 * count, keys.size(), keys.toString());
            for (String p : List.of("p1", "p2")) {
                for (int i = 0; i < count; i++) {
                    assertEquals("value-" + p + "-" + i, text(s.read(p + "-" + i).orElseThrow()));
                }
            }
        }
    }

    @Test
    void aWriterKilledMidWriteLeavesTheOldOrTheNewValue() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore s = open(dir)) {
            for (int i = 0; i < 100; i++) {
                // a bigger file (about 400 KB): a longer window in which the kill finds a temp file half written
                s.write("filler-" + i, secret(("filler value " + i + " ").repeat(300)));
            }
        }
        int tempsSeen = 0;
        for (int round = 0; round < 4; round++) {
            long lastReported;
            try (Child child = Child.start(dir, Stores.PASS, "write-forever", dir.toString(), "counter")) {
                child.awaitLine("ready");
                child.go();
                child.awaitLines("wrote ", 10);
                jitter(round);
                child.process.destroyForcibly();
                assertTrue(child.process.waitFor(1, TimeUnit.MINUTES));
                lastReported = child.lastNumber("wrote ");
            }
            tempsSeen += temps(dir).size();
            try (EncryptedFileStore s = open(dir)) {
                s.verify();
                long value = Long.parseLong(text(s.read("counter").orElseThrow()));
                // the last write reported, or the one after it, done before the kill but not yet reported
                assertTrue(value == lastReported || value == lastReported + 1, value + " vs " + lastReported);
                assertEquals(101, s.list().size());
            }
            assertEquals(List.of(), temps(dir), "open removed what the killed writer left");
        }
        System.out.println("killed writers left " + tempsSeen + " temp files in 4 rounds");
    }

    /**
     * Moves the kill to a random point of the child's loop (one write of the 400 KB file takes tens of ms, the temp
     * file exists for about a quarter of it). Not a wait for a condition: nothing is asserted about the timing.
     */
    private static void jitter(int round) {
        java.util.concurrent.locks.LockSupport.parkNanos(
                java.util.concurrent.ThreadLocalRandom.current().nextLong(TimeUnit.MILLISECONDS.toNanos(80)));
    }

    @Test
    void aRotationKilledMidWayLeavesTheOldOrTheNewStore() throws Exception {
        Path dir = tmp.resolve("s");
        String a = "passphrase A";
        String b = "passphrase B";
        try (EncryptedFileStore s = open(dir, a)) {
            for (int i = 0; i < 200; i++) {
                s.write("k" + i, secret("value " + i + " ".repeat(2000)));
            }
        }
        String current = a;
        int tempsSeen = 0;
        for (int round = 0; round < 3; round++) {
            try (Child child = Child.start(dir, current, "rotate-forever", dir.toString(), a, b)) {
                child.awaitLine("ready");
                child.go();
                child.awaitLines("rotated ", 3);
                jitter(round);
                child.process.destroyForcibly();
                assertTrue(child.process.waitFor(1, TimeUnit.MINUTES));
                assertTrue(child.lastNumber("rotated ") >= 3);
            }
            tempsSeen += temps(dir).size();
            // the store is under A or under B, whole: never a mix, never neither
            try (EncryptedFileStore s = openEither(dir, a, b)) {
                s.verify();
                assertEquals(200, s.list().size());
                for (int i = 0; i < 200; i++) {
                    assertEquals("value " + i + " ".repeat(2000), text(s.read("k" + i).orElseThrow()));
                }
            }
            current = opens(dir, a) ? a : b;
        }
        System.out.println("killed rotations left " + tempsSeen + " temp files in 3 rounds");
    }

    private static boolean opens(Path dir, String pass) {
        try (EncryptedFileStore s = open(dir, pass)) {
            return true;
        } catch (CredentialStoreException e) {
            return false;
        }
    }

    private static EncryptedFileStore openEither(Path dir, String a, String b) {
        try {
            return open(dir, a);
        } catch (CredentialStoreException e) {
            assertEquals(ReasonCode.STORE_LOCKED, e.reason(), e.getMessage());
            return open(dir, b);
        }
    }

    private static List<Path> temps(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().contains(".tmp-")).collect(Collectors.toList());
        }
    }

    /** A forked JVM running {@link ForkedStoreMain}, its output lines collected as they arrive. */
    static final class Child implements AutoCloseable {
        final Process process;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private volatile boolean ended;

        private Child(Process process) {
            this.process = process;
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        lines.add(line);
                        signal();
                    }
                } catch (Exception e) {
                    // the process was killed
                } finally {
                    ended = true;
                    signal();
                }
            }, "child-output");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(Path dir, String pass, String... args) throws Exception {
            List<String> cmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    ForkedStoreMain.class.getName()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            pb.environment().put("STDB_TEST_PASS", pass);
            return new Child(pb.start());
        }

        private void signal() {
            lock.lock();
            try {
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void go() throws Exception {
            OutputStream in = process.getOutputStream();
            in.write("go\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        void awaitLine(String line) throws Exception {
            awaitCount(l -> l.equals(line), 1, line);
        }

        void awaitLines(String prefix, int n) throws Exception {
            awaitCount(l -> l.startsWith(prefix), n, n + " x " + prefix);
        }

        private void awaitCount(java.util.function.Predicate<String> match, int n, String what) throws Exception {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            lock.lock();
            try {
                while (lines.stream().filter(match).count() < n) {
                    if (ended) {
                        throw new AssertionError("child ended before '" + what + "': " + lines);
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new AssertionError("timed out waiting for '" + what + "': " + lines);
                    }
                    changed.awaitNanos(left);
                }
            } finally {
                lock.unlock();
            }
        }

        long lastNumber(String prefix) throws Exception {
            lock.lock();
            try {
                long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
                while (!ended && System.nanoTime() < deadline) {
                    changed.awaitNanos(deadline - System.nanoTime());
                }
            } finally {
                lock.unlock();
            }
            long last = -1;
            for (String l : lines) {
                if (l.startsWith(prefix)) {
                    last = Long.parseLong(l.substring(prefix.length()).trim());
                }
            }
            return last;
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
        }
    }
}
