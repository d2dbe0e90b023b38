package dev.stdb.secure.audit.file;

import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.List;

/**
 * Run in a child JVM with a small heap by {@link BoundedMemoryTest}: {@code <dir> <public key file> <every>
 * <principal>}. Verifies the trail at rest with signatures, verifies a time range through a trail opened on it, and
 * queries for the one event of {@code principal}; prints one line per step and exits 0 only if all succeed.
 */
public final class ForkedVerifyMain {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(
                new X509EncodedKeySpec(Files.readAllBytes(Path.of(args[1]))));
        long every = Long.parseLong(args[2]);
        long t0 = System.nanoTime();
        Verification all = FileAuditTrail.verifyAtRest(dir, key, every);
        System.out.println("AT REST " + all);
        System.out.println("took " + (System.nanoTime() - t0) / 1_000_000 + " ms"); // for the log, not asserted
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).verifyWith(key).checkpointTimer(false).open()) {
            Verification range = trail.verifyDetailed(Instant.parse("2026-01-01T00:00:00Z"),
                    Instant.parse("2026-01-01T00:01:40Z"));
            System.out.println("RANGE " + range);
            List<SecurityEvent> found = trail.query(AuditQuery.builder().principal(args[3]).limit(1).build());
            System.out.println("QUERY " + found.size());
            System.exit(all.intact() && range.intact() && found.size() == 1 ? 0 : 1);
        }
    }
}
