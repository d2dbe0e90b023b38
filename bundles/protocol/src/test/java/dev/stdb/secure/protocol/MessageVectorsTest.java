package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ClientMessageCodec;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessage.ProcedureStatus;
import dev.stdb.secure.protocol.message.ServerMessage.QueryRows;
import dev.stdb.secure.protocol.message.ServerMessage.ReducerOutcome;
import dev.stdb.secure.protocol.message.ServerMessageCodec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static dev.stdb.secure.protocol.Vectors.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every message and envelope vector of the official SDK, both ways, byte for byte. */
class MessageVectorsTest {

    // ------------------------------------------------------------------ JSON -> expected messages

    static ClientMessage clientMessage(Map<String, Object> json) {
        Map<String, Object> v = map(json.get("value"));
        return switch ((String) json.get("tag")) {
            case "Subscribe" -> new ClientMessage.Subscribe(int32(v.get("requestId")), querySet(v),
                    Vectors.<List<String>>cast(v.get("queryStrings")));
            case "Unsubscribe" -> new ClientMessage.Unsubscribe(int32(v.get("requestId")), querySet(v),
                    "Default".equals(map(v.get("flags")).get("tag"))
                            ? ClientMessage.UnsubscribeFlags.DEFAULT : ClientMessage.UnsubscribeFlags.SEND_DROPPED_ROWS);
            case "OneOffQuery" -> new ClientMessage.OneOffQuery(int32(v.get("requestId")), (String) v.get("queryString"));
            case "CallReducer" -> new ClientMessage.CallReducer(int32(v.get("requestId")), (String) v.get("reducer"),
                    bytes(v.get("args")));
            case "CallProcedure" -> new ClientMessage.CallProcedure(int32(v.get("requestId")), (String) v.get("procedure"),
                    bytes(v.get("args")));
            default -> throw new AssertionError("unknown client message " + json.get("tag"));
        };
    }

    private static int querySet(Map<String, Object> v) {
        return int32(map(v.get("querySetId")).get("id"));
    }

    static ServerMessage serverMessage(Map<String, Object> json) {
        Map<String, Object> v = map(json.get("value"));
        return switch ((String) json.get("tag")) {
            case "InitialConnection" -> new ServerMessage.InitialConnection(
                    Identity.fromHex((String) map(v.get("identity")).get("$identity")),
                    ConnectionId.fromHex((String) map(v.get("connectionId")).get("$connectionId")), (String) v.get("token"));
            case "SubscribeApplied" -> new ServerMessage.SubscribeApplied(int32(v.get("requestId")), querySet(v),
                    queryRows(v.get("rows")));
            case "UnsubscribeApplied" -> new ServerMessage.UnsubscribeApplied(int32(v.get("requestId")), querySet(v),
                    isNull(v.get("rows")) ? null : queryRows(v.get("rows")));
            case "SubscriptionError" -> new ServerMessage.SubscriptionError(
                    isNull(v.get("requestId")) ? OptionalInt.empty() : OptionalInt.of(int32(v.get("requestId"))),
                    querySet(v), (String) v.get("error"));
            case "TransactionUpdate" -> transactionUpdate(v);
            case "OneOffQueryResult" -> {
                Map<String, Object> result = map(v.get("result"));
                yield result.containsKey("ok")
                        ? new ServerMessage.OneOffQueryResult(int32(v.get("requestId")), queryRows(result.get("ok")), null)
                        : new ServerMessage.OneOffQueryResult(int32(v.get("requestId")), null, (String) result.get("err"));
            }
            case "ReducerResult" -> new ServerMessage.ReducerResult(int32(v.get("requestId")), timestamp(v.get("timestamp")),
                    reducerOutcome(map(v.get("result"))));
            case "ProcedureResult" -> {
                Map<String, Object> status = map(v.get("status"));
                ProcedureStatus s = "Returned".equals(status.get("tag"))
                        ? new ProcedureStatus.Returned(bytes(status.get("value")))
                        : new ProcedureStatus.InternalError((String) status.get("value"));
                yield new ServerMessage.ProcedureResult(s, timestamp(v.get("timestamp")),
                        new TimeDuration(integer(map(v.get("totalHostExecutionDuration")).get("$durationMicros")).longValueExact()),
                        int32(v.get("requestId")));
            }
            default -> throw new AssertionError("unknown server message " + json.get("tag"));
        };
    }

