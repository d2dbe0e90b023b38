package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.tls.internal.OcspVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Real revocation peers on 127.0.0.1: the openssl OCSP responder, an HTTP CRL server, an openssl TLS server. */
final class RevocationPeers {

    static final String OPENSSL = "/usr/bin/openssl";

    private RevocationPeers() {
    }

    /** Fails (never skips) when openssl is missing: these tests prove revocation against a real responder. */
    static void requireOpenssl() {
        if (!Files.isExecutable(Path.of(OPENSSL))) {
            fail(OPENSSL + " is missing: the revocation tests need the Debian openssl package (apt-get install"
                    + " openssl) for its OCSP responder and TLS server");
        }
    }

    private static final DateTimeFormatter CA_DB_TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    /** openssl's spelling of a serial in its CA database: upper-case hex, an even number of digits. */
    static String serial(X509Certificate c) {
        String hex = c.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 1 ? "0" + hex : hex;
    }

    /** Runs {@code command}, waits at most 30 s; its output, or a failure with it. */
    static String run(List<String> command, Path dir) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getInputStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        });
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException(command + " did not finish in 30 s");
        }
        String text = new String(out.join(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(command + " exited " + p.exitValue() + ": " + text);
        }
        return text;
    }

    /**
     * The openssl OCSP responder for the certificates of one CA. OpenSSL 3.0's {@code ocsp -port} takes only a port
     * number and listens on every interface, so the HTTP side is a {@link HttpServer} bound to 127.0.0.1 and each
     * request is answered by {@code openssl ocsp -index ... -reqin ... -respout ...}, a child process per request:
     * openssl reads the index, builds and signs the answer.
     */
    static final class OcspResponder implements AutoCloseable {
        private final Path dir;
        private final HttpServer server;
        private final Map<String, String> index = new LinkedHashMap<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicInteger seq = new AtomicInteger();
        private volatile boolean running = true;

        /** Answers for {@code ca}'s certificates, signed by {@code signer} (the CA itself or a delegated responder). */
        OcspResponder(Path dir, Pki.Issued ca, Pki.Issued signer) throws Exception {
            this.dir = Files.createDirectories(dir);
            Pki.pem(dir.resolve("ca.pem"), ca.cert());
            Pki.pem(dir.resolve("signer.pem"), signer.cert());
            Pki.pemKey(dir.resolve("signer.key"), signer.keys().getPrivate());
            writeIndex();
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", this::handle);
            server.start();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ocsp");
        }

        int requests() {
            return requests.get();
        }

        synchronized void good(X509Certificate c) throws IOException {
            index.put(serial(c), "V\t" + CA_DB_TIME.format(c.getNotAfter().toInstant()) + "\t\t" + serial(c)
                    + "\tunknown\t/CN=" + serial(c));
            writeIndex();
        }

        /** Revoked an hour ago, reason keyCompromise. */
        synchronized void revoked(X509Certificate c) throws IOException {
            index.put(serial(c), "R\t" + CA_DB_TIME.format(c.getNotAfter().toInstant()) + "\t"
                    + CA_DB_TIME.format(Instant.now().minusSeconds(3600)) + ",keyCompromise\t" + serial(c)
                    + "\tunknown\t/CN=" + serial(c));
            writeIndex();
        }

        private void writeIndex() throws IOException {
            StringBuilder b = new StringBuilder();
            index.values().forEach(line -> b.append(line).append('\n'));
            Files.writeString(dir.resolve("index.txt"), b.toString());
        }

        /** The DER answer openssl gives for {@code c} (issued by {@code issuer}), as a server would staple it. */
        synchronized byte[] respond(X509Certificate c, X509Certificate issuer) throws Exception {
            return answer(OcspVerifier.request(c, issuer));
        }

        private synchronized byte[] answer(byte[] request) throws IOException, InterruptedException {
            int n = seq.incrementAndGet();
            Path req = dir.resolve("req-" + n + ".der");
            Path resp = dir.resolve("resp-" + n + ".der");
            Files.write(req, request);
            run(List.of(OPENSSL, "ocsp", "-index", "index.txt", "-CA", "ca.pem", "-rsigner", "signer.pem",
                    "-rkey", "signer.key", "-reqin", req.getFileName().toString(), "-respout",
                    resp.getFileName().toString(), "-nmin", "5"), dir);
            return Files.readAllBytes(resp);
        }

        private void handle(HttpExchange x) throws IOException {
            try (x) {
                requests.incrementAndGet();
                byte[] body = x.getRequestBody().readNBytes(64 * 1024);
                if (!"POST".equals(x.getRequestMethod())) {
                    x.sendResponseHeaders(405, -1);
                    return;
                }
                byte[] answer;
                try {
                    answer = answer(body);
                } catch (IOException | InterruptedException e) {
                    x.sendResponseHeaders(500, -1);
                    return;
                }
                x.getResponseHeaders().set("Content-Type", "application/ocsp-response");
                x.sendResponseHeaders(200, answer.length);
                try (OutputStream o = x.getResponseBody()) {
                    o.write(answer);
                }
            }
        }

        /** Stops listening: the port then refuses connections. */
        void stop() {
            if (running) {
                running = false;
                server.stop(0);
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** Serves one DER CRL over http on 127.0.0.1 and counts the downloads. */
    static final class CrlServer implements AutoCloseable {
        private final HttpServer server;
        private final AtomicInteger requests = new AtomicInteger();
        private volatile byte[] crl = new byte[0];
        private volatile boolean running = true;

        CrlServer() throws IOException {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.createContext("/", x -> {
                try (x) {
                    requests.incrementAndGet();
                    byte[] body = crl;
                    x.getResponseHeaders().set("Content-Type", "application/pkix-crl");
                    x.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                    if (body.length > 0) {
                        try (OutputStream o = x.getResponseBody()) {
                            o.write(body);
                        }
                    }
                }
            });
            server.start();
        }

        void serve(byte[] der) {
            this.crl = der.clone();
        }

        URI url() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl");
        }

        int requests() {
            return requests.get();
        }

        void stop() {
            if (running) {
                running = false;
                server.stop(0);
            }
        }

        @Override
        public void close() {
            stop();
        }
    }

    /** A free port on 127.0.0.1 (for a server that picks no port itself). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code openssl s_server} on 127.0.0.1 with a leaf, its chain and an OCSP response to staple. */
    static final class StaplingServer implements AutoCloseable {
        private final Process process;
        private final int port;
        private final List<String> output = new ArrayList<>();

        StaplingServer(Path dir, Pki.Issued leaf, byte[] staple, X509Certificate... chain) throws Exception {
            Files.createDirectories(dir);
            Pki.pem(dir.resolve("leaf.pem"), leaf.cert());
            Pki.pemKey(dir.resolve("leaf.key"), leaf.keys().getPrivate());
            List<String> cmd = new ArrayList<>(List.of(OPENSSL, "s_server", "-accept", "", "-cert", "leaf.pem",
                    "-key", "leaf.key", "-status_file", "staple.der", "-www"));
            if (chain.length > 0) {
                Pki.pem(dir.resolve("chain.pem"), chain);
                cmd.addAll(List.of("-cert_chain", "chain.pem"));
            }
            Files.write(dir.resolve("staple.der"), staple);
            Process p = null;
            int bound = -1;
            for (int attempt = 0; attempt < 5 && bound < 0; attempt++) {
                int candidate = freePort();
                cmd.set(3, "127.0.0.1:" + candidate);
                p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
                if (waitForAccept(p)) {
                    bound = candidate;
                } else {
                    p.destroyForcibly();
                }
            }
            if (bound < 0) {
                throw new IOException("openssl s_server did not start: " + output);
            }
            this.process = p;
            this.port = bound;
        }

        /** True when s_server printed ACCEPT (listening) within 20 s. */
        private boolean waitForAccept(Process p) throws Exception {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            CompletableFuture<Boolean> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    for (String line; (line = r.readLine()) != null; ) {
                        synchronized (output) {
                            output.add(line);
                        }
                        if (line.startsWith("ACCEPT")) {
                            return true;
                        }
                    }
                } catch (IOException e) {
                    // fall through
                }
                return false;
            });
            try {
                boolean ok = accepted.get(20, TimeUnit.SECONDS);
                if (ok) {
                    // keep draining so the server never blocks on a full pipe
                    CompletableFuture.runAsync(() -> {
                        try {
                            while (r.readLine() != null) {
                                // discard
                            }
                        } catch (IOException e) {
                            // process ended
                        }
                    });
                }
                return ok;
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            }
        }

        int port() {
            return port;
        }

        @Override
        public void close() {
            process.destroy();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
