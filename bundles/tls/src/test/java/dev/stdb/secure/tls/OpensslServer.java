package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real {@code openssl s_server} child process on 127.0.0.1, serving a Pki-made certificate with the protocol and
 * cipher options given. It answers {@code GET /} with its status page ({@code -www}), so it never reads stdin.
 */
final class OpensslServer implements AutoCloseable {

    private final Process process;
    private final int port;
    private final StringBuilder output = new StringBuilder(); // guarded by itself; appends notify waiters

    private OpensslServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** The openssl executable on PATH; the test fails (never skips) without it. */
    static String executable() {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(File.pathSeparator)) {
            Path candidate = Path.of(d.isEmpty() ? "." : d, "openssl");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return fail("openssl is required for the TLS peer tests and is not on PATH (" + path
                + "); install it, for example `apt-get install openssl` (.ci/run does)");
    }

    /**
     * Starts {@code s_server} with {@code leaf}'s key and chain and {@code options} (for example {@code -tls1_1}),
     * listening on 127.0.0.1 only; returns once it accepts connections.
     */
    static OpensslServer start(Path dir, Pki.Issued leaf, List<X509Certificate> chain, String... options)
            throws Exception {
        Path cert = Pki.pem(dir.resolve("server.pem"), leaf.cert());
        Path key = Pki.pemKey(dir.resolve("server.key"), leaf.keys().getPrivate());
        Path chainFile = chain.isEmpty() ? null : Pki.pem(dir.resolve("chain.pem"), chain.toArray(X509Certificate[]::new));
        String openssl = executable();
        IOException last = null;
        // A free port is found by binding and releasing it; if another process takes it first, s_server exits and
        // the next port is tried.
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                port = probe.getLocalPort();
            }
            List<String> command = new ArrayList<>(List.of(openssl, "s_server", "-accept", "127.0.0.1:" + port,
                    "-cert", cert.toString(), "-key", key.toString(), "-www"));
            if (chainFile != null) {
                command.addAll(List.of("-cert_chain", chainFile.toString()));
            }
            command.addAll(List.of(options));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            OpensslServer server = new OpensslServer(p, port);
            CompletableFuture<Void> accepting = new CompletableFuture<>();
            Thread reader = new Thread(() -> server.drain(accepting), "openssl-s_server-" + port);
            reader.setDaemon(true);
            reader.start();
            try {
                // s_server prints ACCEPT once its socket listens
                accepting.get(30, TimeUnit.SECONDS);
                return server;
            } catch (java.util.concurrent.ExecutionException | TimeoutException e) {
                server.close();
                last = new IOException("openssl s_server did not start on 127.0.0.1:" + port + ": " + command
                        + "\n" + server.output());
            }
        }
        throw last;
    }

    private void drain(CompletableFuture<Void> accepting) {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                synchronized (output) {
                    output.append(line).append('\n');
                    output.notifyAll();
                }
                if (line.startsWith("ACCEPT")) {
                    accepting.complete(null);
                }
            }
        } catch (IOException e) {
            // the process was destroyed
        }
        accepting.completeExceptionally(new IOException("s_server exited"));
    }

    int port() {
        return port;
    }

    /** What s_server printed so far (its errors name why it refused a handshake). */
    String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Waits until s_server has printed {@code text} (it logs why it refused a handshake); its output so far. */
    String awaitOutput(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (output.indexOf(text) < 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return fail("openssl s_server did not print '" + text + "' within " + timeout + ":\n" + output);
                }
                TimeUnit.NANOSECONDS.timedWait(output, left);
            }
            return output.toString();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Runs {@code openssl s_client} against this server with {@code options} and returns its output: a second real
     * peer showing what the server does accept.
     */
    String client(String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of(executable(), "s_client", "-connect", "127.0.0.1:" + port,
                "-brief"));
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("openssl s_client did not finish: " + command);
        }
        return out.get(10, TimeUnit.SECONDS);
    }
}
