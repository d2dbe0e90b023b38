package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.SecurityEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Verifying and querying a trail takes memory bounded by its longest record, not by its length: a trail of
 * {@value #EVENTS} events verifies (signatures included) and is queried to its last record in a JVM whose heap could
 * not hold the records (64 MiB for about 300 KiB of segments per thousand events).
 */
class BoundedMemoryTest {

    private static final int EVENTS = 300_000;
    private static final int EVERY = 1000;

    @TempDir
    Path dir;

    @Test
    void aLongTrailVerifiesInASmallHeap() throws Exception {
        KeyPair keys = Trails.ecKeys();
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(EVERY).checkpointTimer(false).open()) {
            List<SecurityEvent> batch = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                batch.add(i == EVENTS - 1 ? SecurityEvent.of(Trails.event(i).type(), Trails.event(i).outcome())
                        .source("test").principal("the last one").build() : Trails.event(i));
                if (batch.size() == 10_000 || i == EVENTS - 1) {
                    trail.publishAll(batch);
                    batch.clear();
                }
            }
        }
        Path key = dir.resolveSibling(dir.getFileName() + ".key");
        Files.write(key, keys.getPublic().getEncoded());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ForkedVerifyMain.class.getName(), dir.toString(), key.toString(), Integer.toString(EVERY),
                "the last one").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES), out);
        System.out.println(out); // the child's result and timing, in the test's log
        assertEquals(0, p.exitValue(), out);
        long records = EVENTS + EVENTS / EVERY;
        assertTrue(out.contains("AT REST intact: " + records + " records\n")
                || out.contains("AT REST intact: " + records + " records;"), out);
        assertTrue(out.contains("RANGE intact: 100 records"), out); // events 0..99 fall in the first 100 seconds
        assertTrue(out.contains("QUERY 1"), out);
    }
}
