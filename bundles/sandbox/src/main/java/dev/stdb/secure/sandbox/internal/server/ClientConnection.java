package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.sandbox.internal.sql.SqlQuery;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;

import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client's WebSocket. Frames are decoded here and handed to the {@link Engine}, which owns all state changes;
 * the subscriptions map is only touched on the engine's thread.
 *
 * <p>Public only because Jetty binds the listener methods through a public method-handle lookup: a package-private
 * endpoint class fails every upgrade with HTTP 500 ("Unable to access method ... onWebSocketOpen"). The package is
 * internal all the same.
 */
public final class ClientConnection implements Session.Listener.AutoDemanding {
    private final Engine engine;
    private final Identity identity;
    private final ConnectionId connectionId;
    private final String token;
    private final Subprotocol subprotocol;
    private final Compression compression;
    private final ClientFrameCodec frames;
    private final Map<Integer, List<SqlQuery>> subscriptions = new LinkedHashMap<>();
    private volatile Session session;
    private volatile Outbound outbound;

    ClientConnection(Engine engine, Identity identity, ConnectionId connectionId, String token,
                     Subprotocol subprotocol, Compression compression) {
        this.engine = engine;
        this.identity = identity;
        this.connectionId = connectionId;
        this.token = token;
        this.subprotocol = subprotocol;
        this.compression = compression;
        this.frames = new ClientFrameCodec(subprotocol);
    }

    Identity identity() {
        return identity;
    }

    ConnectionId connectionId() {
        return connectionId;
    }

    /** Live query sets by id; engine thread only. */
    Map<Integer, List<SqlQuery>> subscriptions() {
        return subscriptions;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        this.session = session;
        this.outbound = new Outbound(session, new ServerFrameCodec(subprotocol), compression, engine.faults(),
                connectionId.toHex().substring(0, 8));
        // Known to the engine (and its faults) before the client can learn it is connected; nothing can be fanned
        // out to it before its InitialConnection, since it has no query sets yet.
        engine.connected(this);
        send(new ServerMessage.InitialConnection(identity, connectionId, token));
    }

    @Override
    public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
        byte[] frame = new byte[payload.remaining()];
        payload.get(frame);
        callback.succeed();
        List<ClientMessage> messages;
        try {
            messages = frames.decode(frame);
        } catch (ProtocolException e) {
            close(StatusCode.SERVER_ERROR, e.getMessage());
            return;
        }
        messages.forEach(m -> engine.received(this, m));
    }

    @Override
    public void onWebSocketText(String message) {
        close(StatusCode.SERVER_ERROR, "text frames are not part of " + subprotocol.wireName());
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        engine.disconnected(this);
        Outbound o = outbound;
        if (o != null) {
            o.close();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        engine.disconnected(this);
    }

    void send(ServerMessage message) {
        Outbound o = outbound;
        if (o != null) {
            o.send(message);
        }
    }

    void sendRaw(byte[] frame) {
        Outbound o = outbound;
        if (o != null) {
            o.sendRaw(frame);
        }
    }

    /** Closes with a status and reason, like the server on a protocol violation (1011). */
    void close(int status, String reason) {
        Session s = session;
        if (s != null) {
            String r = reason == null ? "" : reason.length() > 120 ? reason.substring(0, 120) : reason;
            s.close(status, r, Callback.NOOP);
        }
    }

    /** Drops the TCP connection without a close handshake. */
    void drop() {
        Session s = session;
        if (s != null) {
            s.disconnect();
        }
    }

    void ping() {
        Session s = session;
        if (s != null && s.isOpen()) {
            s.sendPing(ByteBuffer.allocate(0), Callback.NOOP);
        }
    }

    @Override
    public String toString() {
        return "client " + identity.toHex().substring(0, 12) + "… / " + connectionId;
    }
}
