package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.VerificationResult;
import dev.stdb.secure.audit.file.Verification.Kind;
import dev.stdb.secure.audit.file.internal.Codec;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.KeyPair;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of tampering is named with segment, line and sequence. The trail: 10 events with a checkpoint after
 * every 4, so lines 1-4 are events 1-4, line 5 the checkpoint (seq 5), lines 6-9 events (seq 6-9), line 10 a
 * checkpoint, lines 11-12 events (seq 11-12). Verified through the live trail, which knows it acknowledged seq 12.
 */
class TamperTest {

    @TempDir
    Path dir;

    private final KeyPair keys = Trails.ecKeys();
    private final KeyPair attacker = Trails.ecKeys();
    private FileAuditTrail trail;
    private Path segment;
    private List<String> lines;

    @BeforeEach
    void write() throws Exception {
        trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic()).checkpointEveryRecords(4)
                .checkpointTimer(false).open();
        for (int i = 0; i < 10; i++) {
            trail.publish(Trails.event(i));
        }
        segment = trail.segments().get(0);
        lines = Trails.lines(segment);
        assertEquals(12, lines.size());
        assertTrue(lines.get(4).contains("\"rec\":\"checkpoint\""));
        assertTrue(trail.verifyDetailed().intact());
    }

    @AfterEach
    void close() {
        trail.close();
    }

    private void expect(Kind kind, long line, long seq) throws Exception {
        Verification v = trail.verifyDetailed();
        assertFalse(v.intact(), "tampering not found");
        assertEquals(kind, v.kind(), v.toString());
        assertEquals(segment.getFileName().toString(), v.segment(), v.toString());
        assertEquals(line, v.line(), v.toString());
        assertEquals(seq, v.sequence(), v.toString());
        assertTrue(v.message().startsWith(kind + " at segment " + v.segment() + " line " + line + " (seq " + seq
                + ")"), v.message());
        VerificationResult r = trail.verify(null, null);
        assertFalse(r.intact());
        assertEquals(seq, r.problemSequence());
        assertEquals(v.message(), r.firstProblem());
    }

    @Test
    void editedField() throws Exception {
        assertTrue(lines.get(2).contains("\"n\":\"2\""));
        lines.set(2, lines.get(2).replace("\"n\":\"2\"", "\"n\":\"7\""));
        Trails.write(segment, lines);
        expect(Kind.MODIFIED, 3, 3);
    }

    @Test
    void editedFieldWithRecomputedHash() throws Exception {
        String edited = lines.get(2).replace("\"n\":\"2\"", "\"n\":\"7\"");
        lines.set(2, Trails.rebuild(edited, 3, Trails.hashOf(lines.get(1)), attacker));
        Trails.write(segment, lines);
        expect(Kind.MODIFIED, 4, 4); // record 4 no longer links to record 3
    }

    @Test
    void deletedLine() throws Exception {
        lines.remove(2);
        Trails.write(segment, lines);
        expect(Kind.DELETED, 3, 3);
    }

    @Test
    void insertedForgedLineWithRecomputedHash() throws Exception {
        String forged = Trails.rebuild(lines.get(2).replace("\"bob\"", "\"mallory\""), 3,
                Trails.hashOf(lines.get(1)), attacker);
        lines.add(2, forged);
        Trails.write(segment, lines);
        expect(Kind.INSERTED, 3, 3);
    }

    @Test
    void reorderedLines() throws Exception {
        String third = lines.get(2);
        lines.set(2, lines.get(3));
        lines.set(3, third);
        Trails.write(segment, lines);
        expect(Kind.REORDERED, 3, 3);
    }

    @Test
    void truncatedMidLineAtTheEnd() throws Exception {
        cut(Files.size(segment) - 20);
        expect(Kind.TRUNCATED, 12, 12);
    }

    @Test
    void truncatedMidLineInside() throws Exception {
        long offset = 0;
        for (int i = 0; i < 6; i++) {
            offset += lines.get(i).getBytes(StandardCharsets.UTF_8).length + 1;
        }
        cut(offset + 30); // inside line 7
        expect(Kind.TRUNCATED, 7, 7);
    }

    @Test
    void truncatedAtALineEnd() throws Exception {
        Trails.write(segment, lines.subList(0, 10));
        expect(Kind.TRUNCATED, 11, 11);
    }

    @Test
    void droppedCheckpoint() throws Exception {
        lines.remove(4);
        Trails.write(segment, lines);
        expect(Kind.DELETED, 5, 5);
    }

    @Test
    void droppedCheckpointWithTheChainRebuilt() throws Exception {
        lines.remove(4);
        Trails.write(segment, Trails.rechain(lines, 4, 5, attacker));
        expect(Kind.MISSING_CHECKPOINT, 5, 5); // the fifth event after the start
    }

    @Test
    void checkpointSignedWithAnotherKey() throws Exception {
        Trails.write(segment, Trails.rechain(lines, 4, 5, attacker));
        expect(Kind.FORGED_CHECKPOINT, 5, 5);
        Verification v = trail.verifyDetailed();
        assertTrue(v.message().contains(Codec.fingerprint(attacker.getPublic())), v.message());
    }

    @Test
    void checkpointSignatureReplacedButKeyNameKept() throws Exception {
        String byAttacker = Trails.rebuild(lines.get(4), 5, Trails.hashOf(lines.get(3)), attacker);
        lines.set(4, Trails.rehash(byAttacker.replace(Codec.fingerprint(attacker.getPublic()),
                Codec.fingerprint(keys.getPublic()))));
        List<String> tail = Trails.rechain(lines, 5, 6, attacker);
        tail.set(9, Trails.rehash(tail.get(9).replace(Codec.fingerprint(attacker.getPublic()),
                Codec.fingerprint(keys.getPublic()))));
        Trails.write(segment, tail);
        expect(Kind.FORGED_CHECKPOINT, 5, 5);
        assertTrue(trail.verifyDetailed().message().contains("does not verify"));
    }

    @Test
    void verifierCommandExitCodes() throws Exception {
        assertEquals(0, Verify.run(dir.toString(), "--every", "4"));
        lines.remove(2);
        Trails.write(segment, lines);
        assertEquals(1, Verify.run(dir.toString()));
        assertEquals(2, Verify.run());
    }

    private void cut(long size) throws Exception {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }
}
