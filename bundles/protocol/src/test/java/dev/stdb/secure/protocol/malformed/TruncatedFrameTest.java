package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.Vectors;
import dev.stdb.secure.protocol.frame.ClientFrameCodec;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static dev.stdb.secure.protocol.malformed.Malformed.frame;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every proper prefix of every vector is an error, never a success and never another exception. */
class TruncatedFrameTest {

    @TestFactory
    Stream<DynamicTest> everyProperPrefixOfEveryServerMessageFails() {
        List<Map<String, Object>> vectors = Vectors.section("server_messages");
        assertEquals(16, vectors.size());
        return vectors.stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            byte[] message = Vectors.hex((String) v.get("hex"));
            for (Subprotocol protocol : Subprotocol.values()) {
                ServerFrameCodec codec = new ServerFrameCodec(protocol);
                assertEquals(1, codec.decode(frame(message)).size(), "the whole vector decodes");
                fails(() -> codec.decode(frame(new byte[0])), 1, "server frame", "frame carries no message");
                for (int length = 1; length < message.length; length++) {
                    byte[] prefix = frame(Arrays.copyOf(message, length));
                    int cut = length;
                    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(prefix),
                            () -> protocol + " prefix of " + cut + " bytes");
                    // offsets are relative to the message body (after the compression byte)
                    assertTrue(e.offset() >= 0 && e.offset() <= length, e::getMessage);
                    assertNotNull(e.decoding());
                    assertTrue(e.decoding().startsWith("ServerMessage"), e::getMessage);
                    assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("exceeds"),
                            e::getMessage);
                }
            }
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyProperPrefixOfEveryClientMessageFails() {
        return Vectors.section("client_messages").stream().map(v -> DynamicTest.dynamicTest((String) v.get("name"), () -> {
            byte[] message = Vectors.hex((String) v.get("hex"));
            for (Subprotocol protocol : Subprotocol.values()) {
                ClientFrameCodec codec = new ClientFrameCodec(protocol);
                fails(() -> codec.decode(new byte[0]), 0, "client frame", "empty frame");
                for (int length = 1; length < message.length; length++) {
                    byte[] prefix = Arrays.copyOf(message, length);
                    ProtocolException e = assertThrows(ProtocolException.class, () -> codec.decode(prefix));
                    assertTrue(e.offset() >= 0 && e.offset() <= length, e::getMessage);
                    assertTrue(e.decoding().startsWith("ClientMessage"), e::getMessage);
                }
            }
        }));
    }

    /** A v3 frame cut inside its second message fails too (the first message alone would be a valid frame). */
    @Test
    void v3FrameCutInsideTheSecondMessageFails() {
        byte[] two = Vectors.envelopeBytes("server_frame_v3_two_messages");
        byte[] first = Vectors.hex((String) Vectors.section("server_messages").get(0).get("hex"));
        ServerFrameCodec v3 = new ServerFrameCodec(Subprotocol.V3_BSATN);
        assertEquals(1, v3.decode(frame(first)).size());
        for (int length = 1 + first.length + 1; length < two.length; length++) {
            byte[] prefix = Arrays.copyOf(two, length);
            ProtocolException e = assertThrows(ProtocolException.class, () -> v3.decode(prefix));
            assertTrue(e.offset() >= first.length && e.offset() <= length - 1, e::getMessage);
        }
    }

    /** Compressed frames cut anywhere: a ProtocolException, whatever the decompressor makes of it. */
    @TestFactory
    Stream<DynamicTest> everyProperPrefixOfTheCompressedEnvelopesFails() {
        return Stream.of("server_frame_gzip", "server_frame_brotli").map(name -> DynamicTest.dynamicTest(name, () -> {
            byte[] frame = Vectors.envelopeBytes(name);
            assertEquals(1, Malformed.V2.decode(frame).size());
            for (int length = 1; length < frame.length; length++) {
                byte[] prefix = Arrays.copyOf(frame, length);
                assertThrows(ProtocolException.class, () -> Malformed.V2.decode(prefix), "prefix " + length);
            }
        }));
    }

    @Test
    void truncatedInsideANestedRowListReportsTheRowListField() {
        // SubscribeApplied{request_id 1, query_set 7, tables [{table "t", rows {RowOffsets [0], rows_data: 4 of 9 bytes}}]}
        byte[] body = Malformed.bytes(w -> w.writeU8(1).writeI32(1).writeI32(7).writeLength(1).writeString("t")
                .writeU8(1).writeLength(1).writeI64(0).writeLength(9).writeI32(42));
        fails(() -> Malformed.V2.decode(frame(body)), 31, "ServerMessage.SubscribeApplied.rows.rows.rows_data",
                "length 9 exceeds the 4 remaining bytes");
        assertEquals(1, Malformed.V2.decode(concat(frame(body), new byte[5])).size());
        fails(() -> Malformed.V2.decode(concat(frame(body), new byte[6])), 44, "server frame (v2.bsatn.spacetimedb)",
                "1 trailing bytes");
    }
}
