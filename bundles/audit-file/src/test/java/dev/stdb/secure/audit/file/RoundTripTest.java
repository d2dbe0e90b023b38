package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.audit.VerificationResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoundTripTest {

    @TempDir
    Path dir;

    private final KeyPair keys = Trails.ecKeys();

    private FileAuditTrail open() {
        return FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic()).checkpointEveryRecords(5)
                .checkpointTimer(false).open();
    }

    /**
     * Detail keys and values with unpaired surrogates (which UTF-8 cannot hold) are stored as U+FFFD by the event
     * itself, so the record reads back as that event and the trail verifies; {@code ?} in their place used to sort
     * keys differently and leave a record that could never verify.
     */
    @Test
    void unpairedSurrogatesPublishReadBackAndVerify() throws Exception {
        SecurityEvent e = SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING).principal("eve\udc00")
                .connection("\ud83d").source("test").detail("a\ud800", "lone high \ud800").detail("a\ue000", "x")
                .detail("b\ude00\ud83d", "reversed \ude00\ud83d, a pair \ud83d\ude00").build();
        try (FileAuditTrail trail = open()) {
            trail.publish(e);
            trail.publishAll(List.of(e, Trails.event(1)));
            assertEquals(List.of(e, e, Trails.event(1)).size(), trail.query(AuditQuery.all()).size());
            assertEquals(List.of(e, e), trail.query(AuditQuery.builder().principal("eve\ufffd").build()));
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
            assertEquals(3, v.recordsChecked());
        }
        assertTrue(FileAuditTrail.verifyAtRest(dir, keys.getPublic(), 5).intact());
    }

    @Test
    void everyFieldComesBackAndQueriesFilter() throws Exception {
        List<SecurityEvent> sent = new ArrayList<>();
        try (FileAuditTrail trail = open()) {
            SecurityEvent odd = SecurityEvent.of(SecurityEventType.PIN_MISMATCH, Outcome.FAILURE)
                    .time(Instant.parse("2026-02-03T04:05:06.123456789Z")).principal("ünï \"quoted\" \\ \n\t\u0001")
                    .connection(null).source("dev.stdb.secure.tls").detail("host", "a.example")
                    .detail("z", "{\"json\":[1,2]}").detail("empty", "").build();
            trail.publish(odd);
            sent.add(odd);
            for (int i = 0; i < 20; i++) {
                SecurityEvent e = Trails.event(i);
                trail.publish(e);
                sent.add(e);
            }
            assertEquals(sent, trail.query(AuditQuery.all()));
            assertEquals(List.of(odd), trail.query(AuditQuery.builder().types(SecurityEventType.PIN_MISMATCH)
                    .build()));
            Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
            assertEquals(sent.subList(3, 8), trail.query(AuditQuery.between(t0.plusSeconds(2), t0.plusSeconds(7))));
            List<SecurityEvent> alice = trail.query(AuditQuery.builder().principal("alice").build());
            assertEquals(7, alice.size());
            assertTrue(alice.stream().allMatch(e -> "alice".equals(e.principal())));
            List<SecurityEvent> conn = trail.query(AuditQuery.builder().connection("conn-1")
                    .types(SecurityEventType.CONNECTED).limit(3).build());
            assertEquals(List.of(sent.get(2), sent.get(4), sent.get(6)), conn);

            VerificationResult r = trail.verify(null, null);
            assertTrue(r.intact(), r.toString());
            assertEquals(21 + 4, r.recordsChecked()); // 21 events, a checkpoint after every 5
            // events 0..19 are at t0 + i s; the odd one in 2026-02; checkpoints carry the writer's (real) time
            VerificationResult ranged = trail.verify(t0.plusSeconds(2), t0.plusSeconds(7));
            assertTrue(ranged.intact());
            assertEquals(5, ranged.recordsChecked());
        }
        Verification atRest = FileAuditTrail.verifyAtRest(dir, keys.getPublic(), 5);
        assertTrue(atRest.intact(), atRest.toString());
        assertTrue(atRest.signaturesChecked());
        assertEquals(21 + 5, atRest.recordsChecked(), "closing seals the trail with a last checkpoint");
        assertEquals(null, atRest.tail());
    }

    @Test
    void secretsNeverReachTheFile() throws Exception {
        String value = "s3cr3t-Token-Value-4242";
        try (FileAuditTrail trail = open(); Secret secret = Secret.ofString(value)) {
            trail.publish(SecurityEvent.of(SecurityEventType.TOKEN_ISSUED, Outcome.SUCCESS).source("test")
                    .detail("token", secret).build());
            String text = Files.readString(trail.segments().get(0), StandardCharsets.UTF_8);
            assertFalse(text.contains(value), text);
            assertTrue(text.contains(secret.fingerprint()), text);
        }
    }

    @Test
    void reopeningContinuesTheChainInANewSegment() throws Exception {
        try (FileAuditTrail trail = open()) {
            for (int i = 0; i < 3; i++) {
                trail.publish(Trails.event(i));
            }
        }
        try (FileAuditTrail trail = open()) {
            for (int i = 3; i < 6; i++) {
                trail.publish(Trails.event(i));
            }
            assertEquals(2, trail.segments().size());
            assertEquals(6, trail.query(AuditQuery.all()).size());
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
        }
    }
}
