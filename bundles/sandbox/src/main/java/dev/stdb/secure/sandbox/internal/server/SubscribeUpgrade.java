package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.Subprotocol;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /v1/database/<db>/subscribe} (PROTOCOL.md §1.1): authenticates, picks the subprotocol (v3, then v2),
 * reads {@code compression} and {@code connection_id}, and upgrades to a {@link ClientConnection}.
 */
final class SubscribeUpgrade {
    private final ServerWebSocketContainer container;
    private final Engine engine;
    private final Authentication auth;
    private final List<Subprotocol> enabled;
    private final FaultState faults;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    SubscribeUpgrade(ServerWebSocketContainer container, Engine engine, Authentication auth, List<Subprotocol> enabled,
                     FaultState faults, Clock clock) {
        this.container = container;
        this.engine = engine;
        this.auth = auth;
        this.enabled = List.copyOf(enabled);
        this.faults = faults;
        this.clock = clock;
    }

    void upgrade(Request request, Response response, Callback callback) throws HttpError {
        if (faults.refusingConnections(clock.instant())) {
            throw new HttpError(503, "the sandbox refuses new connections until " + faults.refuseUntil());
        }
        Authentication.Caller caller = auth.authenticate(request);
        Fields query = Request.extractQueryParameters(request);
        Compression compression = compression(query.getValue("compression"));
        ConnectionId connectionId = connectionId(query.getValue("connection_id"));
        Subprotocol subprotocol = choose(request);
        boolean upgraded = container.upgrade((upgradeRequest, upgradeResponse, upgradeCallback) -> {
            upgradeResponse.setAcceptedSubProtocol(subprotocol.wireName());
            upgradeResponse.getHeaders().put("spacetime-identity", caller.identity().toHex());
            upgradeResponse.getHeaders().put("spacetime-identity-token", caller.token());
            return new ClientConnection(engine, caller.identity(), connectionId, caller.token(), subprotocol, compression);
        }, request, response, callback);
        if (!upgraded) {
            throw new HttpError(400, "expected a WebSocket upgrade request");
        }
    }

    /** Absent means Brotli, the server's default; names are exact and case-sensitive. */
    private static Compression compression(String value) throws HttpError {
        if (value == null) {
            return Compression.BROTLI;
        }
        Compression c = Compression.ofQueryValue(value);
        if (c == null) {
            throw new HttpError(400, "unknown compression '" + value + "': use None, Gzip or Brotli");
        }
        return c;
    }

    private ConnectionId connectionId(String value) throws HttpError {
        if (value == null) {
            byte[] random16 = new byte[ConnectionId.BYTES];
            random.nextBytes(random16);
            return ConnectionId.fromWire(random16, 0);
        }
        try {
            ConnectionId id = ConnectionId.fromHex(value);
            if (id.isZero()) {
                throw new HttpError(400, "connection_id must not be zero");
            }
            return id;
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid connection_id: " + e.getMessage());
        }
    }

    /** The most preferred of the offered subprotocols that the sandbox has enabled. */
    private Subprotocol choose(Request request) throws HttpError {
        List<String> offered = new ArrayList<>();
        for (String header : request.getHeaders().getValuesList(HttpHeader.SEC_WEBSOCKET_SUBPROTOCOL)) {
            for (String token : header.split(",")) {
                offered.add(token.trim());
            }
        }
        for (Subprotocol p : enabled) {
            if (offered.contains(p.wireName())) {
                return p;
            }
        }
        throw new HttpError(400, "no valid protocol selected");
    }
}
