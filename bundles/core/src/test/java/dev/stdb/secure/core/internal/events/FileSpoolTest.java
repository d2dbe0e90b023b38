package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static dev.stdb.secure.core.internal.events.EventFixtures.event;
import static dev.stdb.secure.core.internal.events.EventFixtures.events;
import static org.junit.jupiter.api.Assertions.*;

/** The journal format of {@link FileSpool}: durability, torn records, delivered prefixes, compaction. */
class FileSpoolTest {
    private static final String KEY = "dev.stdb.secure.audit.file~trail 1";

    @TempDir
    Path dir;

    @Test
    void eventsSurviveReopeningInOrder() {
        List<SecurityEvent> sent = events(5);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
            assertEquals(5, spool.size());
            assertEquals(sent.get(0), spool.peek());
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(sent, drain(spool));
        }
    }

    @Test
    void deliveredEventsStayDeliveredAfterReopening() {
        List<SecurityEvent> sent = events(5);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
            spool.removeHead();
            spool.removeHead();
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(sent.subList(2, 5), drain(spool));
        }
    }

    @Test
    void filesAreRemovedWhenTheSpoolEmpties() throws IOException {
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            spool.append(event(1));
            assertTrue(Files.exists(FileSpool.journalFile(dir, KEY)));
            spool.removeHead();
            assertTrue(spool.isEmpty());
            assertNull(spool.peek());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(), files.toList());
        }
    }

    @Test
    void aTornTrailingRecordIsTruncatedAndEarlierRecordsSurvive() throws IOException {
        List<SecurityEvent> sent = events(3);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        long size = Files.size(journal);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.setLength(size - 7); // crash in the middle of writing the third record
        }
        SecurityEvent later = event(99);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(2, spool.size());
            spool.append(later); // goes after the last good record, not after the torn bytes
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(List.of(sent.get(0), sent.get(1), later), drain(spool));
        }
    }

    @Test
    void aCorruptTrailingRecordIsDetectedByItsCrc() throws IOException {
        List<SecurityEvent> sent = events(3);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(f.length() - 10);
            int b = f.read();
            f.seek(f.length() - 10);
            f.write(b ^ 0xff);
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(sent.subList(0, 2), drain(spool));
        }
    }

    @Test
    void garbageAfterTheLastRecordIsTruncated() throws IOException {
        List<SecurityEvent> sent = events(2);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        long size = Files.size(journal);
        Files.write(journal, new byte[] {0, 0, 0, 42, 1, 2}, java.nio.file.StandardOpenOption.APPEND);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(2, spool.size());
        }
        assertEquals(size, Files.size(journal));
    }

    @Test
    void aDamagedHeaderIsMovedAsideNotFatal() throws IOException {
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            spool.append(event(1));
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        try (RandomAccessFile f = new RandomAccessFile(journal.toFile(), "rw")) {
            f.seek(9);
            f.write(0x55);
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertTrue(spool.isEmpty());
            spool.append(event(2));
            assertEquals(1, spool.size());
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertTrue(files.anyMatch(p -> p.getFileName().toString().contains(".corrupt-")));
        }
    }

    @Test
    void aDeliveredPrefixIsCompactedAway() throws IOException {
        String big = "x".repeat(40_000);
        List<SecurityEvent> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 60; i++) {
            sent.add(SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).source("test")
                    .detail("n", Integer.toString(i)).detail("padding", big).build());
        }
        Path journal = FileSpool.journalFile(dir, KEY);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
            long full = Files.size(journal);
            for (int i = 0; i < 40; i++) {
                spool.removeHead();
            }
            assertTrue(Files.size(journal) < full / 2, "journal was compacted");
            assertEquals(sent.get(40), spool.peek());
            spool.append(sent.get(0)); // appending after compaction goes to the new journal
        }
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            List<SecurityEvent> rest = drain(spool);
            assertEquals(21, rest.size());
            assertEquals(sent.subList(40, 60), rest.subList(0, 20));
            assertEquals(sent.get(0), rest.get(20));
        }
    }

    @Test
    void aStaleOrDamagedOffsetFileMeansRedeliveryNotLoss() throws IOException {
        List<SecurityEvent> sent = events(3);
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            sent.forEach(spool::append);
            spool.removeHead();
        }
        Path offset = dir.resolve(FileSpool.baseName(KEY) + ".offset");
        assertTrue(Files.exists(offset));
        Files.write(offset, new byte[] {1, 2, 3});
        try (FileSpool spool = FileSpool.open(dir, KEY)) {
            assertEquals(sent, drain(spool));
        }
    }

    @Test
    void everyFieldRoundTrips() throws IOException {
        SecurityEvent full = SecurityEvent.of(SecurityEventType.PIN_MISMATCH, Outcome.FAILURE)
                .id(UUID.randomUUID()).time(Instant.ofEpochSecond(1_700_000_000L, 123_456_789))
                .principal("bob ü").connection(null).source("dev.stdb.secure.tls")
                .detail("pin", "sha256/abc").detail("host", "db.example").build();
        assertEquals(full, EventCodec.decode(EventCodec.encode(full)));
        SecurityEvent bare = SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.INFO).source("s").build();
        assertEquals(bare, EventCodec.decode(EventCodec.encode(bare)));
        assertThrows(IOException.class, () -> EventCodec.decode(new byte[] {1, 2, 3}));
    }

    @Test
    void keysMapToDistinctSafeFileNames() {
        String a = FileSpool.baseName("../etc/passwd");
        String b = FileSpool.baseName("__etc_passwd");
        assertNotEquals(a, b);
        assertTrue(a.matches("[A-Za-z0-9._-]+"), a);
        assertFalse(a.contains("/"));
        assertTrue(FileSpool.baseName("k".repeat(1000)).length() < 70);
    }

    private static List<SecurityEvent> drain(EventSpool spool) {
        List<SecurityEvent> out = new java.util.ArrayList<>();
        while (!spool.isEmpty()) {
            out.add(spool.peek());
            spool.removeHead();
        }
        return out;
    }
}
