package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.Vectors;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static dev.stdb.secure.protocol.malformed.Malformed.allocatedBytes;
import static dev.stdb.secure.protocol.malformed.Malformed.b;
import static dev.stdb.secure.protocol.malformed.Malformed.concat;
import static dev.stdb.secure.protocol.malformed.Malformed.fails;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Compression bombs and corrupt compressed bodies are protocol errors, never an IOException or a full heap. */
class CompressionTest {
    private static final int MIB = 1 << 20;
    /** 64 MiB of zeros, gzipped: about 64 KB. */
    private static byte[] bomb64;

    @BeforeAll
    static void makeBomb() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out, 64 * 1024)) {
            byte[] zeros = new byte[MIB];
            for (int i = 0; i < 64; i++) {
                gz.write(zeros);
            }
        }
        bomb64 = out.toByteArray();
    }

    @Test
    void gzipBombFailsAtTheDecompressedLimit() {
        assertTrue(bomb64.length < 256 * 1024, "bomb is " + bomb64.length + " bytes");
        byte[] frame = concat(b(2), bomb64);
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V2_BSATN); // default 32 MiB limit
        long before = allocatedBytes();
        fails(() -> codec.decode(frame), 1, "GZIP frame", "decompressed frame exceeds the limit of 33554432 bytes");
        long allocated = allocatedBytes() - before;
        // buffers add up to the 32 MiB limit, never to the 64 MiB output
        assertTrue(allocated < 40L * MIB, "64 MiB bomb allocated " + allocated + " bytes");
    }

    /** Four 64 MiB members back to back inflate to 256 MiB; decoding stops at 32 MiB and allocates far less. */
    @Test
    void gzipBombOfConcatenatedMembersDoesNotAllocateTheOutput() {
        byte[] frame = concat(b(2), bomb64, bomb64, bomb64, bomb64);
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V3_BSATN);
        long before = allocatedBytes();
        fails(() -> codec.decode(frame), 1, "GZIP frame", "exceeds the limit of 33554432 bytes");
        long allocated = allocatedBytes() - before;
        assertTrue(allocated < 40L * MIB, "256 MiB bomb allocated " + allocated + " bytes");
    }

    @Test
    void corruptGzipBodies() {
        byte[] good = Vectors.envelopeBytes("server_frame_gzip");
        assertEquals(1, Malformed.V2.decode(good).size());
        // not gzip at all
        fails(() -> Malformed.V2.decode(b(2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)), 1, "GZIP frame", "corrupt GZIP data");
        fails(() -> Malformed.V2.decode(b(2)), 1, "GZIP frame", "corrupt GZIP data");
        // a valid header, then garbage instead of deflate blocks
        byte[] garbage = good.clone();
        Arrays.fill(garbage, 11, garbage.length, (byte) 0xFF);
        fails(() -> Malformed.V2.decode(garbage), 1, "GZIP frame", "corrupt GZIP data");
        // a wrong CRC in the trailer
        byte[] crc = good.clone();
        crc[crc.length - 8] ^= 0x55;
        fails(() -> Malformed.V2.decode(crc), 1, "GZIP frame", "corrupt GZIP data");
        // a wrong length in the trailer
        byte[] isize = good.clone();
        isize[isize.length - 4] ^= 0x01;
        fails(() -> Malformed.V2.decode(isize), 1, "GZIP frame", "corrupt GZIP data");
    }

    @Test
    void corruptBrotliBodies() {
        byte[] good = Vectors.envelopeBytes("server_frame_brotli");
        assertEquals(1, Malformed.V2.decode(good).size());
        fails(() -> Malformed.V2.decode(b(1, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)), 1, "BROTLI frame",
                "corrupt BROTLI data");
        fails(() -> Malformed.V2.decode(b(1)), 1, "BROTLI frame", "corrupt BROTLI data");
        byte[] cut = Arrays.copyOf(good, good.length / 2);
        fails(() -> Malformed.V2.decode(cut), 1, "BROTLI frame", "corrupt BROTLI data");
    }

    /** Any single corrupted byte of a compressed frame: a ProtocolException or (rarely) a valid message, nothing else. */
    @Test
    void everySingleByteCorruptionIsAProtocolErrorOrDecodes() {
        for (String name : List.of("server_frame_gzip", "server_frame_brotli")) {
            byte[] good = Vectors.envelopeBytes(name);
            for (int at = 1; at < good.length; at++) {
                for (int flip : new int[]{0x01, 0x80, 0xFF}) {
                    byte[] bad = good.clone();
                    bad[at] ^= (byte) flip;
                    try {
                        Malformed.V2.decode(bad);
                    } catch (ProtocolException expected) {
                        assertTrue(expected.offset() >= 0, expected::getMessage);
                    } catch (RuntimeException | Error other) {
                        throw new AssertionError(name + " byte " + at + " ^ " + flip + " threw " + other, other);
                    }
                }
            }
        }
    }

    /** A body that decompresses fine but is not a message: offsets count in the decompressed body. */
    @Test
    void validGzipOfAnInvalidMessage() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(2);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(new byte[]{3, 1, 0, 0, 0, 0, 5, 0, 0, 0, 'a', 'b', (byte) 0xC0, (byte) 0x80, 'c'});
        }
        fails(() -> Malformed.V2.decode(out.toByteArray()), 12, "ServerMessage.SubscriptionError.error",
                "invalid UTF-8 byte 0xc0");
        ByteArrayOutputStream empty = new ByteArrayOutputStream();
        empty.write(2);
        new GZIPOutputStream(empty).close();
        fails(() -> Malformed.V2.decode(empty.toByteArray()), 1, "server frame", "frame carries no message");
        assertThrows(ProtocolException.class, () -> Malformed.V2.decode(concat(b(1), new byte[0])));
    }
}
