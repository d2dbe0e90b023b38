package dev.stdb.secure.auth.oauth2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A thin HTTP forwarder on 127.0.0.1 in front of Keycloak that counts requests per path, can hold token requests at a
 * gate until the test opens it, records what Keycloak answered to each token request (arrival time and OAuth error,
 * never a token), and can send Keycloak one early copy of the next token request before forwarding it
 * ({@link #pollEarlyOnce()}).
 */
final class CountingProxy implements AutoCloseable {
    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();
    private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(new CountDownLatch(0));
    private final java.util.concurrent.atomic.AtomicBoolean pollEarly = new java.util.concurrent.atomic.AtomicBoolean();
    private final List<TokenAnswer> answers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.CompletableFuture<TokenAnswer> firstForwarded =
            new java.util.concurrent.CompletableFuture<>();

    /**
     * Keycloak's answer to one token request: when the request reached the proxy ({@link System#nanoTime()}), the HTTP
     * status, the OAuth {@code error} (null on success), and whether the proxy sent it itself ({@link #pollEarlyOnce()}).
     */
    record TokenAnswer(long arrivedNanos, int status, String error, boolean early) {
    }

    CountingProxy(URI target) throws IOException {
        this.target = target;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "counting-proxy");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::forward);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    int count(String path) {
        AtomicInteger c = counts.get(path);
        return c == null ? 0 : c.get();
    }

    /** From now on token requests wait until {@link #open()}. */
    void close(boolean closed) {
        gate.set(new CountDownLatch(closed ? 1 : 0));
    }

    void open() {
        gate.get().countDown();
    }

    /**
     * The next token request is first sent to Keycloak once by the proxy itself, the same body and headers (another
     * poller of the same device code, say), and only then forwarded; both answers are recorded.
     */
    void pollEarlyOnce() {
        pollEarly.set(true);
    }

    /** Keycloak's answers to the token requests so far, in order (the early copy before the request it copied). */
    List<TokenAnswer> tokenAnswers() {
        return List.copyOf(answers);
    }

    /** Completes with the first answer forwarded to the client, once the client has it. */
    java.util.concurrent.CompletableFuture<TokenAnswer> firstForwarded() {
        return firstForwarded;
    }

    private void forward(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            counts.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            if (path.endsWith("/token")) {
                gate.get().await(60, TimeUnit.SECONDS);
            }
            long arrived = System.nanoTime();
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean token = path.endsWith("/token");
            if (token && pollEarly.getAndSet(false)) {
                HttpResponse<byte[]> early = http.send(request(exchange, body), HttpResponse.BodyHandlers.ofByteArray());
                answers.add(new TokenAnswer(arrived, early.statusCode(), error(early), true));
            }
            HttpResponse<byte[]> r = http.send(request(exchange, body), HttpResponse.BodyHandlers.ofByteArray());
            TokenAnswer answer = new TokenAnswer(arrived, r.statusCode(), error(r), false);
            if (token) {
                answers.add(answer);
            }
            r.headers().firstValue("Content-Type").ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
            exchange.sendResponseHeaders(r.statusCode(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(r.body());
            }
            if (token) {
                firstForwarded.complete(answer);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private HttpRequest request(HttpExchange exchange, byte[] body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .timeout(Duration.ofSeconds(30))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String h : List.of("Authorization", "Content-Type", "Accept")) {
            String v = exchange.getRequestHeaders().getFirst(h);
            if (v != null) {
                b.header(h, v);
            }
        }
        return b.build();
    }

    /** The {@code error} of an OAuth error answer; null for a success or a body that is not a JSON object. */
    private static String error(HttpResponse<byte[]> r) {
        if (r.statusCode() / 100 == 2) {
            return null;
        }
        try {
            Object e = com.nimbusds.jose.util.JSONObjectUtils.parse(new String(r.body(),
                    java.nio.charset.StandardCharsets.UTF_8)).get("error");
            return e == null ? null : e.toString();
        } catch (java.text.ParseException notJson) {
            return null;
        }
    }

    @Override
    public void close() {
        open();
        server.stop(0);
    }
}