    private static boolean isNull(Object o) {
        return o == null || dev.stdb.secure.protocol.internal.json.Json.isNull(o);
    }

    private static Timestamp timestamp(Object o) {
        return new Timestamp(integer(map(o).get("$timestampMicros")).longValueExact());
    }

    private static ReducerOutcome reducerOutcome(Map<String, Object> r) {
        return switch ((String) r.get("tag")) {
            case "Ok" -> new ReducerOutcome.Ok(bytes(map(r.get("value")).get("retValue")),
                    transactionUpdate(map(map(r.get("value")).get("transactionUpdate"))));
            case "OkEmpty" -> new ReducerOutcome.OkEmpty();
            case "Err" -> new ReducerOutcome.Err(bytes(r.get("value")));
            default -> new ReducerOutcome.InternalError((String) r.get("value"));
        };
    }

    private static ServerMessage.TransactionUpdate transactionUpdate(Map<String, Object> v) {
        List<ServerMessage.QuerySetUpdate> sets = new ArrayList<>();
        for (Object s : list(v.get("querySets"))) {
            Map<String, Object> set = map(s);
            List<ServerMessage.TableUpdate> tables = new ArrayList<>();
            for (Object t : list(set.get("tables"))) {
                Map<String, Object> table = map(t);
                List<ServerMessage.TableUpdateRows> rows = new ArrayList<>();
                for (Object r : list(table.get("rows"))) {
                    Map<String, Object> row = map(r);
                    Map<String, Object> value = map(row.get("value"));
                    rows.add("PersistentTable".equals(row.get("tag"))
                            ? new ServerMessage.TableUpdateRows.PersistentTable(rowList(value.get("inserts")), rowList(value.get("deletes")))
                            : new ServerMessage.TableUpdateRows.EventTable(rowList(value.get("events"))));
                }
                tables.add(new ServerMessage.TableUpdate((String) table.get("tableName"), rows));
            }
            sets.add(new ServerMessage.QuerySetUpdate(int32(map(set.get("querySetId")).get("id")), tables));
        }
        return new ServerMessage.TransactionUpdate(sets);
    }

    private static QueryRows queryRows(Object o) {
        List<ServerMessage.SingleTableRows> tables = new ArrayList<>();
        for (Object t : list(map(o).get("tables"))) {
            tables.add(new ServerMessage.SingleTableRows((String) map(t).get("table"), rowList(map(t).get("rows"))));
        }
        return new QueryRows(tables);
    }

    private static BsatnRowList rowList(Object o) {
        Map<String, Object> m = map(o);
        Map<String, Object> hint = map(m.get("sizeHint"));
        RowSizeHint h;
        if ("FixedSize".equals(hint.get("tag"))) {
            h = new RowSizeHint.FixedSize(int32(hint.get("value")));
        } else {
            h = new RowSizeHint.RowOffsets(list(hint.get("value")).stream().mapToLong(x -> integer(x).longValueExact()).toArray());
        }
        return BsatnRowList.of(h, bytes(m.get("rowsData")));
    }

    // ------------------------------------------------------------------ tests

