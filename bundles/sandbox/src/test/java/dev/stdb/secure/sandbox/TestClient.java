package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.value.ReducerCodec;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A minimal protocol client on the JDK's {@link WebSocket}, as the real client will use: offers subprotocols, sends
 * {@link ClientMessage}s with {@link ClientFrameCodec}, reassembles binary frames and decodes them with
 * {@link ServerFrameCodec} for the subprotocol the server picked. Received frames and messages are queued for the
 * {@code expect} helpers, which wait at most {@link #TIMEOUT}.
 */
final class TestClient implements AutoCloseable {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    static final List<String> DEFAULT_OFFER = List.of(Subprotocol.V3_BSATN.wireName(), Subprotocol.V2_BSATN.wireName());

    /** One client for the plain-text tests; WebSockets of the JDK client each get their own connection. */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    /** A close frame the server sent: status code and reason. */
    record Close(int status, String reason) {
    }

    private final WebSocket ws;
    private final Listener listener;
    private final Subprotocol subprotocol;
    private final ClientFrameCodec clientCodec;
    private final AtomicInteger requestIds = new AtomicInteger(1000);
    private ServerMessage.InitialConnection initial;

    private TestClient(WebSocket ws, Listener listener) {
        this.ws = ws;
        this.listener = listener;
        this.subprotocol = listener.subprotocol;
        this.clientCodec = new ClientFrameCodec(subprotocol);
    }

    static Connector to(Sandbox sandbox) {
        return new Connector(sandbox.wsUri(), sandbox.database());
    }

    /** Settings of one connection attempt. */
    static final class Connector {
        private final URI base;
        private String database;
        private HttpClient http = HTTP;
        private List<String> protocols = DEFAULT_OFFER;
        private String bearer;
        private final Map<String, String> query = new LinkedHashMap<>();

        private Connector(URI base, String database) {
            this.base = base;
            this.database = database;
        }

        Connector http(HttpClient client) {
            this.http = client;
            return this;
        }

        Connector database(String name) {
            this.database = name;
            return this;
        }

        Connector protocols(String... offered) {
            this.protocols = List.of(offered);
            return this;
        }

        /** Sends {@code Authorization: Bearer <token>} on the upgrade request. */
        Connector bearer(String token) {
            this.bearer = token;
            return this;
        }

        Connector query(String name, String value) {
            query.put(name, value);
            return this;
        }

        /** {@code ?token=} */
        Connector tokenParam(String token) {
            return query("token", token);
        }

        URI uri() {
            StringBuilder s = new StringBuilder(base.toString()).append("v1/database/").append(database).append("/subscribe");
            char sep = '?';
            for (Map.Entry<String, String> e : query.entrySet()) {
                s.append(sep).append(e.getKey()).append('=').append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8));
                sep = '&';
            }
            return URI.create(s.toString());
        }

        private CompletableFuture<WebSocket> open(Listener listener) {
            WebSocket.Builder b = http.newWebSocketBuilder().connectTimeout(TIMEOUT);
            if (!protocols.isEmpty()) {
                b.subprotocols(protocols.get(0), protocols.subList(1, protocols.size()).toArray(new String[0]));
            }
            if (bearer != null) {
                b.header("Authorization", "Bearer " + bearer);
            }
            return b.buildAsync(uri(), listener);
        }

        /** Connects; fails the test when the server refuses. */
        TestClient connect() {
            Listener listener = new Listener();
            try {
                WebSocket ws = open(listener).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return new TestClient(ws, listener);
            } catch (ExecutionException e) {
                throw new AssertionError("connection to " + uri() + " failed: " + describe(e.getCause()), e.getCause());
            } catch (InterruptedException | TimeoutException e) {
                throw new AssertionError("connection to " + uri() + " failed: " + e, e);
            }
        }

        /** Connects expecting the upgrade to be refused with an HTTP status; returns the handshake failure. */
        WebSocketHandshakeException refused() {
            Throwable cause = failure();
            return assertInstanceOf(WebSocketHandshakeException.class, cause,
                    "expected an HTTP refusal, got " + describe(cause));
        }

        /** The status the server refused the upgrade with. */
        int refusedStatus() {
            return refused().getResponse().statusCode();
        }

        /** Connects expecting any failure (refused upgrade, TLS handshake failure, ...); returns it. */
        Throwable failure() {
            Listener listener = new Listener();
            try {
                WebSocket ws = open(listener).get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                ws.abort();
                throw new AssertionError("expected the connection to " + uri() + " to fail, but it opened with "
                        + listener.subprotocol);
            } catch (ExecutionException e) {
                return e.getCause();
            } catch (InterruptedException | TimeoutException e) {
                throw new AssertionError(e);
            }
        }
    }

    static String describe(Throwable t) {
        if (t instanceof WebSocketHandshakeException h) {
            return "HTTP " + h.getResponse().statusCode() + " " + h.getResponse().body();
        }
        return String.valueOf(t);
    }

    /** The response body of a refused upgrade, as text ("" when the JDK kept none). */
    static String body(WebSocketHandshakeException e) {
        Object body = e.getResponse().body();
        return body == null ? "" : body.toString();
    }

    // ------------------------------------------------------------------ listener

    private static final class Listener implements WebSocket.Listener {
        final BlockingQueue<ServerMessage> messages = new LinkedBlockingQueue<>();
        final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
        final BlockingQueue<RuntimeException> decodeErrors = new LinkedBlockingQueue<>();
        final CompletableFuture<Close> closed = new CompletableFuture<>();
        final CompletableFuture<Throwable> error = new CompletableFuture<>();
        final CompletableFuture<Object> ended = new CompletableFuture<>();
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        volatile Subprotocol subprotocol;
        private ServerFrameCodec codec;

        @Override
        public void onOpen(WebSocket webSocket) {
            String answer = webSocket.getSubprotocol();
            subprotocol = Subprotocol.fromServerAnswer(answer)
                    .orElseThrow(() -> new IllegalStateException("unknown subprotocol " + answer));
            codec = new ServerFrameCodec(subprotocol);
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.writeBytes(chunk);
            if (last) {
                byte[] frame = partial.toByteArray();
                partial.reset();
                frames.add(frame);
                try {
                    messages.addAll(codec.decode(frame));
                } catch (RuntimeException e) {
                    decodeErrors.add(e);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            decodeErrors.add(new IllegalStateException("the server sent a text frame: " + data));
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            Close c = new Close(statusCode, reason);
            closed.complete(c);
            ended.complete(c);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            this.error.complete(error);
            ended.complete(error);
        }
    }

    // ------------------------------------------------------------------ receiving

    Subprotocol subprotocol() {
        return subprotocol;
    }

    /** The first message, which must be {@code InitialConnection}. */
    ServerMessage.InitialConnection initial() {
        if (initial == null) {
            initial = assertInstanceOf(ServerMessage.InitialConnection.class, poll(TIMEOUT), "the first message");
        }
        return initial;
    }

    /** The next message after {@code InitialConnection} (which is consumed first if nobody did), waiting at most {@link #TIMEOUT}. */
    ServerMessage next() {
        initial();
        return poll(TIMEOUT);
    }

    private ServerMessage poll(Duration timeout) {
        try {
            ServerMessage m = listener.messages.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (m == null) {
                fail("no message within " + timeout + (listener.ended.isDone() ? "; connection ended: " + listener.ended.join() : "")
                        + (listener.decodeErrors.isEmpty() ? "" : "; undecodable frames: " + listener.decodeErrors));
            }
            return m;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The next message, which must be a {@code type}. */
    <T extends ServerMessage> T expect(Class<T> type) {
        return assertInstanceOf(type, next());
    }

    /** The next raw frame (every frame, decodable or not, in arrival order). */
    byte[] nextFrame() {
        try {
            byte[] f = listener.frames.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(f, "no frame within " + TIMEOUT);
            return f;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Drops the raw frames received so far (their messages stay queued). */
    void clearFrames() {
        listener.frames.clear();
    }

    /** The next failure to decode a frame. */
    RuntimeException nextDecodeError() {
        try {
            RuntimeException e = listener.decodeErrors.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertNotNull(e, "no undecodable frame within " + TIMEOUT);
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The server's close frame. */
    Close awaitClose() {
        try {
            return listener.closed.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the server did not close the connection within " + TIMEOUT
                    + (listener.error.isDone() ? "; error: " + listener.error.join() : ""));
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /** The close frame or the error that ended the connection (onClose or onError). */
    Object awaitEnd() {
        try {
            return listener.ended.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the connection did not end within " + TIMEOUT);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    boolean ended() {
        return listener.ended.isDone();
    }

    /**
     * Asserts that nothing arrived that is not yet consumed, and nothing is on its way: sends a one-off query and
     * expects its answer as the very next message. The sandbox answers in order on one engine thread and sends each
     * connection's frames in order, so anything it queued for this client before comes first.
     */
    void assertNothingPending() {
        int id = requestIds.incrementAndGet();
        send(new ClientMessage.OneOffQuery(id, "SELECT * FROM person WHERE id = 0"));
        ServerMessage m = next();
        ServerMessage.OneOffQueryResult r = assertInstanceOf(ServerMessage.OneOffQueryResult.class, m,
                "expected nothing before the marker query's answer");
        assertEquals(id, r.requestId());
    }

    // ------------------------------------------------------------------ sending

    int nextRequestId() {
        return requestIds.incrementAndGet();
    }

    /** Sends each message in its own frame. */
    void send(ClientMessage... messages) {
        for (ClientMessage m : messages) {
            sendBinary(clientCodec.encode(m));
        }
    }

    /** v3: all messages in one frame. */
    void sendBatched(List<ClientMessage> messages) {
        List<byte[]> frames = clientCodec.encode(messages);
        assertEquals(1, frames.size(), "one frame");
        sendBinary(frames.get(0));
    }

    void sendBinary(byte[] frame) {
        ws.sendBinary(ByteBuffer.wrap(frame), true).orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    void sendText(String text) {
        ws.sendText(text, true).orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    /** Subscribes a query set and returns its {@code SubscribeApplied}. */
    ServerMessage.SubscribeApplied subscribe(int querySetId, String... queries) {
        int id = nextRequestId();
        send(new ClientMessage.Subscribe(id, querySetId, List.of(queries)));
        ServerMessage.SubscribeApplied applied = expect(ServerMessage.SubscribeApplied.class);
        assertEquals(id, applied.requestId());
        assertEquals(querySetId, applied.querySetId());
        return applied;
    }

    /** Calls a reducer with BSATN-encoded args; returns the request id. */
    int callReducer(String reducer, byte[] args) {
        int id = nextRequestId();
        send(new ClientMessage.CallReducer(id, reducer, args));
        return id;
    }

    /** Calls a reducer and returns its result. */
    ServerMessage.ReducerResult call(ReducerCodec codec, String reducer, Object... args) {
        int id = callReducer(reducer, codec.encodeArgs(reducer, args));
        ServerMessage.ReducerResult r = expect(ServerMessage.ReducerResult.class);
        assertEquals(id, r.requestId());
        return r;
    }

    /** Drops the TCP connection without a close handshake. */
    void abort() {
        ws.abort();
    }

    /** Closes politely, then drops whatever is left. */
    @Override
    public void close() {
        if (!ended()) {
            try {
                ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(1, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // fall through to abort
            }
        }
        ws.abort();
    }

}
