package dev.stdb.secure.protocol.property;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;
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
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdateRows;
import dev.stdb.secure.protocol.message.ServerMessageCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Random client and server messages of every variant, through the message codecs and v2/v3 frames. */
class MessageRoundTripTest {

    // ------------------------------------------------------------------ generators

    static ClientMessage clientMessage(Random r) {
        switch (r.nextInt(5)) {
            case 0: {
                List<String> queries = new ArrayList<>();
                for (int i = r.nextInt(4); i > 0; i--) {
                    queries.add("SELECT * FROM " + Gen.string(r));
                }
                return new ClientMessage.Subscribe(r.nextInt(), r.nextInt(), queries);
            }
            case 1:
                return new ClientMessage.Unsubscribe(r.nextInt(), r.nextInt(),
                        ClientMessage.UnsubscribeFlags.values()[r.nextInt(2)]);
            case 2:
                return new ClientMessage.OneOffQuery(r.nextInt(), Gen.string(r));
            case 3:
                return new ClientMessage.CallReducer(r.nextInt(), Gen.string(r), payload(r));
            default:
                return new ClientMessage.CallProcedure(r.nextInt(), Gen.string(r), payload(r));
        }
    }

    /** Usually small, sometimes over the 1024-byte compression threshold. */
    private static byte[] payload(Random r) {
        return Gen.bytes(r, r.nextInt(8) == 0 ? 900 + r.nextInt(1500) : r.nextInt(40));
    }

    static ServerMessage serverMessage(Random r) {
        switch (r.nextInt(8)) {
            case 0:
                return new ServerMessage.InitialConnection(Identity.fromBigInteger(new BigInteger(256, r)),
                        ConnectionId.fromBigInteger(new BigInteger(128, r)), Gen.string(r));
            case 1:
                return new ServerMessage.SubscribeApplied(r.nextInt(), r.nextInt(), queryRows(r));
            case 2:
                return new ServerMessage.UnsubscribeApplied(r.nextInt(), r.nextInt(),
                        r.nextBoolean() ? null : queryRows(r));
            case 3:
                return new ServerMessage.SubscriptionError(r.nextBoolean() ? OptionalInt.empty()
                        : OptionalInt.of(r.nextInt()), r.nextInt(), Gen.string(r));
            case 4:
                return transactionUpdate(r);
            case 5:
                return r.nextBoolean() ? new ServerMessage.OneOffQueryResult(r.nextInt(), queryRows(r), null)
                        : new ServerMessage.OneOffQueryResult(r.nextInt(), null, Gen.string(r));
            case 6:
                return new ServerMessage.ReducerResult(r.nextInt(), new Timestamp(r.nextLong()), reducerOutcome(r));
            default: {
                ProcedureStatus status = r.nextBoolean() ? new ProcedureStatus.Returned(payload(r))
                        : new ProcedureStatus.InternalError(Gen.string(r));
                return new ServerMessage.ProcedureResult(status, new Timestamp(r.nextLong()),
                        new TimeDuration(r.nextLong()), r.nextInt());
            }
        }
    }

    private static ReducerOutcome reducerOutcome(Random r) {
        switch (r.nextInt(4)) {
            case 0:
                return new ReducerOutcome.Ok(payload(r), transactionUpdate(r));
            case 1:
                return new ReducerOutcome.OkEmpty();
            case 2:
                return new ReducerOutcome.Err(payload(r));
            default:
                return new ReducerOutcome.InternalError(Gen.string(r));
        }
    }

    private static ServerMessage.TransactionUpdate transactionUpdate(Random r) {
        List<ServerMessage.QuerySetUpdate> sets = new ArrayList<>();
        for (int s = r.nextInt(3); s > 0; s--) {
            List<ServerMessage.TableUpdate> tables = new ArrayList<>();
            for (int t = r.nextInt(3); t > 0; t--) {
                List<TableUpdateRows> rows = new ArrayList<>();
                for (int p = r.nextInt(3); p > 0; p--) {
                    rows.add(r.nextBoolean() ? new TableUpdateRows.PersistentTable(rowList(r), rowList(r))
                            : new TableUpdateRows.EventTable(rowList(r)));
                }
                tables.add(new ServerMessage.TableUpdate(Gen.string(r), rows));
            }
            sets.add(new ServerMessage.QuerySetUpdate(r.nextInt(), tables));
        }
        return new ServerMessage.TransactionUpdate(sets);
    }

    private static QueryRows queryRows(Random r) {
        List<ServerMessage.SingleTableRows> tables = new ArrayList<>();
        for (int t = r.nextInt(4); t > 0; t--) {
            tables.add(new ServerMessage.SingleTableRows(Gen.string(r), rowList(r)));
        }
        return new QueryRows(tables);
    }

    /** Row bytes are opaque to the message codec; the hint only has to be consistent with their length. */
    static BsatnRowList rowList(Random r) {
        if (r.nextBoolean()) {
            int size = r.nextInt(5) == 0 ? r.nextInt(0x10000) : 1 + r.nextInt(16);
            int count = size == 0 ? 0 : r.nextInt(size > 64 ? 2 : 12);
            return BsatnRowList.of(new RowSizeHint.FixedSize(size), Gen.bytes(r, size * count));
        }
        int length = r.nextInt(10) == 0 ? 1000 + r.nextInt(1200) : r.nextInt(60);
        int count = length == 0 ? r.nextInt(2) : 1 + r.nextInt(Math.min(length, 10));
        long[] offsets = new long[count];
        for (int i = 1; i < count; i++) {
            offsets[i] = offsets[i - 1] + 1 + r.nextInt(Math.max(1, (int) (length - offsets[i - 1] - (count - i))));
        }
        return BsatnRowList.of(new RowSizeHint.RowOffsets(offsets), Gen.bytes(r, length));
    }

