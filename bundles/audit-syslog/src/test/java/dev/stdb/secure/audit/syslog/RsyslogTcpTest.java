package dev.stdb.secure.audit.syslog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.testing.rsyslog.Rsyslog;
import dev.stdb.secure.testing.rsyslog.SyslogMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Plain TCP with octet counting against a real rsyslogd. */
class RsyslogTcpTest {

    private static Path dir(String name) {
        return Path.of("target", "rsyslog", name + "-" + System.nanoTime()).toAbsolutePath();
    }

    @Test
    void eventsArriveAsRfc5424WithStructuredDataIntact() throws Exception {
        try (Rsyslog rsyslog = new Rsyslog(dir("tcp"), null)) {
            rsyslog.start();
            try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", rsyslog.port).tcp()
                    .appName("stdb-test").hostname("client.example").facility(10).build()) {
                int n = 500;
                for (int i = 0; i < n; i++) {
                    sink.publish(Events.numbered(i));
                }
                UUID id = UUID.randomUUID();
                Instant t = Instant.parse("2026-01-02T03:04:05.123456789Z");
                String nasty = "a]b\"c\\d ] \"\" \\\\ end]";
                sink.publish(SecurityEvent.of(SecurityEventType.PIN_MISMATCH, Outcome.FAILURE).id(id).time(t)
                        .source("dev.stdb.secure.tls").principal("bob]\"\\").connection("conn \"x\"")
                        .detail("reason", nasty).detail("has space", "v=1").detail("seq", "not the seq")
                        .detail("ünïcode", "wert ü").build());

                List<String> lines = rsyslog.await(l -> l.size() >= n + 1, Duration.ofSeconds(60));
                assertEquals(n + 1, lines.size(), "one line per event, no duplicates on a healthy connection");
                for (int i = 0; i < n; i++) {
                    SyslogMessage p = SyslogMessage.parse(lines.get(i));
                    assertEquals(10 * 8 + 5, p.pri(), "authpriv.notice for SUCCESS");
                    assertEquals("client.example", p.hostname());
                    assertEquals("stdb-test", p.appName());
                    assertEquals(Long.toString(ProcessHandle.current().pid()), p.procId());
                    assertEquals("AUTH_SUCCESS", p.msgId());
                    assertEquals(Rfc5424.SD_ID, p.sdId());
                    assertEquals(i + 1, p.seq());
                    assertEquals(Integer.toString(i), p.params().get("n"));
                    assertEquals("alice", p.params().get("principal"));
                    assertEquals("prod", p.params().get("connection"));
                    assertEquals("AUTH_SUCCESS SUCCESS", p.msg());
                }
                SyslogMessage last = SyslogMessage.parse(lines.get(n));
                assertEquals(10 * 8 + 3, last.pri(), "authpriv.err for FAILURE");
                assertEquals("2026-01-02T03:04:05.123456Z", last.timestamp());
                assertEquals("PIN_MISMATCH", last.msgId());
                assertEquals(n + 1, last.seq());
                assertEquals(id.toString(), last.params().get("id"));
                assertEquals("PIN_MISMATCH", last.params().get("type"));
                assertEquals("FAILURE", last.params().get("outcome"));
                assertEquals("bob]\"\\", last.params().get("principal"));
                assertEquals("conn \"x\"", last.params().get("connection"));
                assertEquals("dev.stdb.secure.tls", last.params().get("source"));
                assertEquals(nasty, last.params().get("reason"));
                assertEquals(List.of("has space=v=1", "seq=not the seq", "ünïcode=wert ü"), last.detailParams());
            }
        }
    }

    @Test
    void serverDownAtStartIsAClearAuditExceptionThenDeliveryResumes() throws Exception {
        try (Rsyslog rsyslog = new Rsyslog(dir("down"), null)) {
            try (SyslogAuditSink sink = SyslogAuditSink.builder("127.0.0.1", rsyslog.port).tcp()
                    .maxBackoff(Duration.ofMillis(200)).build()) {
                SecurityEvent e = SecurityEvent.of(SecurityEventType.TOKEN_ISSUED, Outcome.SUCCESS).source("t")
                        .detail("token.fingerprint", "sha256:abcd").build();
                AuditException x = assertThrows(AuditException.class, () -> sink.publish(e));
                assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, x.reason());
                String m = x.getMessage();
                assertTrue(m.contains("127.0.0.1:" + rsyslog.port), m);
                assertTrue(m.contains("tcp"), m);
                assertTrue(m.contains("ConnectException"), m);
                assertFalse(m.contains("abcd"), m);
                // within the backoff the sink does not touch the network and says when it tries next
                AuditException again = assertThrows(AuditException.class, () -> sink.publish(e));
                assertTrue(again.getMessage().contains("next attempt in"), again.getMessage());

                rsyslog.start();
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (true) { // retry as the router does
                    try {
                        sink.publish(e);
                        break;
                    } catch (AuditException notYet) {
                        assertTrue(System.nanoTime() - deadline < 0, "never reconnected: " + notYet);
                        Thread.sleep(50);
                    }
                }
                List<String> lines = rsyslog.await(l -> !l.isEmpty(), Duration.ofSeconds(30));
                SyslogMessage p = SyslogMessage.parse(lines.get(0));
                assertEquals(1, p.seq(), "the retried event keeps its sequence number");
                assertEquals(e.id().toString(), p.params().get("id"));
                assertEquals(Map.of(), Map.of());
            }
        }
    }
}
