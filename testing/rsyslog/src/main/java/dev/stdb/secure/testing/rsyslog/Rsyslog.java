package dev.stdb.secure.testing.rsyslog;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real rsyslogd on 127.0.0.1 with a free port, its own config, work directory and pid file under {@code dir},
 * writing every message it receives, raw, one per line, to {@code dir/received.log}. It can be stopped and started
 * again on the same port (the output file is appended to). Needs {@code /usr/sbin/rsyslogd} (packages rsyslog, and
 * rsyslog-gnutls for TLS).
 */
public final class Rsyslog implements AutoCloseable {
    public static final String RSYSLOGD = "/usr/sbin/rsyslogd";

    /** The server's PEM files for gtls: the CA certificate, its own certificate and its private key. */
    public record Tls(Path ca, Path cert, Path key) {
    }

    public final Path dir;
    public final int port;
    public final Path received;
    private final Path conf;
    private Process process;

    /** Plain TCP when {@code tls} is null; else gtls, anonymous client, with the server's PEM files. */
    public Rsyslog(Path dir, Tls tls) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.port = freePort();
        this.received = dir.resolve("received.log");
        Path work = Files.createDirectories(dir.resolve("work"));
        this.conf = dir.resolve("rsyslog.conf");
        StringBuilder c = new StringBuilder();
        c.append("global(workDirectory=\"").append(work).append("\"");
        if (tls != null) {
            c.append(" DefaultNetstreamDriver=\"gtls\" DefaultNetstreamDriverCAFile=\"").append(tls.ca())
                    .append("\" DefaultNetstreamDriverCertFile=\"").append(tls.cert())
                    .append("\" DefaultNetstreamDriverKeyFile=\"").append(tls.key()).append("\"");
        }
        c.append(")\n");
        if (tls != null) {
            c.append("module(load=\"imtcp\" StreamDriver.Name=\"gtls\" StreamDriver.Mode=\"1\""
                    + " StreamDriver.AuthMode=\"anon\")\n");
        } else {
            c.append("module(load=\"imtcp\")\n");
        }
        c.append("template(name=\"raw\" type=\"string\" string=\"%rawmsg%\\n\")\n");
        c.append("input(type=\"imtcp\" address=\"127.0.0.1\" port=\"").append(port).append("\")\n");
        c.append("*.* action(type=\"omfile\" file=\"").append(received).append("\" template=\"raw\")\n");
        Files.writeString(conf, c.toString());
    }

    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    /** Starts rsyslogd and returns once it accepts connections. */
    public void start() throws Exception {
        if (!Files.isExecutable(Path.of(RSYSLOGD))) {
            throw new IllegalStateException(RSYSLOGD + " is missing: apt-get install rsyslog rsyslog-gnutls");
        }
        Path pid = dir.resolve("rsyslogd.pid");
        Files.deleteIfExists(pid);
        process = new ProcessBuilder(RSYSLOGD, "-n", "-f", conf.toString(), "-i", pid.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("rsyslogd.out").toFile()))
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("rsyslogd exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("rsyslogd.out")));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            } catch (IOException notYet) {
                if (System.nanoTime() - deadline > 0) {
                    throw new IllegalStateException("rsyslogd does not listen on " + port, notYet);
                }
                TimeUnit.MILLISECONDS.sleep(20); // polling for readiness, not an assertion
            }
        }
    }

    /** Stops rsyslogd (SIGTERM) and waits until it has exited. */
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    /** The lines received so far. */
    public List<String> lines() throws IOException {
        if (!Files.exists(received)) {
            return new ArrayList<>();
        }
        String all = Files.readString(received, StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String l : all.split("\n")) {
            if (!l.isEmpty()) {
                out.add(l);
            }
        }
        return out;
    }

    /** Waits until {@code done} holds for the received lines, or fails after {@code timeout}. */
    public List<String> await(Predicate<List<String>> done, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<String> l = lines();
            if (done.test(l)) {
                return l;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("rsyslog received " + l.size() + " lines; condition not met within "
                        + timeout);
            }
            TimeUnit.MILLISECONDS.sleep(50); // polling the output file
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
