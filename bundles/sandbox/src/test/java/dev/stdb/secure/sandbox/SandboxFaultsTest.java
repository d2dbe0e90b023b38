package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.value.ReducerCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link SandboxFaults}: what a client sees when the sandbox misbehaves on purpose. */
class SandboxFaultsTest {
    private Sandbox sandbox;
    private ReducerCodec reducers;
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.builder().start();
        reducers = new ReducerCodec(sandbox.schema());
    }

    @AfterEach
    void stop() {
        clients.forEach(TestClient::close);
        sandbox.close();
    }

    private TestClient connect(TestClient.Connector connector) {
        TestClient c = connector.connect();
        clients.add(c);
        c.initial();
        return c;
    }

    private TestClient connect() {
        return connect(TestClient.to(sandbox));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TestClient.TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void dropConnections() throws Exception {
        TestClient a = connect();
        TestClient b = connect();
        b.subscribe(1, "SELECT * FROM person");
        await("both connections are registered", () -> sandbox.connectionCount() == 2);

        sandbox.faults().dropConnections();
        Object endA = a.awaitEnd();
        Object endB = b.awaitEnd();
        // A drop is not a close handshake: the JDK reports an error, or at most an abnormal close (1006).
        for (Object end : List.of(endA, endB)) {
            assertTrue(end instanceof Throwable || ((TestClient.Close) end).status() == 1006, "ended with " + end);
        }
        await("the sandbox forgets the connections", () -> sandbox.connectionCount() == 0);

        // The sandbox still accepts new connections.
        connect();
        await("a new connection is registered", () -> sandbox.connectionCount() == 1);
    }

    @Test
    void refuseConnectionsForAWhile() throws Exception {
        long start = System.nanoTime();
        sandbox.faults().refuseConnectionsFor(Duration.ofSeconds(2));
        WebSocketHandshakeException refused = TestClient.to(sandbox).refused();
        assertEquals(503, refused.getResponse().statusCode());

        long acceptedAttemptStart;
        while (true) {
            acceptedAttemptStart = System.nanoTime();
            Throwable failure = null;
            try {
                connect();
                break;
            } catch (AssertionError e) {
                failure = e.getCause();
            }
            assertInstanceOf(WebSocketHandshakeException.class, failure);
            assertEquals(503, ((WebSocketHandshakeException) failure).getResponse().statusCode());
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "still refused after 5 s");
            Thread.sleep(100);
        }
        assertTrue(acceptedAttemptStart - start >= Duration.ofMillis(1990).toNanos(),
                "accepted after only " + (acceptedAttemptStart - start) / 1_000_000 + " ms");
    }

    @Test
    void delayFrames() {
        TestClient c = connect();
        sandbox.faults().delayFrames(Duration.ofMillis(300));
        long start = System.nanoTime();
        int id = c.callReducer("add_person", reducers.encodeArgs("add_person", "Ada", 36));
        ServerMessage.ReducerResult r = c.expect(ServerMessage.ReducerResult.class);
        long elapsed = System.nanoTime() - start;
        assertEquals(id, r.requestId());
        assertTrue(elapsed >= Duration.ofMillis(300).toNanos(), "arrived after " + elapsed / 1_000_000 + " ms");
    }

    @Test
    void reorderNextFrames() {
        TestClient c = connect();
        sandbox.faults().reorderNextFrames(2);
        int first = c.callReducer("add_person", reducers.encodeArgs("add_person", "Ada", 36));
        int second = c.callReducer("add_person", reducers.encodeArgs("add_person", "Bob", 41));
        assertEquals(second, c.expect(ServerMessage.ReducerResult.class).requestId());
        assertEquals(first, c.expect(ServerMessage.ReducerResult.class).requestId());

        // Only the next two: afterwards frames are in order again.
        int third = c.callReducer("add_person", reducers.encodeArgs("add_person", "Carl", 50));
        int fourth = c.callReducer("add_person", reducers.encodeArgs("add_person", "Dora", 36));
        assertEquals(third, c.expect(ServerMessage.ReducerResult.class).requestId());
        assertEquals(fourth, c.expect(ServerMessage.ReducerResult.class).requestId());
    }

    @Test
    void reorderNextFramesAppliesToEachConnectionAndLosesNothing() {
        TestClient caller = connect();
        TestClient watcher = connect();
        caller.subscribe(1, "SELECT * FROM person");
        watcher.subscribe(1, "SELECT * FROM person");
        sandbox.faults().reorderNextFrames(2);
        int first = caller.callReducer("add_person", reducers.encodeArgs("add_person", "Ada", 36));
        int second = caller.callReducer("add_person", reducers.encodeArgs("add_person", "Bob", 41));
        assertEquals(second, caller.expect(ServerMessage.ReducerResult.class).requestId());
        assertEquals(first, caller.expect(ServerMessage.ReducerResult.class).requestId());
        ServerMessage.TransactionUpdate bob = watcher.expect(ServerMessage.TransactionUpdate.class);
        ServerMessage.TransactionUpdate ada = watcher.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(List.of("2:Bob:41"), Rows.people(Rows.inserts(sandbox.schema(), bob, "person")));
        assertEquals(List.of("1:Ada:36"), Rows.people(Rows.inserts(sandbox.schema(), ada, "person")));

        // A connection opened afterwards is not affected, and the others are back in order.
        TestClient late = connect();
        late.assertNothingPending();
        caller.assertNothingPending();
        watcher.assertNothingPending();
    }

    @Test
    void sendMalformedFrame() {
        TestClient c = connect();
        c.clearFrames();
        sandbox.faults().sendMalformedFrame();
        RuntimeException error = c.nextDecodeError();
        assertInstanceOf(ProtocolException.class, error);
        byte[] frame = c.nextFrame();
        assertThrows(ProtocolException.class, () -> new ServerFrameCodec(c.subprotocol()).decode(frame));

        // The connection stays open and works.
        c.send(new ClientMessage.OneOffQuery(7, "SELECT * FROM person"));
        assertEquals(7, c.expect(ServerMessage.OneOffQueryResult.class).requestId());
    }

    @Test
    void revokeToken() {
        IssuedToken revoked = sandbox.issueToken();
        IssuedToken kept = sandbox.issueToken();
        TestClient before = connect(TestClient.to(sandbox).bearer(revoked.token()));
        assertEquals(revoked.identity(), before.initial().identity());

        sandbox.faults().revokeToken(revoked.token());
        WebSocketHandshakeException e = TestClient.to(sandbox).bearer(revoked.token()).refused();
        assertEquals(401, e.getResponse().statusCode());
        assertEquals("token revoked", TestClient.body(e));
        assertEquals(401, TestClient.to(sandbox).tokenParam(revoked.token()).refusedStatus());
        assertEquals(kept.identity(), connect(TestClient.to(sandbox).bearer(kept.token())).initial().identity());
    }

    @Test
    void expireAllTokens() throws Exception {
        IssuedToken a = sandbox.issueToken();
        IssuedToken b = sandbox.issueToken();
        sandbox.faults().expireAllTokens();
        for (IssuedToken t : List.of(a, b)) {
            WebSocketHandshakeException e = TestClient.to(sandbox).bearer(t.token()).refused();
            assertEquals(401, e.getResponse().statusCode());
            assertEquals("token expired", TestClient.body(e));
        }
        HttpResponse<String> r = TestClient.HTTP.send(HttpRequest.newBuilder(
                        sandbox.httpUri().resolve("v1/identity/websocket-token"))
                .header("Authorization", "Bearer " + a.token()).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, r.statusCode());
        assertEquals("token expired", r.body());
        // Anonymous connections need no token and still work.
        connect();
        // A token issued right after the fault, within the same second, is valid.
        IssuedToken fresh = sandbox.issueToken();
        TestClient.to(sandbox).bearer(fresh.token()).connect().close();
    }

    @Test
    void faultsAreAlsoAtHttpRoutesForClientsOutsideThisJvm() throws Exception {
        TestClient c = connect();
        java.net.http.HttpResponse<String> drop = TestClient.HTTP.send(HttpRequest.newBuilder(
                sandbox.httpUri().resolve("_sandbox/faults/drop-connections")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, drop.statusCode());
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
        while (sandbox.connectionCount() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, sandbox.connectionCount());
        HttpResponse<String> refuse = TestClient.HTTP.send(HttpRequest.newBuilder(
                sandbox.httpUri().resolve("_sandbox/faults/refuse-connections?millis=60000"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, refuse.statusCode());
        assertEquals(503, TestClient.to(sandbox).refusedStatus());
        HttpResponse<String> unknown = TestClient.HTTP.send(HttpRequest.newBuilder(
                sandbox.httpUri().resolve("_sandbox/faults/nope")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("drop-connections"), unknown.body());
    }

    @Test
    void resetClearsDelayAndRefusal() {
        TestClient c = connect();
        sandbox.faults().delayFrames(Duration.ofSeconds(3));
        sandbox.faults().refuseConnectionsFor(Duration.ofMinutes(1));
        assertEquals(503, TestClient.to(sandbox).refusedStatus());

        sandbox.faults().reset();
        long start = System.nanoTime();
        TestClient d = connect();
        c.callReducer("add_person", reducers.encodeArgs("add_person", "Ada", 36));
        c.expect(ServerMessage.ReducerResult.class);
        long elapsed = System.nanoTime() - start;
        assertTrue(elapsed < Duration.ofSeconds(2).toNanos(), "took " + elapsed / 1_000_000 + " ms");
        d.assertNothingPending();
    }
}