    @Provide
    Arbitrary<ClientMessage> clientMessages() {
        return Arbitraries.randomValue(MessageRoundTripTest::clientMessage);
    }

    @Provide
    Arbitrary<ServerMessage> serverMessages() {
        return Arbitraries.randomValue(MessageRoundTripTest::serverMessage);
    }

    // ------------------------------------------------------------------ properties

    @Property(tries = 1000)
    void clientMessageRoundTrip(@ForAll("clientMessages") ClientMessage m) {
        byte[] wire = ClientMessageCodec.encode(m);
        BsatnReader r = new BsatnReader(wire);
        assertEquals(m, ClientMessageCodec.decode(r));
        r.expectEnd("test");
        assertArrayEquals(wire, ClientMessageCodec.encode(ClientMessageCodec.decode(new BsatnReader(wire))));

        ClientFrameCodec v2 = new ClientFrameCodec(Subprotocol.V2_BSATN);
        List<byte[]> frames = v2.encode(List.of(m));
        assertEquals(1, frames.size());
        assertArrayEquals(wire, frames.get(0));
        assertEquals(List.of(m), v2.decode(frames.get(0)));
    }

    @Property(tries = 500)
    void clientV3FramesCarryOneToFourMessages(@ForAll("clientMessages") ClientMessage a,
                                               @ForAll("clientMessages") ClientMessage b,
                                               @ForAll("clientMessages") ClientMessage c,
                                               @ForAll("clientMessages") ClientMessage d,
                                               @ForAll("counts") int n) {
        List<ClientMessage> messages = List.of(a, b, c, d).subList(0, n);
        ClientFrameCodec v3 = new ClientFrameCodec(Subprotocol.V3_BSATN);
        List<byte[]> frames = v3.encode(messages);
        assertEquals(1, frames.size());
        assertEquals(messages, v3.decode(frames.get(0)));
    }

    @Provide
    Arbitrary<Integer> counts() {
        return Arbitraries.integers().between(1, 4);
    }

    @Property(tries = 1000)
    void serverMessageRoundTrip(@ForAll("serverMessages") ServerMessage m) {
        byte[] wire = ServerMessageCodec.encode(m);
        BsatnReader r = new BsatnReader(wire);
        ServerMessage decoded = ServerMessageCodec.decode(r);
        r.expectEnd("test");
        assertEquals(m, decoded);
        assertArrayEquals(wire, ServerMessageCodec.encode(decoded));
    }

    @Property(tries = 500)
    void serverV2Frames(@ForAll("serverMessages") ServerMessage m) {
        ServerFrameCodec v2 = new ServerFrameCodec(Subprotocol.V2_BSATN);
        int body = ServerMessageCodec.encode(m).length;
        byte[] plain = v2.encode(List.of(m), Compression.NONE);
        assertEquals(0, plain[0]);
        assertEquals(1 + body, plain.length);
        assertEquals(List.of(m), v2.decode(plain));

        byte[] gzip = v2.encode(List.of(m), Compression.GZIP);
        assertEquals(body > ServerFrameCodec.COMPRESSION_THRESHOLD ? 2 : 0, gzip[0]);
        List<ServerMessage> decoded = v2.decode(gzip);
        assertEquals(List.of(m), decoded);
        assertArrayEquals(plain, v2.encode(decoded, Compression.NONE));

        byte[] brotli = v2.encode(List.of(m), Compression.BROTLI);
        assertEquals(body > ServerFrameCodec.COMPRESSION_THRESHOLD ? 1 : 0, brotli[0]);
        assertEquals(List.of(m), v2.decode(brotli));
    }

    @Property(tries = 500)
    void serverV3Frames(@ForAll("serverMessages") ServerMessage a, @ForAll("serverMessages") ServerMessage b,
                        @ForAll("serverMessages") ServerMessage c, @ForAll("serverMessages") ServerMessage d,
                        @ForAll("counts") int n) {
        List<ServerMessage> messages = List.of(a, b, c, d).subList(0, n);
        ServerFrameCodec v3 = new ServerFrameCodec(Subprotocol.V3_BSATN);
        int body = 0;
        for (ServerMessage m : messages) {
            body += ServerMessageCodec.encode(m).length;
        }
        byte[] plain = v3.encode(messages, Compression.NONE);
        assertEquals(1 + body, plain.length);
        assertEquals(messages, v3.decode(plain));

        byte[] gzip = v3.encode(messages, Compression.GZIP);
        assertEquals(body > ServerFrameCodec.COMPRESSION_THRESHOLD ? 2 : 0, gzip[0]);
        assertEquals(messages, v3.decode(gzip));

        byte[] brotli = v3.encode(messages, Compression.BROTLI);
        assertEquals(body > ServerFrameCodec.COMPRESSION_THRESHOLD ? 1 : 0, brotli[0]);
        assertEquals(messages, v3.decode(brotli));
    }
}
