package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link FileAuditTrail#publishAll}: a batch is one append and one fsync, with the chain and checkpoints exact. */
class PublishAllTest {

    @TempDir
    Path dir;

    private static List<SecurityEvent> events(int from, int count) {
        List<SecurityEvent> list = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            list.add(Trails.event(i));
        }
        return list;
    }

    private static List<String> ids(List<SecurityEvent> events) {
        List<String> out = new ArrayList<>();
        for (SecurityEvent e : events) {
            out.add(e.id() + "/" + e.details().get("n"));
        }
        return out;
    }

    @Test
    void aBatchIsOneFsyncWithCheckpointsEveryNRecords() throws Exception {
        KeyPair keys = Trails.ecKeys();
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(100).checkpointEvery(Duration.ZERO).checkpointTimer(false).open()) {
            List<SecurityEvent> first = events(0, 250);
            trail.publishAll(first);
            assertEquals(1, trail.syncs(), "one fsync for the whole batch");
            assertEquals(252, trail.headSequence(), "250 events and checkpoints after the 100th and 200th");
            SecurityEvent single = Trails.event(250);
            trail.publish(single);
            List<SecurityEvent> second = events(251, 60);
            trail.publishAll(second);
            assertEquals(3, trail.syncs());
            assertEquals(314, trail.headSequence(), "the count carries over: a checkpoint after the 300th event");
            List<SecurityEvent> all = new ArrayList<>(first);
            all.add(single);
            all.addAll(second);
            assertEquals(ids(all), ids(trail.query(AuditQuery.all())), "every event, in order");
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
        }
        assertTrue(FileAuditTrail.verifyAtRest(dir, null, 100).intact());
    }

    @Test
    void aFailureInsideTheBatchReportsTheAcceptedPrefix() throws Exception {
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).checkpointTimer(false).open()) {
            List<SecurityEvent> batch = Arrays.asList(Trails.event(0), Trails.event(1), null, Trails.event(3));
            AuditException e = assertThrows(AuditException.class, () -> trail.publishAll(batch));
            assertEquals(2, e.acceptedCount());
            assertEquals(1, trail.syncs(), "the accepted prefix was made durable before the failure was reported");
            assertEquals(ids(batch.subList(0, 2)), ids(trail.query(AuditQuery.all())));

            List<SecurityEvent> nothing = Arrays.asList(null, Trails.event(4));
            assertThrows(NullPointerException.class, () -> trail.publishAll(nothing), "nothing accepted: as is");
            trail.publishAll(List.of());
            assertEquals(1, trail.syncs());
            assertTrue(trail.verifyDetailed().intact());
        }
    }

    @Test
    void aClosedTrailAcceptsNothing() {
        FileAuditTrail trail = FileAuditTrail.builder(dir).checkpointTimer(false).open();
        trail.close();
        AuditException e = assertThrows(AuditException.class, () -> trail.publishAll(events(0, 3)));
        assertEquals(0, e.acceptedCount());
    }
}
