package dev.stdb.secure.protocol.message;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;

import java.util.ArrayList;
import java.util.List;

/** BSATN of {@link ClientMessage}: encoded by clients, decoded by servers and test peers. */
public final class ClientMessageCodec {
    private static final int MIN_STRING_BYTES = 4;

    private ClientMessageCodec() {
    }

    public static byte[] encode(ClientMessage message) {
        BsatnWriter w = new BsatnWriter();
        encode(message, w);
        return w.toByteArray();
    }

    public static void encode(ClientMessage message, BsatnWriter w) {
        if (message instanceof ClientMessage.Subscribe m) {
            w.writeU8(0).writeI32(m.requestId()).writeI32(m.querySetId()).writeLength(m.queryStrings().size());
            m.queryStrings().forEach(w::writeString);
        } else if (message instanceof ClientMessage.Unsubscribe m) {
            w.writeU8(1).writeI32(m.requestId()).writeI32(m.querySetId()).writeU8(m.flags().ordinal());
        } else if (message instanceof ClientMessage.OneOffQuery m) {
            w.writeU8(2).writeI32(m.requestId()).writeString(m.queryString());
        } else if (message instanceof ClientMessage.CallReducer m) {
            w.writeU8(3).writeI32(m.requestId()).writeU8(0).writeString(m.reducer()).writeBytes(m.args());
        } else if (message instanceof ClientMessage.CallProcedure m) {
            w.writeU8(4).writeI32(m.requestId()).writeU8(0).writeString(m.procedure()).writeBytes(m.args());
        } else {
            throw new IllegalArgumentException("unknown client message " + message);
        }
    }

    /** Decodes one message from the reader's position. */
    public static ClientMessage decode(BsatnReader r) {
        int tag = r.readTag(5, "ClientMessage");
        return switch (tag) {
            case 0 -> {
                int requestId = r.readI32("ClientMessage.Subscribe.request_id");
                int querySetId = r.readI32("ClientMessage.Subscribe.query_set_id");
                int n = r.readLength(MIN_STRING_BYTES, "ClientMessage.Subscribe.query_strings");
                List<String> queries = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    queries.add(r.readString("ClientMessage.Subscribe.query_strings"));
                }
                yield new ClientMessage.Subscribe(requestId, querySetId, queries);
            }
            case 1 -> new ClientMessage.Unsubscribe(r.readI32("ClientMessage.Unsubscribe.request_id"),
                    r.readI32("ClientMessage.Unsubscribe.query_set_id"),
                    ClientMessage.UnsubscribeFlags.values()[r.readTag(2, "ClientMessage.Unsubscribe.flags")]);
            case 2 -> new ClientMessage.OneOffQuery(r.readI32("ClientMessage.OneOffQuery.request_id"),
                    r.readString("ClientMessage.OneOffQuery.query_string"));
            case 3 -> {
                int requestId = r.readI32("ClientMessage.CallReducer.request_id");
                readZeroFlags(r, "ClientMessage.CallReducer.flags");
                yield new ClientMessage.CallReducer(requestId, r.readString("ClientMessage.CallReducer.reducer"),
                        r.readByteString("ClientMessage.CallReducer.args"));
            }
            default -> {
                int requestId = r.readI32("ClientMessage.CallProcedure.request_id");
                readZeroFlags(r, "ClientMessage.CallProcedure.flags");
                yield new ClientMessage.CallProcedure(requestId, r.readString("ClientMessage.CallProcedure.procedure"),
                        r.readByteString("ClientMessage.CallProcedure.args"));
            }
        };
    }

    private static void readZeroFlags(BsatnReader r, String decoding) {
        int at = r.position();
        int flags = r.readU8(decoding);
        if (flags != 0) {
            throw r.errorAt(at, "flags must be 0, got " + flags, decoding);
        }
    }
}
