package dev.stdb.secure.core.internal;

import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.frame.Subprotocol;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One WebSocket to the server over the JDK's {@link HttpClient}: offers v3 then v2, sends the token as
 * {@code Authorization: Bearer} (never in the URL), reassembles binary frames and hands each whole frame on.
 * Sends are serialised, as the JDK WebSocket allows one outstanding send.
 */
final class WebSocketTransport {
    /** What the transport reports; called on the JDK's WebSocket threads. */
    interface Handler {
        void onFrame(WebSocketTransport transport, byte[] frame);

        void onClosed(WebSocketTransport transport, int code, String reason, Throwable error);
    }

    private final Handler handler;
    private volatile WebSocket socket;
    private volatile Subprotocol subprotocol;
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile long lastTrafficNanos = System.nanoTime();

    private WebSocketTransport(Handler handler) {
        this.handler = handler;
    }

    static CompletableFuture<WebSocketTransport> open(HttpClient http, URI uri, String bearerToken, Duration timeout,
                                                      Handler handler) {
        WebSocketTransport t = new WebSocketTransport(handler);
        WebSocket.Builder builder = http.newWebSocketBuilder()
                .subprotocols(Subprotocol.V3_BSATN.wireName(), Subprotocol.V2_BSATN.wireName())
                .connectTimeout(timeout);
        if (bearerToken != null) {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        return builder.buildAsync(uri, t.new Listener()).thenApply(ws -> {
            t.socket = ws;
            t.subprotocol = Subprotocol.fromServerAnswer(ws.getSubprotocol()).orElse(null);
            if (t.subprotocol == null) {
                ws.abort();
                throw new IllegalStateException("the server chose subprotocol '" + ws.getSubprotocol()
                        + "', which this client does not speak");
            }
            return t;
        });
    }

    Subprotocol subprotocol() {
        return subprotocol;
    }

    /** Sends one binary frame after those sent before it. */
    synchronized CompletableFuture<Void> send(byte[] frame) {
        CompletableFuture<Void> next = lastSend.handle((ok, err) -> null)
                .thenCompose(ignored -> socket.sendBinary(ByteBuffer.wrap(frame), true))
                .thenApply(ws -> null);
        lastSend = next;
        return next;
    }

    /** A ping after the frames already queued; a connection that is gone fails it. */
    synchronized CompletableFuture<Void> ping() {
        CompletableFuture<Void> next = lastSend.handle((ok, err) -> null)
                .thenCompose(ignored -> socket.sendPing(ByteBuffer.allocate(0)))
                .thenApply(ws -> null);
        lastSend = next;
        return next;
    }

    /** Lets frames flow; until then the server's first frames wait, so none arrives before the owner is ready. */
    void startReceiving() {
        socket.request(1);
    }

    /** Nanoseconds since the server last sent anything (a frame or a ping). */
    long quietNanos() {
        return System.nanoTime() - lastTrafficNanos;
    }

    /** Whether the JDK knows the connection is gone, even if it has not told the listener. */
    boolean isClosed() {
        WebSocket ws = socket;
        return ws != null && (ws.isInputClosed() || ws.isOutputClosed());
    }

    /** A normal close handshake. */
    void close() {
        WebSocket ws = socket;
        if (ws != null && !ws.isOutputClosed()) {
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "client closed").exceptionally(e -> null);
        }
    }

    /** Drops the connection at once. */
    void abort() {
        WebSocket ws = socket;
        if (ws != null) {
            ws.abort();
        }
    }

    private final class Listener implements WebSocket.Listener {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();

        @Override
        public void onOpen(WebSocket ws) {
            // No request(1) here: startReceiving() asks for the first frame once the session is adopted.
        }

        @Override
        public CompletionStage<?> onPing(WebSocket ws, ByteBuffer message) {
            lastTrafficNanos = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket ws, ByteBuffer message) {
            lastTrafficNanos = System.nanoTime();
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            lastTrafficNanos = System.nanoTime();
            if (partial.size() + data.remaining() > ProtocolLimits.DEFAULT_MAX_MESSAGE_BYTES) {
                ws.abort();
                handler.onClosed(WebSocketTransport.this, 1009, "frame larger than "
                        + ProtocolLimits.DEFAULT_MAX_MESSAGE_BYTES + " bytes", null);
                return null;
            }
            byte[] chunk = new byte[data.remaining()];
            data.get(chunk);
            partial.write(chunk, 0, chunk.length);
            if (last) {
                byte[] frame = partial.toByteArray();
                partial.reset();
                handler.onFrame(WebSocketTransport.this, frame);
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
            ws.abort();
            handler.onClosed(WebSocketTransport.this, 1002, "the server sent a text frame, which v2/v3 do not have", null);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
            handler.onClosed(WebSocketTransport.this, statusCode, reason, null);
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            handler.onClosed(WebSocketTransport.this, 1006, String.valueOf(error.getMessage()), error);
        }
    }
}
