package dev.stdb.secure.benchmarks.audit;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.audit.syslog.Rfc5424;
import dev.stdb.secure.audit.syslog.SyslogAuditSink;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of the syslog audit sink: {@code format} builds and frames one RFC 5424 message; {@code publishTcp}
 * formats, writes and flushes one event to a local TCP server on 127.0.0.1 that reads and discards (a stand-in for
 * rsyslog, so the score is the sink's cost, not the server's).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class SyslogAuditBenchmark {

    private ServerSocket server;
    private SyslogAuditSink sink;
    private SecurityEvent event;

    @Setup(Level.Trial)
    public void start() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
                    byte[] buf = new byte[64 * 1024];
                    while (in.read(buf) >= 0) {
                        // discard
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }, "discarding syslog server");
        t.setDaemon(true);
        t.start();
        sink = SyslogAuditSink.builder("127.0.0.1", server.getLocalPort()).tcp().hostname("bench").build();
        event = SecurityEvent.of(SecurityEventType.AUTH_SUCCESS, Outcome.SUCCESS).source("dev.stdb.secure.auth.jwt")
                .principal("alice").connection("prod").detail("issuer", "https://idp.example/realms/x")
                .detail("token.fingerprint", "sha256:0123456789abcdef").build();
    }

    @TearDown(Level.Trial)
    public void stop() throws IOException {
        sink.close();
        server.close();
    }

    @Benchmark
    public byte[] format() {
        return Rfc5424.frame(Rfc5424.format(event, 10, "bench", "stdb-secure", "1", 1));
    }

    @Benchmark
    public void publishTcp() throws AuditException {
        sink.publish(event);
    }
}
