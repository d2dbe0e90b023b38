package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.core.internal.events.EventRouter;
import dev.stdb.secure.sandbox.Sandbox;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The core's event router with the file trail as a sink (as the OSGi connection component wires it): the events of
 * a real connection to the sandbox arrive in the trail, which verifies.
 */
class RouterIntegrationTest {

    @TempDir
    Path dir;

    @Test
    void eventsOfAConnectionArriveInTheTrail() throws Exception {
        KeyPair keys = Trails.ecKeys();
        try (Sandbox sandbox = Sandbox.builder().start();
             FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                     .checkpointEveryRecords(2).checkpointTimer(false).open();
             EventRouter router = EventRouter.builder().spoolDirectory(dir.resolveSibling(dir.getFileName()
                     + "-spool")).build()) {
            router.addSink("dev.stdb.secure.audit.file~test", trail);
            Connection c = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                    .events(router).connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
            c.close();
            List<SecurityEvent> connected = awaitEvents(trail, SecurityEventType.CONNECTED);
            assertEquals(1, connected.size());
            assertTrue(connected.get(0).principal() != null);
            Verification v = trail.verifyDetailed();
            assertTrue(v.intact(), v.toString());
        }
    }

    /** Polls the trail until an event of {@code type} is there (the router delivers asynchronously). */
    private static List<SecurityEvent> awaitEvents(FileAuditTrail trail, SecurityEventType type) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        AuditQuery q = AuditQuery.builder().types(type).build();
        while (true) {
            List<SecurityEvent> found = trail.query(q);
            if (!found.isEmpty() || System.nanoTime() > deadline) {
                return found;
            }
            Thread.sleep(20);
        }
    }
}
