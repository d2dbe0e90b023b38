package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessage.ReducerOutcome;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ProcedureDef;
import dev.stdb.secure.protocol.value.ReducerCodec;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The WebSocket protocol of PROTOCOL.md §1.1 and §3, end to end against a fresh sandbox per test. */
class SandboxProtocolTest {
    private Sandbox sandbox;
    private ModuleSchema schema;
    private ReducerCodec reducers;
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.builder().start();
        schema = sandbox.schema();
        reducers = new ReducerCodec(schema);
    }

    @AfterEach
    void stop() {
        clients.forEach(TestClient::close);
        sandbox.close();
    }

    private TestClient connect() {
        return track(TestClient.to(sandbox).connect());
    }

    private TestClient track(TestClient c) {
        clients.add(c);
        return c;
    }

    private static final Pattern IDENTITY_JSON = Pattern.compile("\"identity\"\\s*:\\s*\"([0-9a-f]{64})\"");
    private static final Pattern TOKEN_JSON = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    /** {@code POST /v1/identity}: identity and token. */
    private IssuedToken postIdentity() throws Exception {
        HttpResponse<String> r = TestClient.HTTP.send(HttpRequest.newBuilder(sandbox.httpUri().resolve("v1/identity"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        Matcher id = IDENTITY_JSON.matcher(r.body());
        Matcher token = TOKEN_JSON.matcher(r.body());
        assertTrue(id.find() && token.find(), r.body());
        return new IssuedToken(Identity.fromHex(id.group(1)), token.group(1));
    }

    // ------------------------------------------------------------------ connecting and identity

    @Test
    void anonymousConnectionsGetAFreshIdentityEach() {
        TestClient a = connect();
        TestClient b = connect();
        ServerMessage.InitialConnection ia = a.initial();
        ServerMessage.InitialConnection ib = b.initial();
        assertTrue(ia.identity().toHex().startsWith("c200"), ia.identity().toHex());
        assertTrue(ib.identity().toHex().startsWith("c200"), ib.identity().toHex());
        assertNotEquals(ia.identity(), ib.identity());
        assertNotEquals(ia.connectionId(), ib.connectionId());
        assertFalse(ia.connectionId().isZero());
        assertFalse(ia.token().isEmpty());

        // The token of the anonymous connection proves that identity next time.
        TestClient again = track(TestClient.to(sandbox).bearer(ia.token()).connect());
        assertEquals(ia.identity(), again.initial().identity());
    }

    @Test
    void tokenFromIssueTokenViaHeaderAndQuery() {
        IssuedToken issued = sandbox.issueToken();
        assertTrue(issued.identity().toHex().startsWith("c200"));
        TestClient viaHeader = track(TestClient.to(sandbox).bearer(issued.token()).connect());
        assertEquals(issued.identity(), viaHeader.initial().identity());
        assertEquals(issued.token(), viaHeader.initial().token());
        TestClient viaQuery = track(TestClient.to(sandbox).tokenParam(issued.token()).connect());
        assertEquals(issued.identity(), viaQuery.initial().identity());
    }

    @Test
    void tokenFromPostIdentityViaHeaderAndQuery() throws Exception {
        IssuedToken issued = postIdentity();
        assertTrue(issued.identity().toHex().startsWith("c200"));
        assertEquals(issued.identity(), track(TestClient.to(sandbox).bearer(issued.token()).connect()).initial().identity());
        assertEquals(issued.identity(), track(TestClient.to(sandbox).tokenParam(issued.token()).connect()).initial().identity());
    }

    @Test
    void headerWinsOverQuery() {
        IssuedToken header = sandbox.issueToken();
        IssuedToken query = sandbox.issueToken();
        TestClient c = track(TestClient.to(sandbox).bearer(header.token()).tokenParam(query.token()).connect());
        assertEquals(header.identity(), c.initial().identity());
        // ... even when the query token is not valid at all.
        TestClient d = track(TestClient.to(sandbox).bearer(header.token()).tokenParam("garbage").connect());
        assertEquals(header.identity(), d.initial().identity());
    }

    @Test
    void invalidTokenIsRefusedWith401AndMalformedWith400() throws IOException {
        try (Sandbox other = Sandbox.builder().start()) {
            // Same issuer name, another key.
            assertEquals(401, TestClient.to(sandbox).bearer(other.issueToken().token()).refusedStatus());
        }
        String token = sandbox.issueToken().token();
        String[] parts = token.split("\\.");
        char last = parts[2].charAt(5);
        String badSignature = parts[0] + "." + parts[1] + "." + parts[2].substring(0, 5) + (last == 'A' ? 'B' : 'A')
                + parts[2].substring(6);
        assertEquals(401, TestClient.to(sandbox).bearer(badSignature).refusedStatus());
        assertEquals(401, TestClient.to(sandbox).tokenParam(badSignature).refusedStatus());
        WebSocketHandshakeException malformed = TestClient.to(sandbox).bearer("not-a-jwt").refused();
        assertEquals(400, malformed.getResponse().statusCode());
        assertEquals("malformed token", TestClient.body(malformed));
        assertEquals(400, TestClient.to(sandbox).tokenParam("not-a-jwt").refusedStatus());
        assertEquals(0, sandbox.connectionCount());
    }

    // ------------------------------------------------------------------ subprotocols

    @Test
    void v3IsChosenWhenBothAreOffered() {
        TestClient c = connect();
        assertEquals(Subprotocol.V3_BSATN, c.subprotocol());
        c.initial();
        // Also when v2 is offered first: the server's preference decides.
        TestClient d = track(TestClient.to(sandbox).protocols("v2.bsatn.spacetimedb", "v3.bsatn.spacetimedb").connect());
        assertEquals(Subprotocol.V3_BSATN, d.subprotocol());
        d.initial();
    }

    @Test
    void v2IsChosenWhenOnlyV2IsOffered() {
        TestClient c = track(TestClient.to(sandbox).protocols("v2.bsatn.spacetimedb").connect());
        assertEquals(Subprotocol.V2_BSATN, c.subprotocol());
        c.initial();
        c.subscribe(1, "SELECT * FROM person");
        assertTrue(c.call(reducers, "add_person", "Ada", 36).result() instanceof ReducerOutcome.Ok);
    }

    @Test
    void v2IsChosenWhenTheSandboxOnlyEnablesV2() throws IOException {
        try (Sandbox v2only = Sandbox.builder().protocols(Subprotocol.V2_BSATN).start()) {
            TestClient c = track(TestClient.to(v2only).connect());
            assertEquals(Subprotocol.V2_BSATN, c.subprotocol());
            c.initial();
            assertEquals(400, TestClient.to(v2only).protocols("v3.bsatn.spacetimedb").refusedStatus());
            c.close();
        }
    }

    @Test
    void noAcceptableSubprotocolIsRefusedWith400() {
        WebSocketHandshakeException e = TestClient.to(sandbox).protocols("v1.json.spacetimedb", "v1.bsatn.spacetimedb").refused();
        assertEquals(400, e.getResponse().statusCode());
        assertEquals("no valid protocol selected", TestClient.body(e));
        assertEquals(400, TestClient.to(sandbox).protocols().refusedStatus());
    }

    // ------------------------------------------------------------------ subscriptions and reducers

    @Test
    void subscribeToEmptyTable() {
        TestClient c = connect();
        c.initial();
        ServerMessage.SubscribeApplied applied = c.subscribe(7, "SELECT * FROM person");
        assertTrue(Rows.of(schema, applied.rows(), "person").isEmpty());
        assertTrue(Rows.tables(applied.rows()).isEmpty());
    }

    @Test
    void addPersonReachesCallerAndSubscribersButNotOthers() {
        TestClient caller = connect();
        TestClient watcher = connect();
        TestClient idle = connect();
        caller.subscribe(1, "SELECT * FROM person");
        watcher.subscribe(5, "SELECT * FROM person");
        idle.initial();

        ServerMessage.ReducerResult result = caller.call(reducers, "add_person", "Ada", 36);
        ServerMessage.TransactionUpdate own = Rows.ok(result);
        assertEquals(1, own.querySets().size());
        assertEquals(1, own.querySets().get(0).querySetId());
        List<Row> inserted = Rows.inserts(schema, own, "person");
        assertEquals(List.of("1:Ada:36"), Rows.people(inserted));
        assertTrue(Rows.deletes(schema, own, "person").isEmpty());
        assertTrue(((ReducerOutcome.Ok) result.result()).returnValue().isEmpty());
        long now = System.currentTimeMillis() * 1000;
        assertTrue(Math.abs(result.timestamp().micros() - now) < 60_000_000L, "timestamp in microseconds: " + result.timestamp());

        ServerMessage.TransactionUpdate seen = watcher.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(5, seen.querySets().get(0).querySetId());
        List<Row> seenRows = Rows.inserts(schema, seen, "person");
        assertEquals(1, seenRows.size());
        assertArrayEquals(inserted.get(0).toBytes(), seenRows.get(0).toBytes());

        idle.assertNothingPending();
        caller.assertNothingPending();
        watcher.assertNothingPending();
    }

    @Test
    void updatePersonIsDeletePlusInsertWithTheSamePrimaryKeyInOneTableUpdate() {
        TestClient caller = connect();
        TestClient watcher = connect();
        caller.subscribe(1, "SELECT * FROM person");
        watcher.subscribe(1, "SELECT * FROM person");
        caller.call(reducers, "add_person", "Ada", 36);
        watcher.expect(ServerMessage.TransactionUpdate.class);

        ServerMessage.TransactionUpdate own = Rows.ok(caller.call(reducers, "update_person", 1, "Ada Lovelace", 37));
        ServerMessage.TransactionUpdate seen = watcher.expect(ServerMessage.TransactionUpdate.class);
        for (ServerMessage.TransactionUpdate tu : List.of(own, seen)) {
            List<ServerMessage.TableUpdate> updates = Rows.updates(tu, "person");
            assertEquals(1, updates.size(), "one TableUpdate");
            assertEquals(1, updates.get(0).rows().size());
            assertInstanceOf(ServerMessage.TableUpdateRows.PersistentTable.class, updates.get(0).rows().get(0));
            List<Row> ins = Rows.inserts(schema, tu, "person");
            List<Row> del = Rows.deletes(schema, tu, "person");
            assertEquals(List.of("1:Ada Lovelace:37"), Rows.people(ins));
            assertEquals(List.of("1:Ada:36"), Rows.people(del));
            assertEquals(ins.get(0).key(), del.get(0).key());
        }
    }

    @Test
    void deletePerson() {
        TestClient caller = connect();
        TestClient watcher = connect();
        caller.subscribe(1, "SELECT * FROM person");
        caller.call(reducers, "add_person", "Ada", 36);
        caller.call(reducers, "add_person", "Bob", 41);
        watcher.subscribe(2, "SELECT * FROM person");

        ServerMessage.TransactionUpdate own = Rows.ok(caller.call(reducers, "delete_person", 1));
        ServerMessage.TransactionUpdate seen = watcher.expect(ServerMessage.TransactionUpdate.class);
        for (ServerMessage.TransactionUpdate tu : List.of(own, seen)) {
            assertEquals(List.of("1:Ada:36"), Rows.people(Rows.deletes(schema, tu, "person")));
            assertTrue(Rows.inserts(schema, tu, "person").isEmpty());
        }
        ServerMessage.SubscribeApplied now = watcher.subscribe(3, "SELECT * FROM person");
        assertEquals(List.of("2:Bob:41"), Rows.people(Rows.of(schema, now.rows(), "person")));

        // Deleting again fails with the reducer's error and changes nothing.
        ServerMessage.ReducerResult again = caller.call(reducers, "delete_person", 1);
        ReducerOutcome.Err err = assertInstanceOf(ReducerOutcome.Err.class, again.result());
        assertEquals(new Value.Str("no person with id 1"), reducers.decodeError("delete_person", err.error().toByteArray()));
        watcher.assertNothingPending();
    }

    @Test
    void sendMessageReachesMessageAndEventSubscribers() {
        TestClient caller = connect();
        TestClient messages = connect();
        TestClient events = connect();
        caller.subscribe(1, "SELECT * FROM message", "SELECT * FROM chat_event");
        messages.subscribe(2, "SELECT * FROM message");
        ServerMessage.SubscribeApplied eventsApplied = events.subscribe(3, "SELECT * FROM chat_event");
        assertTrue(Rows.of(schema, eventsApplied.rows(), "chat_event").isEmpty());
        Identity sender = caller.initial().identity();

        ServerMessage.TransactionUpdate own = Rows.ok(caller.call(reducers, "send_message", "hello"));
        assertEquals(List.of("message", "chat_event"), Rows.tables(own));
        List<Row> ownMessages = Rows.inserts(schema, own, "message");
        assertEquals(1, ownMessages.size());
        assertEquals(sender, ownMessages.get(0).getIdentity("sender"));
        assertEquals("hello", ownMessages.get(0).getString("text"));
        List<Row> ownEvents = Rows.events(schema, own, "chat_event");
        assertEquals(1, ownEvents.size());
        assertEquals(sender, ownEvents.get(0).getIdentity("sender"));

        ServerMessage.TransactionUpdate m = messages.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(List.of("message"), Rows.tables(m));
        assertInstanceOf(ServerMessage.TableUpdateRows.PersistentTable.class, Rows.updates(m, "message").get(0).rows().get(0));
        List<Row> msgRows = Rows.inserts(schema, m, "message");
        assertEquals(1, msgRows.size());
        assertEquals(sender, msgRows.get(0).getIdentity("sender"));
        assertEquals("hello", msgRows.get(0).getString("text"));
        assertEquals(own.querySets().get(0).querySetId(), 1);
        long sent = msgRows.get(0).getTimestamp("sent").micros();
        assertTrue(Math.abs(sent - System.currentTimeMillis() * 1000) < 60_000_000L, "sent " + sent);

        ServerMessage.TransactionUpdate e = events.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(List.of("chat_event"), Rows.tables(e));
        assertInstanceOf(ServerMessage.TableUpdateRows.EventTable.class, Rows.updates(e, "chat_event").get(0).rows().get(0));
        List<Row> evRows = Rows.events(schema, e, "chat_event");
        assertEquals(1, evRows.size());
        assertEquals(sender, evRows.get(0).getIdentity("sender"));
        assertEquals("hello", evRows.get(0).getString("text"));

        // Event rows are not stored: a new subscriber sees none, but the message is there.
        TestClient late = connect();
        assertTrue(Rows.of(schema, late.subscribe(9, "SELECT * FROM chat_event").rows(), "chat_event").isEmpty());
        assertEquals(1, Rows.of(schema, late.subscribe(10, "SELECT * FROM message").rows(), "message").size());
        messages.assertNothingPending();
        events.assertNothingPending();
    }

    @Test
    void failReturnsErrWithTheReason() {
        TestClient c = connect();
        c.subscribe(1, "SELECT * FROM person");
        ServerMessage.ReducerResult r = c.call(reducers, "fail", "out of coffee");
        ReducerOutcome.Err err = assertInstanceOf(ReducerOutcome.Err.class, r.result());
        assertEquals(new Value.Str("out of coffee"), reducers.decodeError("fail", err.error().toByteArray()));
    }

    @Test
    void panicIsAnInternalError() {
        TestClient c = connect();
        ServerMessage.ReducerResult r = c.call(reducers, "panic");
        ReducerOutcome.InternalError e = assertInstanceOf(ReducerOutcome.InternalError.class, r.result());
        assertTrue(e.message().contains("panic"), e.message());
    }

    @Test
    void unknownReducerBadArgsAndLifecycleReducerAreInternalErrors() {
        TestClient c = connect();
        c.subscribe(1, "SELECT * FROM person");
        int unknown = c.callReducer("no_such_reducer", new byte[0]);
        int badArgs = c.callReducer("add_person", new byte[] {1, 2});
        int trailing = c.callReducer("delete_person", new byte[] {1, 0, 0, 0, 9});
        int init = c.callReducer("init", new byte[0]);
        for (int[] expected : new int[][] {{unknown}, {badArgs}, {trailing}, {init}}) {
            ServerMessage.ReducerResult r = c.expect(ServerMessage.ReducerResult.class);
            assertEquals(expected[0], r.requestId());
            assertInstanceOf(ReducerOutcome.InternalError.class, r.result());
        }
        // Nothing was committed.
        assertTrue(Rows.of(schema, c.subscribe(2, "SELECT * FROM person").rows(), "person").isEmpty());
    }

    @Test
    void callerWithoutSubscriptionsGetsOkEmpty() {
        TestClient caller = connect();
        TestClient watcher = connect();
        watcher.subscribe(1, "SELECT * FROM person");
        ServerMessage.ReducerResult r = caller.call(reducers, "add_person", "Ada", 36);
        assertInstanceOf(ReducerOutcome.OkEmpty.class, r.result());
        assertEquals(1, Rows.inserts(schema, watcher.expect(ServerMessage.TransactionUpdate.class), "person").size());

        // Subscribed, but to rows the transaction does not touch: also OkEmpty.
        caller.subscribe(2, "SELECT * FROM message");
        assertInstanceOf(ReducerOutcome.OkEmpty.class, caller.call(reducers, "add_person", "Bob", 41).result());
    }

    @Test
    void whereSubscriptionsOnlySeeMatchingRows() {
        TestClient caller = connect();
        TestClient filtered = connect();
        caller.call(reducers, "add_person", "Ada", 36);
        caller.call(reducers, "add_person", "Bob", 41);
        ServerMessage.SubscribeApplied applied = filtered.subscribe(4, "SELECT * FROM person WHERE age = 36");
        assertEquals(List.of("1:Ada:36"), Rows.people(Rows.of(schema, applied.rows(), "person")));

        caller.call(reducers, "add_person", "Carl", 50);
        caller.call(reducers, "add_person", "Dora", 36);
        ServerMessage.TransactionUpdate tu = filtered.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(List.of("4:Dora:36"), Rows.people(Rows.inserts(schema, tu, "person")));
        filtered.assertNothingPending();

        // A string filter too.
        ServerMessage.SubscribeApplied byName = filtered.subscribe(5, "select * from person where name = 'Bob'");
        assertEquals(List.of("2:Bob:41"), Rows.people(Rows.of(schema, byName.rows(), "person")));
    }

    @Test
    void unsubscribeWithAndWithoutDroppedRows() {
        TestClient c = connect();
        c.call(reducers, "add_person", "Ada", 36);
        c.subscribe(1, "SELECT * FROM person");
        c.subscribe(2, "SELECT * FROM person");

        c.send(new ClientMessage.Unsubscribe(11, 1, ClientMessage.UnsubscribeFlags.SEND_DROPPED_ROWS));
        ServerMessage.UnsubscribeApplied withRows = c.expect(ServerMessage.UnsubscribeApplied.class);
        assertEquals(11, withRows.requestId());
        assertEquals(1, withRows.querySetId());
        assertEquals(List.of("1:Ada:36"), Rows.people(Rows.of(schema, withRows.rows(), "person")));

        c.send(new ClientMessage.Unsubscribe(12, 2, ClientMessage.UnsubscribeFlags.DEFAULT));
        ServerMessage.UnsubscribeApplied without = c.expect(ServerMessage.UnsubscribeApplied.class);
        assertEquals(12, without.requestId());
        assertNull(without.rows());

        // Unsubscribed: a new row is not sent (the caller's own result is OkEmpty).
        assertInstanceOf(ReducerOutcome.OkEmpty.class, c.call(reducers, "add_person", "Bob", 41).result());

        c.send(new ClientMessage.Unsubscribe(13, 2, ClientMessage.UnsubscribeFlags.DEFAULT));
        ServerMessage.SubscriptionError unknown = c.expect(ServerMessage.SubscriptionError.class);
        assertEquals(13, unknown.requestId().getAsInt());
        assertEquals(2, unknown.querySetId());

        // The query set id can be used again after the unsubscribe.
        assertEquals(2, Rows.of(schema, c.subscribe(1, "SELECT * FROM person").rows(), "person").size());
    }

    @Test
    void subscriptionErrors() {
        TestClient c = connect();
        c.send(new ClientMessage.Subscribe(21, 1, List.of("SELECT * FROM person", "SELECT * FROM nope")));
        ServerMessage.SubscriptionError unknownTable = c.expect(ServerMessage.SubscriptionError.class);
        assertEquals(21, unknownTable.requestId().getAsInt());
        assertEquals(1, unknownTable.querySetId());
        assertTrue(unknownTable.error().contains("nope"), unknownTable.error());

        // The failed set is not live: its id is free, and a duplicate of a live id is an error.
        c.subscribe(1, "SELECT * FROM person");
        c.send(new ClientMessage.Subscribe(22, 1, List.of("SELECT * FROM message")));
        ServerMessage.SubscriptionError duplicate = c.expect(ServerMessage.SubscriptionError.class);
        assertEquals(22, duplicate.requestId().getAsInt());
        assertEquals(1, duplicate.querySetId());

        // The original set is still live.
        c.call(reducers, "add_person", "Ada", 36);
        c.send(new ClientMessage.Subscribe(23, 2, List.of("SELECT * FROM person WHERE age = 'old'")));
        assertEquals(23, c.expect(ServerMessage.SubscriptionError.class).requestId().getAsInt());
    }

    @Test
    void oneOffQueries() {
        TestClient c = connect();
        c.call(reducers, "add_person", "Ada", 36);
        c.call(reducers, "add_person", "Bob", 41);
        c.send(new ClientMessage.OneOffQuery(31, "SELECT * FROM person WHERE name = 'Bob'"));
        ServerMessage.OneOffQueryResult ok = c.expect(ServerMessage.OneOffQueryResult.class);
        assertEquals(31, ok.requestId());
        assertTrue(ok.isOk());
        assertEquals(List.of("2:Bob:41"), Rows.people(Rows.of(schema, ok.rows(), "person")));

        c.send(new ClientMessage.OneOffQuery(32, "DELETE FROM person"));
        ServerMessage.OneOffQueryResult err = c.expect(ServerMessage.OneOffQueryResult.class);
        assertEquals(32, err.requestId());
        assertFalse(err.isOk());
        assertFalse(err.error().isEmpty());
    }

    @Test
    void callProcedureEcho() {
        TestClient c = connect();
        ProcedureDef echo = schema.procedure("echo").orElseThrow();
        byte[] args = ValueCodec.compile(schema.typespace(), echo.params()).encode(List.of("ping?"));
        c.send(new ClientMessage.CallProcedure(41, "echo", args));
        ServerMessage.ProcedureResult r = c.expect(ServerMessage.ProcedureResult.class);
        assertEquals(41, r.requestId());
        ServerMessage.ProcedureStatus.Returned returned = assertInstanceOf(ServerMessage.ProcedureStatus.Returned.class, r.status());
        assertEquals(new Value.Str("ping?"),
                ValueCodec.compile(schema.typespace(), echo.returnType()).decode(returned.value().toByteArray()));

        c.send(new ClientMessage.CallProcedure(42, "no_such_procedure", new byte[0]));
        ServerMessage.ProcedureResult missing = c.expect(ServerMessage.ProcedureResult.class);
        assertEquals(42, missing.requestId());
        assertInstanceOf(ServerMessage.ProcedureStatus.InternalError.class, missing.status());
    }

    @Test
    void aSubscriberLeavingWhileTransactionsAreInFlightDoesNotBreakTheOthers() {
        TestClient caller = connect();
        caller.initial();
        // 4000 people first: every add_person then scans them, which keeps the engine busy for a while below.
        int existing = 4000;
        addPeople(caller, 0, existing, "p");
        TestClient leaving = connect();
        TestClient staying = connect();
        leaving.subscribe(1, "SELECT * FROM person");
        staying.subscribe(1, "SELECT * FROM person WHERE name = 'last'");

        int calls = 3000;
        List<ClientMessage> batch = new ArrayList<>();
        for (int i = existing; i < existing + calls - 1; i++) {
            batch.add(new ClientMessage.CallReducer(i, "add_person", reducers.encodeArgs("add_person", "q" + i, 20)));
        }
        batch.add(new ClientMessage.CallReducer(existing + calls - 1, "add_person", reducers.encodeArgs("add_person", "last", 20)));
        caller.sendBatched(batch);
        assertEquals(existing, caller.expect(ServerMessage.ReducerResult.class).requestId());
        leaving.abort(); // gone while the engine is still working through the calls
        for (int i = existing + 1; i < existing + calls; i++) {
            ServerMessage.ReducerResult r = caller.expect(ServerMessage.ReducerResult.class);
            assertEquals(i, r.requestId());
            assertInstanceOf(ReducerOutcome.OkEmpty.class, r.result());
        }
        ServerMessage.TransactionUpdate last = staying.expect(ServerMessage.TransactionUpdate.class);
        assertEquals(List.of((existing + calls) + ":last:20"), Rows.people(Rows.inserts(schema, last, "person")));
        caller.assertNothingPending();
    }

    /** {@code count} add_person calls in one v3 frame, request ids {@code first, first+1, ...}; awaits their results. */
    private void addPeople(TestClient caller, int first, int count, String prefix) {
        List<ClientMessage> batch = new ArrayList<>();
        for (int i = first; i < first + count; i++) {
            batch.add(new ClientMessage.CallReducer(i, "add_person", reducers.encodeArgs("add_person", prefix + i, 20)));
        }
        caller.sendBatched(batch);
        for (int i = first; i < first + count; i++) {
            assertEquals(i, caller.expect(ServerMessage.ReducerResult.class).requestId());
        }
    }

    // ------------------------------------------------------------------ framing

    @Test
    void v3FrameWithTwoMessagesGetsBothAnsweredInOrder() {
        TestClient c = connect();
        assertEquals(Subprotocol.V3_BSATN, c.subprotocol());
        c.initial();
        c.sendBatched(List.of(new ClientMessage.CallReducer(51, "add_person", reducers.encodeArgs("add_person", "Ada", 36)),
                new ClientMessage.OneOffQuery(52, "SELECT * FROM person")));
        ServerMessage.ReducerResult first = c.expect(ServerMessage.ReducerResult.class);
        assertEquals(51, first.requestId());
        ServerMessage.OneOffQueryResult second = c.expect(ServerMessage.OneOffQueryResult.class);
        assertEquals(52, second.requestId());
        assertEquals(List.of("1:Ada:36"), Rows.people(Rows.of(schema, second.rows(), "person")));
    }

    @Test
    void textFrameClosesWith1011() {
        TestClient c = connect();
        c.initial();
        c.sendText("{\"Subscribe\":{}}");
        assertEquals(1011, c.awaitClose().status());
    }

    @Test
    void undecodableBinaryFrameClosesWith1011() {
        TestClient c = connect();
        c.initial();
        c.sendBinary(new byte[] {0x7F, 1, 2, 3});
        TestClient.Close close = c.awaitClose();
        assertEquals(1011, close.status());
        assertFalse(close.reason().isEmpty());
    }

    @Test
    void v2FrameWithTwoMessagesClosesWith1011() {
        TestClient c = track(TestClient.to(sandbox).protocols("v2.bsatn.spacetimedb").connect());
        c.initial();
        byte[] a = new dev.stdb.secure.protocol.frame.ClientFrameCodec(Subprotocol.V2_BSATN)
                .encode(new ClientMessage.OneOffQuery(1, "SELECT * FROM person"));
        byte[] two = new byte[a.length * 2];
        System.arraycopy(a, 0, two, 0, a.length);
        System.arraycopy(a, 0, two, a.length, a.length);
        c.sendBinary(two);
        assertEquals(1011, c.awaitClose().status());
    }

    // ------------------------------------------------------------------ compression

    /** Inserts a person whose row is well over the compression threshold. */
    private String addBigPerson() {
        TestClient writer = connect();
        String name = "x".repeat(3000);
        assertInstanceOf(ReducerOutcome.OkEmpty.class, writer.call(reducers, "add_person", name, 20).result());
        return name;
    }

    @ParameterizedTest
    @CsvSource({"'', 1", "Brotli, 1", "Gzip, 2", "None, 0"})
    void compressionOfLargeFrames(String param, int expectedTag) {
        String name = addBigPerson();
        TestClient.Connector connector = TestClient.to(sandbox);
        if (!param.isEmpty()) {
            connector.query("compression", param);
        }
        TestClient c = track(connector.connect());
        c.initial();
        byte[] initialFrame = c.nextFrame();
        assertEquals(Compression.NONE.tag(), initialFrame[0], "small frames are never compressed");

        ServerMessage.SubscribeApplied applied = c.subscribe(1, "SELECT * FROM person");
        byte[] frame = c.nextFrame();
        assertEquals(expectedTag, frame[0]);
        if (expectedTag == Compression.GZIP.tag()) {
            assertTrue(frame.length < 1000, "a gzip frame of " + frame.length + " bytes");
        }
        assertEquals(name, Rows.of(schema, applied.rows(), "person").get(0).getString("name"));

        // A small answer on the same connection is not compressed.
        c.send(new ClientMessage.OneOffQuery(2, "SELECT * FROM person WHERE age = 99"));
        c.expect(ServerMessage.OneOffQueryResult.class);
        assertEquals(Compression.NONE.tag(), c.nextFrame()[0]);
    }

    @Test
    void invalidCompressionIsRefusedWith400() {
        assertEquals(400, TestClient.to(sandbox).query("compression", "gzip").refusedStatus());
        assertEquals(400, TestClient.to(sandbox).query("compression", "Zstd").refusedStatus());
    }

    // ------------------------------------------------------------------ connection id and database

    @Test
    void connectionIdParameterIsHonoured() {
        String hex = "0123456789abcdef0011223344556677";
        TestClient c = track(TestClient.to(sandbox).query("connection_id", hex).connect());
        assertEquals(ConnectionId.fromHex(hex), c.initial().connectionId());
        assertEquals(hex, c.initial().connectionId().toHex());
    }

    @Test
    void zeroOrInvalidConnectionIdIsRefusedWith400() {
        assertEquals(400, TestClient.to(sandbox).query("connection_id", "0".repeat(32)).refusedStatus());
        assertEquals(400, TestClient.to(sandbox).query("connection_id", "xyz").refusedStatus());
    }

    @Test
    void unknownDatabaseIsRefusedWith404() {
        assertEquals(404, TestClient.to(sandbox).database("other").refusedStatus());
    }

    @Test
    void wsUriIsLoopback() {
        URI uri = sandbox.wsUri();
        assertEquals("ws", uri.getScheme());
        assertEquals("127.0.0.1", uri.getHost());
    }
}
