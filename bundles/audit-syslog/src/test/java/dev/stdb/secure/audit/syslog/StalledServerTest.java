package dev.stdb.secure.audit.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A syslog server that accepts the connection and then never reads: once the socket buffers are full a write would
 * block for ever (and the core's router with it). The sink gives up after its write timeout with a typed error, so the
 * router spools the event.
 */
class StalledServerTest {

    @Test
    @org.junit.jupiter.api.Timeout(120) // without the write deadline this test would hang, not fail
    void aServerThatStopsReadingMakesPublishFailAfterTheWriteTimeout() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.setReceiveBufferSize(4096);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            // the accepted socket is kept reachable: a Socket nobody references is closed by the GC (a reset)
            java.util.concurrent.atomic.AtomicReference<Socket> accepted = new java.util.concurrent.atomic.AtomicReference<>();
            Thread acceptor = new Thread(() -> {
                try {
                    Socket s = server.accept(); // held open, never read
                    s.setReceiveBufferSize(4096);
                    accepted.set(s);
                } catch (Exception e) {
                    // the server closes at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", server.getLocalPort())
                    .writeTimeout(Duration.ofMillis(500)).build()) {
                String padding = "x".repeat(8 * 1024);
                AuditException failure = null;
                long start = System.nanoTime();
                for (int i = 0; i < 20_000 && failure == null; i++) {
                    SecurityEvent e = SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.SUCCESS)
                            .source("test").detail("padding", padding).build();
                    try {
                        sink.publish(e);
                    } catch (AuditException refused) {
                        failure = refused;
                    }
                }
                assertNotNull(failure, "160 MB written to a server that never reads, without a failure");
                assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, failure.reason());
                assertTrue(failure.getMessage().contains("timed out after 500 ms"), failure.getMessage());
                assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60, "gave up in time");
            } finally {
                Socket s = accepted.get();
                if (s != null) {
                    s.close();
                }
            }
        }
    }
}
