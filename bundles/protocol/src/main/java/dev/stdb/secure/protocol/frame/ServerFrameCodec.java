package dev.stdb.secure.protocol.frame;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.message.ServerMessageCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/**
 * Server frames (PROTOCOL.md §3): one compression byte (0 none, 1 brotli, 2 gzip), then one v2 message, or one or more
 * v3 messages back to back. Decoded rows are views into the (decompressed) frame, never copies.
 */
public final class ServerFrameCodec {
    /** The server compresses only bodies larger than this. */
    public static final int COMPRESSION_THRESHOLD = 1024;

    private final Subprotocol subprotocol;
    private final ProtocolLimits limits;

    public ServerFrameCodec(Subprotocol subprotocol, ProtocolLimits limits) {
        this.subprotocol = subprotocol;
        this.limits = limits;
    }

    public ServerFrameCodec(Subprotocol subprotocol) {
        this(subprotocol, ProtocolLimits.DEFAULT);
    }

    public Subprotocol subprotocol() {
        return subprotocol;
    }

    /**
     * The messages in one binary frame, in order. The frame array must not be changed afterwards. Offsets in errors
     * count from the first byte after the compression byte (in the decompressed body for compressed frames).
     */
    public List<ServerMessage> decode(byte[] frame) {
        if (frame.length == 0) {
            throw new ProtocolException("empty frame", 0, "server frame");
        }
        if (frame.length > limits.maxMessageBytes()) {
            throw new ProtocolException("frame of " + frame.length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes(), 0, "server frame");
        }
        Compression compression = Compression.ofTag(frame[0] & 0xFF);
        if (compression == null) {
            throw new ProtocolException("unknown compression tag " + (frame[0] & 0xFF), 0, "server frame");
        }
        BsatnReader r = compression == Compression.NONE
                ? new BsatnReader(frame, 1, frame.length - 1, limits)
                : readerOver(Decompressor.inflate(compression, frame, 1, frame.length - 1, limits.maxMessageBytes()));
        if (!r.hasRemaining()) {
            throw new ProtocolException("frame carries no message", 1, "server frame");
        }
        List<ServerMessage> messages = new ArrayList<>(1);
        do {
            messages.add(ServerMessageCodec.decode(r));
        } while (subprotocol.batched() && r.hasRemaining());
        r.expectEnd("server frame (" + subprotocol.wireName() + ")");
        return messages;
    }

    private BsatnReader readerOver(byte[] body) {
        return new BsatnReader(body, 0, body.length, limits);
    }

    /**
     * One frame holding {@code messages} (exactly one for v2), compressed like the server when the body exceeds
     * {@link #COMPRESSION_THRESHOLD}. Brotli frames are valid Brotli streams of uncompressed blocks.
     */
    public byte[] encode(List<ServerMessage> messages, Compression compression) {
        if (messages.isEmpty() || (!subprotocol.batched() && messages.size() != 1)) {
            throw new IllegalArgumentException(subprotocol.wireName() + " frames carry "
                    + (subprotocol.batched() ? "one or more messages" : "exactly one message") + ", got " + messages.size());
        }
        BsatnWriter w = new BsatnWriter(256);
        w.writeU8(0);
        for (ServerMessage m : messages) {
            ServerMessageCodec.encode(m, w);
        }
        byte[] plain = w.toByteArray();
        if (compression == Compression.NONE || plain.length - 1 <= COMPRESSION_THRESHOLD) {
            return plain;
        }
        if (compression == Compression.GZIP) {
            return gzip(plain);
        }
        byte[] brotli = BrotliStoredEncoder.encode(plain, 1, plain.length - 1);
        byte[] frame = new byte[brotli.length + 1];
        frame[0] = (byte) Compression.BROTLI.tag();
        System.arraycopy(brotli, 0, frame, 1, brotli.length);
        return frame;
    }

    private static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(plain.length / 2 + 16);
        out.write(Compression.GZIP.tag());
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain, 1, plain.length - 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
