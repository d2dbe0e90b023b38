package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.ValueCodec;
import org.junit.jupiter.api.Test;

import static dev.stdb.secure.protocol.malformed.Malformed.b;
import static dev.stdb.secure.protocol.malformed.Malformed.bytes;
import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.malformed.Malformed.frame;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;

/** Tags past the last variant, and the flags byte that must be 0. */
class UnknownTagTest {

    @Test
    void serverMessageTags8To255() {
        for (int tag = 8; tag <= 255; tag++) {
            byte[] body = concat(b(tag), new byte[40]);
            fails(() -> Malformed.V2.decode(frame(body)), 0, "ServerMessage", "unknown tag " + tag + " (8 variants)");
            fails(() -> Malformed.serverMessage(body), 0, "ServerMessage", "unknown tag " + tag);
        }
    }

    @Test
    void clientMessageTags5To255() {
        for (Subprotocol p : Subprotocol.values()) {
            ClientFrameCodec codec = new ClientFrameCodec(p);
            for (int tag = 5; tag <= 255; tag++) {
                byte[] frame = concat(b(tag), new byte[20]);
                fails(() -> codec.decode(frame), 0, "ClientMessage", "unknown tag " + tag + " (5 variants)");
            }
        }
    }

    @Test
    void sumTagOutOfRangeInAValue() {
        AlgebraicType.Sum shape = sum(variant("circle", Primitive.F32), variant("none", AlgebraicType.Product.UNIT));
        ValueCodec codec = ValueCodec.compile(Typespace.EMPTY, product(element("id", Primitive.U32), element("shape", shape)));
        for (int tag = 2; tag <= 255; tag++) {
            byte[] bad = concat(bytes(w -> w.writeI32(7)), b(tag), new byte[4]);
            fails(() -> codec.decode(bad), 4, "sum[circle, none]", "unknown tag " + tag + " (2 variants)");
            fails(() -> codec.skip(new dev.stdb.secure.protocol.bsatn.BsatnReader(bad)), 4, "sum[circle, none]",
                    "unknown tag " + tag);
        }
        // a sum without variants has no valid tag at all
        ValueCodec never = ValueCodec.compile(Typespace.EMPTY, new AlgebraicType.Sum(java.util.List.of()));
        fails(() -> never.decode(b(0)), 0, "sum[]", "unknown tag 0 (0 variants)");
    }

    @Test
    void optionTag2() {
        ValueCodec option = ValueCodec.compile(Typespace.EMPTY, AlgebraicType.option(Primitive.U32));
        fails(() -> option.decode(b(2, 0, 0, 0, 0)), 0, "option", "unknown tag 2 (2 variants)");
        ValueCodec inProduct = ValueCodec.compile(Typespace.EMPTY,
                product(element("name", Primitive.STRING), element("age", AlgebraicType.option(Primitive.U8))));
        fails(() -> inProduct.decode(concat(bytes(w -> w.writeString("ab")), b(2, 30))), 6, "option", "unknown tag 2");
        // option tags inside messages
        fails(() -> Malformed.V2.decode(frame(concat(b(2), new byte[8], b(2)))), 9,
                "ServerMessage.UnsubscribeApplied.rows", "unknown tag 2");
        fails(() -> Malformed.V2.decode(frame(concat(b(3), b(2), new byte[12]))), 1,
                "ServerMessage.SubscriptionError.request_id", "unknown tag 2");
    }

    /** SubscribeApplied with one table "t": its row list's size hint starts at body offset 18. */
    @Test
    void rowSizeHintTag2() {
        byte[] body = bytes(w -> w.writeU8(1).writeI32(1).writeI32(2).writeLength(1).writeString("t")
                .writeU8(2).writeI16(4).writeLength(0));
        fails(() -> Malformed.V2.decode(frame(body)), 18, "ServerMessage.SubscribeApplied.rows.rows.size_hint",
                "unknown tag 2 (2 variants)");
    }

