package dev.stdb.secure.audit.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.testing.rsyslog.Rsyslog;
import dev.stdb.secure.testing.rsyslog.SyslogMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TLS (RFC 5425) against rsyslogd's gtls stream driver, with a CA and server certificate made by Bouncy Castle. */
class RsyslogTlsTest {

    @Test
    void eventsArriveOverTlsAndAnUntrustedServerIsRefused() throws Exception {
        Path dir = Path.of("target", "rsyslog", "tls-" + System.nanoTime()).toAbsolutePath();
        TestPki pki = new TestPki("syslog test CA");
        try (Rsyslog rsyslog = new Rsyslog(dir, pki.server(dir.resolve("pki"), "127.0.0.1"))) {
            rsyslog.start();
            try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", rsyslog.port)
                    .tls(pki.provider()).build()) {
                int n = 300;
                for (int i = 0; i < n; i++) {
                    sink.publish(Events.numbered(i));
                }
                List<String> lines = rsyslog.await(l -> l.size() >= n, Duration.ofSeconds(60));
                assertEquals(n, lines.size());
                for (int i = 0; i < n; i++) {
                    SyslogMessage p = SyslogMessage.parse(lines.get(i));
                    assertEquals(i + 1, p.seq());
                    assertEquals(Integer.toString(i), p.params().get("n"));
                }
            }
            // a client that trusts another CA refuses the handshake: nothing is sent
            TestPki other = new TestPki("other CA");
            try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", rsyslog.port)
                    .tls(other.provider()).build()) {
                AuditException x = assertThrows(AuditException.class, () -> sink.publish(Events.numbered(-1)));
                assertTrue(x.getMessage().contains("127.0.0.1:" + rsyslog.port), x.getMessage());
                assertTrue(x.getMessage().contains("over tls"), x.getMessage());
                assertTrue(x.getMessage().contains("SSLHandshakeException"), x.getMessage());
            }
            // a server certificate for another address fails host name verification
            Path dir2 = dir.resolve("wrong-name");
            try (Rsyslog wrong = new Rsyslog(dir2, pki.server(dir2.resolve("pki"), "10.9.8.7"))) {
                wrong.start();
                try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", wrong.port)
                        .tls(pki.provider()).build()) {
                    AuditException x = assertThrows(AuditException.class,
                            () -> sink.publish(Events.numbered(-2)));
                    assertTrue(x.getMessage().contains("SSLHandshakeException"), x.getMessage());
                }
            }
            assertEquals(300, rsyslog.lines().size());
        }
    }
}
