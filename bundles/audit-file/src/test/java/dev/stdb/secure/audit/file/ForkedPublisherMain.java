package dev.stdb.secure.audit.file;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * Run in a child JVM by {@link CrashTest}: {@code <dir> <public key file> <threads>}. Publishes events from several
 * threads forever and prints {@code ACK <event id>} after each publish returns, until it is killed.
 */
public final class ForkedPublisherMain {

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        KeyPair keys = Trails.ecKeys();
        Files.write(Path.of(args[1]), keys.getPublic().getEncoded());
        int threads = Integer.parseInt(args[2]);
        FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(50).segmentMaxBytes(64 * 1024).checkpointTimer(false).open();
        System.out.println("READY");
        System.out.flush();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                for (long i = 0; ; i++) {
                    SecurityEvent e = SecurityEvent.of(SecurityEventType.AUTH_SUCCESS, Outcome.SUCCESS)
                            .source("forked").principal("thread-" + id).detail("i", Long.toString(i)).build();
                    trail.publish(e);
                    synchronized (System.out) {
                        System.out.println("ACK " + e.id());
                        System.out.flush();
                    }
                }
            });
            th.start();
        }
    }
}
