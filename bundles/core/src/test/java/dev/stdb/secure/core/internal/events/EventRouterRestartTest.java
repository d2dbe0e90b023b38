package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.core.internal.events.EventFixtures.RecordingSink;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.stdb.secure.api.audit.SecurityEventType.AUDIT_FAILURE;
import static dev.stdb.secure.api.audit.SecurityEventType.AUTH_SUCCESS;
import static dev.stdb.secure.core.internal.events.EventFixtures.await;
import static dev.stdb.secure.core.internal.events.EventFixtures.event;
import static dev.stdb.secure.core.internal.events.EventFixtures.events;
import static org.junit.jupiter.api.Assertions.*;

/** The {@link EventRouter} with {@link FileSpool}s: spooled events outlive the router and the process. */
class EventRouterRestartTest {
    private static final String KEY = "dev.stdb.secure.audit.syslog";

    @TempDir
    Path dir;

    private EventRouter router(Duration closeGrace) {
        return EventRouter.builder().spoolDirectory(dir).initialBackoff(Duration.ofMillis(5))
                .maxBackoff(Duration.ofMillis(40)).closeGrace(closeGrace).build();
    }

    @Test
    void spooledEventsAreDeliveredByTheNextRouterWhenTheSinkKeyIsAdded() {
        List<SecurityEvent> sent = events(5);
        RecordingSink other = new RecordingSink();
        try (EventRouter first = router(Duration.ofMillis(200))) {
            first.addSink("other", other); // first, so it has each event before the failing sink spools it
            first.addSink(KEY, new RecordingSink(true));
            sent.forEach(first::emit);
            await("spooled", () -> first.spooled().getOrDefault(KEY, 0) == 6); // 5 + AUDIT_FAILURE
            assertEquals(sent, other.of(AUTH_SUCCESS));
        }
        assertTrue(Files.exists(FileSpool.journalFile(dir, KEY)));

        try (EventRouter second = router(Duration.ofMillis(200))) {
            assertEquals(0, second.spooled().size(), "spools are opened when their key is added");
            RecordingSink back = new RecordingSink();
            second.addSink(KEY, back);
            SecurityEvent later = event(5);
            second.emit(later);
            await("delivered after the restart", () -> back.of(AUTH_SUCCESS).size() == 6);
            List<SecurityEvent> expected = new ArrayList<>(sent);
            expected.add(later);
            assertEquals(expected, back.of(AUTH_SUCCESS));
            assertEquals(1, back.of(AUDIT_FAILURE).size());
            await("spool empty", () -> second.spooled().isEmpty());
        }
        assertFalse(Files.exists(FileSpool.journalFile(dir, KEY)), "an empty spool leaves no file");
    }

    @Test
    void closeWithAFailingSinkLeavesEveryQueuedEventInTheFileSpool() {
        List<SecurityEvent> sent = events(50);
        RecordingSink down = new RecordingSink(true);
        EventRouter router = router(Duration.ofMillis(100));
        router.addSink(KEY, down);
        sent.forEach(router::emit);
        router.close(); // immediately: most events are still queued

        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            List<SecurityEvent> kept = new ArrayList<>();
            while (!spool.isEmpty()) {
                kept.add(spool.peek());
                spool.removeHead();
            }
            kept.removeIf(e -> e.type() != AUTH_SUCCESS);
            assertEquals(sent, kept);
        }
        assertTrue(down.accepted.isEmpty());
    }

    @Test
    void closeWithoutGraceSpoolsQueuedEventsWithoutWaitingForTheSink() {
        List<SecurityEvent> sent = events(20);
        RecordingSink down = new RecordingSink(true);
        EventRouter router = router(Duration.ZERO);
        router.addSink(KEY, down);
        sent.forEach(router::emit);
        router.close();
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            List<SecurityEvent> kept = new ArrayList<>();
            while (!spool.isEmpty()) {
                kept.add(spool.peek());
                spool.removeHead();
            }
            kept.removeIf(e -> e.type() != AUTH_SUCCESS);
            assertEquals(sent, kept);
        }
    }

    @Test
    void aTornTrailingRecordIsDroppedAndTheEarlierOnesAreDelivered() throws IOException {
        List<SecurityEvent> sent = events(4);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.setLength(f.length() - 3);
        }
        try (EventRouter router = router(Duration.ofMillis(200))) {
            RecordingSink sink = new RecordingSink();
            router.addSink(KEY, sink);
            await("delivered", () -> sink.accepted.size() == 3);
            router.emit(event(9));
            await("then new events", () -> sink.accepted.size() == 4);
            assertEquals(sent.subList(0, 3), sink.accepted.subList(0, 3));
        }
    }

    @Test
    void anUnusableSpoolDirectoryFallsBackToMemoryAndLosesNothingWhileRunning() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        try (EventRouter router = EventRouter.builder().spoolDirectory(notADirectory)
                .initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(20)).build()) {
            RecordingSink sink = new RecordingSink(true);
            router.addSink(KEY, sink);
            List<SecurityEvent> sent = events(10);
            sent.forEach(router::emit);
            await("spooled", () -> router.spooled().getOrDefault(KEY, 0) == 11);
            sink.failing = false;
            await("delivered", () -> sink.of(AUTH_SUCCESS).size() == 10);
            assertEquals(sent, sink.of(AUTH_SUCCESS));
        }
    }
}
