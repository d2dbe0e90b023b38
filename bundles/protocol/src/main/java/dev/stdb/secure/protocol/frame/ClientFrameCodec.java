package dev.stdb.secure.protocol.frame;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.ClientMessage;
import dev.stdb.secure.protocol.message.ClientMessageCodec;

import java.util.ArrayList;
import java.util.List;

/**
 * Client frames: no compression byte; exactly one message in v2, one or more back to back in v3 (PROTOCOL.md §3).
 */
public final class ClientFrameCodec {
    /** The official client's largest v3 batch; larger batches are split. */
    public static final int MAX_BATCH_BYTES = 256 * 1024;

    private final Subprotocol subprotocol;
    private final ProtocolLimits limits;

    public ClientFrameCodec(Subprotocol subprotocol, ProtocolLimits limits) {
        this.subprotocol = subprotocol;
        this.limits = limits;
    }

    public ClientFrameCodec(Subprotocol subprotocol) {
        this(subprotocol, ProtocolLimits.DEFAULT);
    }

    /** One frame per message (v2), or the messages batched into frames of at most {@link #MAX_BATCH_BYTES} (v3). */
    public List<byte[]> encode(List<ClientMessage> messages) {
        List<byte[]> frames = new ArrayList<>(messages.size());
        if (!subprotocol.batched()) {
            messages.forEach(m -> frames.add(ClientMessageCodec.encode(m)));
            return frames;
        }
        BsatnWriter batch = new BsatnWriter();
        for (ClientMessage m : messages) {
            byte[] one = ClientMessageCodec.encode(m);
            if (batch.size() > 0 && batch.size() + one.length > MAX_BATCH_BYTES) {
                frames.add(batch.toByteArray());
                batch = new BsatnWriter();
            }
            batch.writeRaw(one, 0, one.length);
        }
        if (batch.size() > 0) {
            frames.add(batch.toByteArray());
        }
        return frames;
    }

    public byte[] encode(ClientMessage message) {
        return ClientMessageCodec.encode(message);
    }

    /** The messages in one client frame. */
    public List<ClientMessage> decode(byte[] frame) {
        if (frame.length == 0) {
            throw new ProtocolException("empty frame", 0, "client frame");
        }
        if (frame.length > limits.maxMessageBytes()) {
            throw new ProtocolException("frame of " + frame.length + " bytes exceeds the limit of "
                    + limits.maxMessageBytes(), 0, "client frame");
        }
        BsatnReader r = new BsatnReader(frame, 0, frame.length, limits);
        List<ClientMessage> messages = new ArrayList<>(1);
        do {
            messages.add(ClientMessageCodec.decode(r));
        } while (subprotocol.batched() && r.hasRemaining());
        r.expectEnd("client frame (" + subprotocol.wireName() + ")");
        return messages;
    }
}
