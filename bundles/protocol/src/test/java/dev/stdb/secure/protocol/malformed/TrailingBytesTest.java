package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.Vectors;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
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
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bytes after the last message or value, and frames with nothing in them. */
class TrailingBytesTest {

    private static byte[] serverVector(int i) {
        return Vectors.hex((String) Vectors.section("server_messages").get(i).get("hex"));
    }

    @Test
    void v2ServerFrameWithTwoMessages() {
        byte[] one = serverVector(0);
        byte[] two = frame(concat(one, serverVector(1)));
        fails(() -> Malformed.V2.decode(two), one.length, "server frame (v2.bsatn.spacetimedb)",
                serverVector(1).length + " trailing bytes");
        // the same bytes are a valid v3 frame
        assertEquals(2, new ServerFrameCodec(Subprotocol.V3_BSATN).decode(two).size());
        // a single stray byte
        fails(() -> Malformed.V2.decode(concat(frame(one), b(0))), one.length, "server frame", "1 trailing bytes");
    }

    @Test
    void v3ServerFrameWithAStrayByteAfterItsMessages() {
        byte[] one = serverVector(0);
        // a stray 0x09 is read as the tag of a third message
        fails(() -> new ServerFrameCodec(Subprotocol.V3_BSATN).decode(frame(concat(one, one, b(9)))), 2L * one.length,
                "ServerMessage", "unknown tag 9");
    }

    @Test
    void v2ClientFrameWithTwoMessages() {
        byte[] query = bytes(w -> w.writeU8(2).writeI32(1).writeString("SELECT 1"));
        fails(() -> new ClientFrameCodec(Subprotocol.V2_BSATN).decode(concat(query, query)), query.length,
                "client frame (v2.bsatn.spacetimedb)", query.length + " trailing bytes");
        assertEquals(2, new ClientFrameCodec(Subprotocol.V3_BSATN).decode(concat(query, query)).size());
    }

    @Test
    void valueWithExtraBytes() {
        fails(() -> ValueCodec.compile(Typespace.EMPTY, Primitive.U32).decode(b(1, 2, 3, 4, 5)), 4, "u32",
                "1 trailing bytes");
        fails(() -> ValueCodec.compile(Typespace.EMPTY, Primitive.STRING).decode(bytes(w -> w.writeString("hi").writeU8(0)
                .writeU8(0))), 6, "string", "2 trailing bytes");
        fails(() -> ValueCodec.compile(Typespace.EMPTY, AlgebraicType.Product.UNIT).decode(b(7)), 0, "product",
                "1 trailing bytes");
        fails(() -> ValueCodec.compile(Typespace.EMPTY, AlgebraicType.option(Primitive.U8)).decode(b(1, 0)), 1,
                "option", "1 trailing bytes");
    }

    @Test
    void emptyFrames() {
        for (Subprotocol p : Subprotocol.values()) {
            fails(() -> new ServerFrameCodec(p).decode(new byte[0]), 0, "server frame", "empty frame");
            fails(() -> new ServerFrameCodec(p).decode(b(0)), 1, "server frame", "frame carries no message");
            fails(() -> new ClientFrameCodec(p).decode(new byte[0]), 0, "client frame", "empty frame");
        }
    }
}
