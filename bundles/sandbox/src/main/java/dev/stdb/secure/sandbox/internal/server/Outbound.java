package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.frame.Compression;
import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.message.ServerMessage;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * One connection's outgoing frames, sent one at a time in the order they were queued, unless a fault says to delay,
 * reorder or spoil them.
 */
final class Outbound implements AutoCloseable {
    /** A frame no client can decode: compression "none", then ServerMessage tag 255. */
    static final byte[] MALFORMED = {0x00, (byte) 0xFF, 0x01, 0x02};

    private final Session session;
    private final ServerFrameCodec codec;
    private final Compression compression;
    private final FaultState faults;
    private final ExecutorService sender;
    private final List<byte[]> held = new ArrayList<>();

    Outbound(Session session, ServerFrameCodec codec, Compression compression, FaultState faults, String name) {
        this.session = session;
        this.codec = codec;
        this.compression = compression;
        this.faults = faults;
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "sandbox-send-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    void send(ServerMessage message) {
        byte[] frame = codec.encode(List.of(message), compression);
        sender.execute(() -> deliver(frame));
    }

    /** Queues a frame as it is, after the frames already queued: for malformed frames. */
    void sendRaw(byte[] frame) {
        sender.execute(() -> deliver(frame.clone()));
    }

    private void deliver(byte[] out) {
        int reorder = faults.framesToReorder();
        if (reorder > 1) {
            held.add(out);
            if (held.size() < reorder) {
                return;
            }
            faults.reorderDone();
            List<byte[]> batch = new ArrayList<>(held);
            held.clear();
            Collections.reverse(batch);
            batch.forEach(this::write);
            return;
        }
        write(out);
    }

    private void write(byte[] frame) {
        try {
            long delay = faults.frameDelay().toMillis();
            if (delay > 0) {
                Thread.sleep(delay);
            }
            if (!session.isOpen()) {
                return;
            }
            Callback.Completable done = new Callback.Completable();
            session.sendBinary(ByteBuffer.wrap(frame), done);
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            // The connection went away; its close handler cleans up.
        }
    }

    @Override
    public void close() {
        sender.shutdownNow();
    }
}