    @TestFactory
    Stream<DynamicTest> everyClientMessageBothWays() {
        List<Map<String, Object>> vectors = section("client_messages");
        assertEquals(6, vectors.size());
        return vectors.stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            byte[] wire = hex((String) v.get("hex"));
            ClientMessage want = clientMessage(map(v.get("value")));
            assertArrayEquals(wire, ClientMessageCodec.encode(want));
            BsatnReader r = new BsatnReader(wire);
            assertEquals(want, ClientMessageCodec.decode(r));
            r.expectEnd("test");
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyServerMessageBothWays() {
        List<Map<String, Object>> vectors = section("server_messages");
        assertEquals(16, vectors.size());
        return vectors.stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            byte[] wire = hex((String) v.get("hex"));
            ServerMessage want = serverMessage(map(v.get("value")));
            BsatnReader r = new BsatnReader(wire);
            assertEquals(want, ServerMessageCodec.decode(r));
            r.expectEnd("test");
            assertArrayEquals(wire, ServerMessageCodec.encode(want));
        }));
    }

    private static ServerMessage decodeOne(String hex) {
        BsatnReader r = new BsatnReader(hex(hex));
        ServerMessage m = ServerMessageCodec.decode(r);
        r.expectEnd("test");
        return m;
    }

    @Test
    void uncompressedServerFrameBothWays() {
        Map<String, Object> e = envelope("server_frame_uncompressed");
        byte[] frame = hex((String) e.get("hex"));
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V2_BSATN);
        List<ServerMessage> messages = codec.decode(frame);
        assertEquals(1, messages.size());
        assertEquals(ServerMessage.InitialConnection.class, messages.get(0).getClass());
        assertArrayEquals(frame, codec.encode(messages, Compression.NONE));
    }

    @Test
    void gzipAndBrotliServerFramesDecompressToTheInnerMessage() {
        for (String name : List.of("server_frame_gzip", "server_frame_brotli")) {
            Map<String, Object> e = envelope(name);
            List<ServerMessage> messages = new ServerFrameCodec(Subprotocol.V2_BSATN).decode(hex((String) e.get("hex")));
            assertEquals(List.of(decodeOne((String) e.get("inner_hex"))), messages, name);
        }
    }

    @Test
    void v3ServerFrameWithTwoMessagesBothWays() {
        byte[] frame = envelopeBytes("server_frame_v3_two_messages");
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V3_BSATN);
        List<ServerMessage> messages = codec.decode(frame);
        assertEquals(2, messages.size());
        assertEquals(ServerMessage.InitialConnection.class, messages.get(0).getClass());
        assertEquals(ServerMessage.SubscribeApplied.class, messages.get(1).getClass());
        assertArrayEquals(frame, codec.encode(messages, Compression.NONE));
    }

    @Test
    void clientFramesBothWays() {
        byte[] v2 = envelopeBytes("client_frame_v2");
        ClientFrameCodec v2codec = new ClientFrameCodec(Subprotocol.V2_BSATN);
        List<ClientMessage> one = v2codec.decode(v2);
        assertEquals(1, one.size());
        assertArrayEquals(v2, v2codec.encode(one).get(0));

        byte[] v3 = envelopeBytes("client_frame_v3_two_messages");
        ClientFrameCodec v3codec = new ClientFrameCodec(Subprotocol.V3_BSATN);
        List<ClientMessage> two = v3codec.decode(v3);
        assertEquals(2, two.size());
        List<byte[]> frames = v3codec.encode(two);
        assertEquals(1, frames.size(), "v3 batches both messages into one frame");
        assertArrayEquals(v3, frames.get(0));
    }

    @Test
    void liveClientFramesOfTheOfficialClientDecode() {
        Map<String, Object> peer = map(load().get("live_peer"));
        for (Object run : peer.values()) {
            Map<String, Object> r = map(run);
            assertEquals("v3.bsatn.spacetimedb, v2.bsatn.spacetimedb", map(r.get("upgrade")).get("protocols"));
            List<ClientMessage> decoded = new ArrayList<>();
            for (Object f : list(r.get("clientFrames"))) {
                decoded.addAll(new ClientFrameCodec(Subprotocol.V3_BSATN).decode(hex((String) f)));
            }
            assertEquals(new ClientMessage.Subscribe(0, 0, List.of("SELECT * FROM person")), decoded.get(0));
            assertEquals("add_person", ((ClientMessage.CallReducer) decoded.get(1)).reducer());
        }
    }
}
