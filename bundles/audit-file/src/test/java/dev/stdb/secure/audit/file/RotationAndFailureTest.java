package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.audit.file.Verification.Kind;
import dev.stdb.secure.testing.clock.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotationAndFailureTest {

    @TempDir
    Path tmp;

    private final KeyPair keys = Trails.ecKeys();
    private final ManualClock clock = new ManualClock();

    private FileAuditTrail.Builder builder(Path dir) {
        return FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic()).checkpointEveryRecords(7)
                .checkpointTimer(false).clock(clock);
    }

    /**
     * Makes {@code dir} unwritable: mode r-x, or, where that does not stop the test's user (root), the directory
     * moved aside and a plain file put in its place.
     */
    private void block(Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        if (Files.isWritable(dir)) {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            Files.move(dir, aside(dir));
            Files.writeString(dir, "in the way");
        }
    }

    private void unblock(Path dir) throws Exception {
        if (Files.isRegularFile(dir)) {
            Files.delete(dir);
            Files.move(aside(dir), dir);
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private static Path aside(Path dir) {
        return dir.resolveSibling(dir.getFileName() + ".aside");
    }

    @Test
    void rotationBySizeKeepsOneChain() throws Exception {
        Path dir = tmp.resolve("trail");
        try (FileAuditTrail trail = builder(dir).segmentMaxBytes(1500).open()) {
            for (int i = 0; i < 30; i++) {
                trail.publish(Trails.event(i));
            }
            List<Path> segments = trail.segments();
            assertTrue(segments.size() >= 6, segments.toString());
            List<Path> sorted = new ArrayList<>(segments);
            sorted.sort(null);
            assertEquals(sorted, segments);
            for (Path p : segments) {
                assertTrue(Files.size(p) <= 1500, p + " " + Files.size(p));
            }
            assertEquals(30, trail.query(AuditQuery.all()).size());
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());

            // the chain crosses segments: cutting the end of the first segment is found
            Path first = segments.get(0);
            List<String> lines = Trails.lines(first);
            Trails.write(first, lines.subList(0, lines.size() - 1));
            v = trail.verifyDetailed();
            assertEquals(Kind.TRUNCATED, v.kind(), v.toString());
            assertEquals(first.getFileName().toString(), v.segment());
            assertEquals(lines.size(), v.line());
            assertEquals(lines.size(), v.sequence());
        }
    }

    @Test
    void rotationByTimeAndTimedCheckpoints() throws Exception {
        Path dir = tmp.resolve("trail");
        try (FileAuditTrail trail = builder(dir).segmentMaxBytes(0).segmentMaxAge(Duration.ofMinutes(1))
                .checkpointEveryRecords(0).checkpointEvery(Duration.ofSeconds(30)).open()) {
            trail.publish(Trails.event(0));
            trail.publish(Trails.event(1));
            clock.advance(Duration.ofSeconds(31));
            trail.publish(Trails.event(2)); // 31 s since the start: a checkpoint follows it
            assertEquals(1, trail.segments().size());
            assertEquals(4, Trails.lines(trail.segments().get(0)).size());
            clock.advance(Duration.ofSeconds(31));
            trail.publish(Trails.event(3)); // segment is 62 s old: rotated first
            clock.advance(Duration.ofSeconds(61));
            trail.publish(Trails.event(4));
            assertEquals(3, trail.segments().size());
            clock.advance(Duration.ofSeconds(10));
            trail.checkpoint(); // what the timer does when idle
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
            assertEquals(null, v.tail(), "the last checkpoint covers everything");
            assertEquals(5, trail.query(AuditQuery.all()).size());
        }
        assertTrue(FileAuditTrail.verifyAtRest(dir, keys.getPublic(), 0).intact());
    }

    @Test
    void unwritableDirectoryRefusesAndRecovers() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("trail"));
        block(dir);
        try (FileAuditTrail trail = builder(dir).open()) {
            SecurityEvent lost = Trails.event(0);
            AuditException e = assertThrows(AuditException.class, () -> trail.publish(lost));
            assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, e.reason());
            assertTrue(e.getMessage().contains(dir.toString()), e.getMessage());

            unblock(dir);
            trail.publish(lost); // what the core's retry does
            trail.publish(Trails.event(1));
            assertEquals(List.of(lost, Trails.event(1)).size(), trail.query(AuditQuery.all()).size());
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
            assertEquals(2, v.recordsChecked());
        }
    }

    @Test
    void failedRotationRefusesAndTheChainResumes() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("trail"));
        try (FileAuditTrail trail = builder(dir).segmentMaxAge(Duration.ofMinutes(1)).open()) {
            trail.publish(Trails.event(0));
            block(dir);
            clock.advance(Duration.ofMinutes(2));
            AuditException e = assertThrows(AuditException.class, () -> trail.publish(Trails.event(1)));
            assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, e.reason());
            assertThrows(AuditException.class, () -> trail.publish(Trails.event(1)));
            unblock(dir);
            trail.publish(Trails.event(1));
            trail.publish(Trails.event(2));
            assertEquals(2, trail.segments().size());
            assertEquals(3, trail.query(AuditQuery.all()).size());
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
            assertFalse(v.recordsChecked() < 3);
        }
    }
}
