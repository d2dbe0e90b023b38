package dev.stdb.secure.audit.file.internal;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A growable byte array that records are encoded into and written from: one per batch, reused across batches. */
public final class LineBuffer {

    byte[] bytes;
    int size;

    public LineBuffer(int capacity) {
        bytes = new byte[Math.max(64, capacity)];
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return bytes.length;
    }

    /** Drops everything after the first {@code size} bytes. */
    public void truncate(int size) {
        if (size < 0 || size > this.size) {
            throw new IndexOutOfBoundsException(size);
        }
        this.size = size;
    }

    public void clear() {
        size = 0;
    }

    /** The content, for one write; valid until the buffer changes. */
    public ByteBuffer view() {
        return ByteBuffer.wrap(bytes, 0, size);
    }

    /** A copy of the content (tests). */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, size);
    }

    /** Makes room for {@code more} bytes after the current end. */
    void ensure(long more) {
        long need = size + more;
        if (need > bytes.length) {
            if (need > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("audit batch too large: " + need + " bytes");
            }
            bytes = Arrays.copyOf(bytes, (int) Math.min(Integer.MAX_VALUE - 16, Math.max(need, 2L * bytes.length)));
        }
    }
}