    @Test
    void compressionByte3AndAbove() {
        for (int tag = 3; tag <= 255; tag++) {
            byte[] frame = concat(b(tag), Malformed.bytes(w -> w.writeU8(3).writeU8(1).writeI32(0).writeI32(0)
                    .writeString("x")));
            fails(() -> Malformed.V2.decode(frame), 0, "server frame", "unknown compression tag " + tag);
        }
    }

    @Test
    void nestedSumTagsOfMessages() {
        // TransactionUpdate{[ {qs 1, [ {"t", [ TableUpdateRows tag 2 ]} ]} ]}: the TableUpdateRows tag is at 22
        byte[] tx = bytes(w -> w.writeU8(4).writeLength(1).writeI32(1).writeLength(1).writeString("t").writeLength(1)
                .writeU8(2).writeU8(0).writeI16(0).writeLength(0));
        fails(() -> Malformed.V2.decode(frame(tx)), 22, "ServerMessage.TransactionUpdate.TableUpdateRows",
                "unknown tag 2");
        // ReducerResult{request_id, timestamp, ReducerOutcome tag 4}
        byte[] reducer = bytes(w -> w.writeU8(6).writeI32(1).writeI64(0).writeU8(4));
        fails(() -> Malformed.V2.decode(frame(reducer)), 13, "ServerMessage.ReducerResult.result", "unknown tag 4 (4 variants)");
        // ProcedureResult{ProcedureStatus tag 2, ...}
        byte[] procedure = bytes(w -> w.writeU8(7).writeU8(2).writeBytes(new byte[0]).writeI64(0).writeI64(0).writeI32(0));
        fails(() -> Malformed.V2.decode(frame(procedure)), 1, "ServerMessage.ProcedureResult.status", "unknown tag 2");
        // OneOffQueryResult{request_id, Result tag 2}
        byte[] oneOff = bytes(w -> w.writeU8(5).writeI32(1).writeU8(2).writeString("x"));
        fails(() -> Malformed.V2.decode(frame(oneOff)), 5, "ServerMessage.OneOffQueryResult.result", "unknown tag 2");
        // Unsubscribe{request_id, query_set_id, UnsubscribeFlags tag 2}
        byte[] unsubscribe = bytes(w -> w.writeU8(1).writeI32(1).writeI32(2).writeU8(2));
        fails(() -> new ClientFrameCodec(Subprotocol.V2_BSATN).decode(unsubscribe), 9,
                "ClientMessage.Unsubscribe.flags", "unknown tag 2");
    }

    @Test
    void callReducerAndCallProcedureFlagsMustBeZero() {
        for (int flags = 1; flags <= 255; flags++) {
            int f = flags;
            byte[] reducer = bytes(w -> w.writeU8(3).writeI32(5).writeU8(f).writeString("add").writeBytes(new byte[]{1}));
            fails(() -> new ClientFrameCodec(Subprotocol.V2_BSATN).decode(reducer), 5,
                    "ClientMessage.CallReducer.flags", "flags must be 0, got " + flags);
            byte[] procedure = bytes(w -> w.writeU8(4).writeI32(5).writeU8(f).writeString("p").writeBytes(new byte[0]));
            fails(() -> Malformed.clientMessage(procedure), 5, "ClientMessage.CallProcedure.flags",
                    "flags must be 0, got " + flags);
        }
        // in a v3 batch, after a valid first message: the offset counts from the frame start
        byte[] ok = bytes(w -> w.writeU8(2).writeI32(1).writeString("SELECT 1"));
        byte[] bad = bytes(w -> w.writeU8(3).writeI32(5).writeU8(1).writeString("add").writeBytes(new byte[0]));
        fails(() -> new ClientFrameCodec(Subprotocol.V3_BSATN).decode(concat(ok, bad)), ok.length + 5,
                "ClientMessage.CallReducer.flags", "flags must be 0, got 1");
    }
}
