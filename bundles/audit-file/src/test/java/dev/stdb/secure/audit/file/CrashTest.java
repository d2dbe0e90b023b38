package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A JVM publishing from several threads is killed mid-burst: every record it acknowledged is in the trail, and the
 * trail verifies (a cut last line is the unacknowledged tail, not tampering); a new writer continues the chain.
 */
class CrashTest {

    @TempDir
    Path tmp;

    @Test
    void killedMidBurstLosesNothingAcknowledged() throws Exception {
        for (int round = 0; round < 3; round++) {
            Path dir = tmp.resolve("trail-" + round);
            Path pub = tmp.resolve("pub-" + round);
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx128m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    ForkedPublisherMain.class.getName(), dir.toString(), pub.toString(), "6")
                    .redirectError(ProcessBuilder.Redirect.INHERIT);
            Process child = pb.start();
            Set<UUID> acked = new HashSet<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = readLine(out)) != null) {
                    if (line.startsWith("ACK ")) {
                        acked.add(UUID.fromString(line.substring(4)));
                        if (acked.size() == 400 + 300 * round) {
                            child.destroyForcibly();
                        }
                    }
                }
            } finally {
                child.destroyForcibly();
                assertTrue(child.waitFor(1, TimeUnit.MINUTES));
            }
            assertTrue(acked.size() >= 400 + 300 * round);
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(Files.readAllBytes(pub)));

            Verification atRest = FileAuditTrail.verifyAtRest(dir, key, 50);
            assertTrue(atRest.intact(), atRest.toString());
            assertTrue(atRest.recordsChecked() >= acked.size());

            try (FileAuditTrail trail = FileAuditTrail.builder(dir).verifyWith(key).checkpointTimer(false)
                    .checkpointEveryRecords(50).signWith(Trails.ecKeys().getPrivate(), key).open()) {
                Set<UUID> stored = trail.query(AuditQuery.all()).stream().map(SecurityEvent::id)
                        .collect(Collectors.toSet());
                Set<UUID> missing = new HashSet<>(acked);
                missing.removeAll(stored);
                assertEquals(Set.of(), missing, "acknowledged but not in the trail");
            }
        }
    }

    /** A line, or null at the end or once the killed child's stream is closed. */
    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (java.io.IOException e) {
            return null;
        }
    }

    @Test
    void aNewWriterContinuesAfterACutLine() throws Exception {
        Path dir = tmp.resolve("trail");
        var keys = Trails.ecKeys();
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(50).checkpointTimer(false).open()) {
            for (int i = 0; i < 5; i++) {
                trail.publish(Trails.event(i));
            }
        }
        Path seg = FileAuditTrail.listSegments(dir).get(0);
        Files.writeString(seg, "{\"seq\":7,\"prev\":\"00", java.nio.file.StandardOpenOption.APPEND); // torn
        Verification torn = FileAuditTrail.verifyAtRest(dir, keys.getPublic(), 50);
        assertTrue(torn.intact(), torn.toString());
        assertTrue(torn.tail().contains("never acknowledged"), torn.tail());
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(50).checkpointTimer(false).open()) {
            trail.publish(Trails.event(5));
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
            assertTrue(v.tail().contains("cut line"), v.tail());
            List<SecurityEvent> all = trail.query(AuditQuery.all());
            assertEquals(6, all.size());
        }
    }
}
