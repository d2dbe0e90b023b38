package dev.stdb.secure.protocol.frame;

import dev.stdb.secure.protocol.message.ServerMessage;
import org.brotli.dec.BrotliInputStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The stored-block Brotli writer produces streams that the reference decoder reads back exactly. */
class BrotliStoredEncoderTest {

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 1025, 65_535, 65_536, 65_537, 200_000})
    void referenceDecoderReadsEveryBlockSize(int size) throws IOException {
        byte[] data = new byte[size + 3];
        new Random(size).nextBytes(data);
        byte[] encoded = BrotliStoredEncoder.encode(data, 3, size);
        byte[] decoded;
        try (BrotliInputStream in = new BrotliInputStream(new ByteArrayInputStream(encoded))) {
            decoded = in.readAllBytes();
        }
        assertArrayEquals(java.util.Arrays.copyOfRange(data, 3, size + 3), decoded);
    }

    @org.junit.jupiter.api.Test
    void largeServerFramesAskedForBrotliAreBrotliFramesThatDecodeToTheSameMessages() {
        ServerMessage big = new ServerMessage.SubscriptionError(java.util.OptionalInt.of(7), 3, "x".repeat(5000));
        ServerMessage small = new ServerMessage.SubscriptionError(java.util.OptionalInt.empty(), 3, "short");
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V3_BSATN);
        byte[] frame = codec.encode(java.util.List.of(big, small), Compression.BROTLI);
        org.junit.jupiter.api.Assertions.assertEquals(Compression.BROTLI.tag(), frame[0]);
        org.junit.jupiter.api.Assertions.assertEquals(java.util.List.of(big, small), codec.decode(frame));
        byte[] tiny = codec.encode(java.util.List.of(small), Compression.BROTLI);
        org.junit.jupiter.api.Assertions.assertEquals(Compression.NONE.tag(), tiny[0], "bodies up to 1024 bytes stay uncompressed");
    }
}
