package dev.stdb.secure.protocol.malformed;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.ClientMessageCodec;
import dev.stdb.secure.protocol.message.ServerMessageCodec;
import org.junit.jupiter.api.function.Executable;

import java.lang.management.ManagementFactory;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Assertions and byte builders shared by the malformed-input tests. */
final class Malformed {
    private Malformed() {
    }

    /**
     * Runs {@code run}, which must fail with a {@link ProtocolException} (any other exception fails the test) at
     * exactly {@code offset}, while decoding something whose name contains {@code decoding}, and whose message
     * contains {@code problem}, the offset and the decoded type.
     */
    static ProtocolException fails(Executable run, long offset, String decoding, String problem) {
        ProtocolException e = assertThrows(ProtocolException.class, run);
        assertEquals(offset, e.offset(), () -> "offset of: " + e.getMessage());
        assertTrue(e.decoding() != null && e.decoding().contains(decoding),
                () -> "decoding '" + e.decoding() + "' should name " + decoding);
        assertTrue(e.getMessage().contains(problem), () -> "message '" + e.getMessage() + "' should say " + problem);
        assertTrue(e.getMessage().contains("at offset " + offset), e::getMessage);
        assertTrue(e.getMessage().contains(e.decoding()), e::getMessage);
        return e;
    }

    /** Bytes built with a writer. */
    static byte[] bytes(Consumer<BsatnWriter> build) {
        BsatnWriter w = new BsatnWriter();
        build.accept(w);
        return w.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        BsatnWriter w = new BsatnWriter();
        for (byte[] p : parts) {
            w.writeRaw(p, 0, p.length);
        }
        return w.toByteArray();
    }

    static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    /** One uncompressed server frame: compression byte 0 and the body. */
    static byte[] frame(byte[] body) {
        return concat(b(0), body);
    }

    /** Decodes exactly one server message that must fill the bytes. */
    static Object serverMessage(byte[] body) {
        BsatnReader r = new BsatnReader(body);
        Object m = ServerMessageCodec.decode(r);
        r.expectEnd("test");
        return m;
    }

    static Object clientMessage(byte[] body) {
        BsatnReader r = new BsatnReader(body);
        Object m = ClientMessageCodec.decode(r);
        r.expectEnd("test");
        return m;
    }

    static final ServerFrameCodec V2 = new ServerFrameCodec(Subprotocol.V2_BSATN);

    /** Bytes allocated by this thread so far (HotSpot). */
    static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }
}
