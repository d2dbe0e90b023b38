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
import java.util.concurrent.RejectedExecutionException;
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
    /** The reorder request this connection took up last, and how many frames its current batch holds back. */
    private long reorderGeneration;
    private int reorderCount;

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
        // Requests made before this connection opened do not apply to it.
        this.reorderGeneration = faults.reorder().generation();
    }

    void send(ServerMessage message) {
        byte[] frame = codec.encode(List.of(message), compression);
        enqueue(() -> deliver(frame));
    }

    /** Queues a frame as it is, after the frames already queued: for malformed frames. */
    void sendRaw(byte[] frame) {
        byte[] copy = frame.clone();
        enqueue(() -> deliver(copy));
    }

    /**
     * The engine may still fan out to a connection that has just closed (it learns of the close later, in order);
     * such frames are dropped instead of failing the transaction for every other client.
     */
    private void enqueue(Runnable delivery) {
        try {
            sender.execute(delivery);
        } catch (RejectedExecutionException closed) {
            // closed: nobody to send to
        }
    }

    private void deliver(byte[] out) {
        FaultState.Reorder request = faults.reorder();
        if (request.generation() != reorderGeneration) {
            reorderGeneration = request.generation();
            reorderCount = request.count();
            held.forEach(this::write); // a batch cut short by a new request (or reset) goes out as it came
            held.clear();
        }
        if (reorderCount > 1) {
            held.add(out);
            if (held.size() < reorderCount) {
                return;
            }
            reorderCount = 0;
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
