package dev.stdb.secure.audit.file.internal;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * The lines of one segment, read as a stream: only the current line is held, so reading a trail takes memory for its
 * longest record, not for its size. Lines end at a {@code \n} byte and are decoded as UTF-8 (malformed bytes become
 * U+FFFD, which then fails the record's hash); a last line without its newline is not returned but reported by
 * {@link #tornLine()}.
 */
public final class SegmentLines implements Closeable {

    private final InputStream in;
    private final byte[] chunk = new byte[64 * 1024];
    private int pos;
    private int end;
    private byte[] line = new byte[1024];
    private int length;
    private long number;
    private boolean eof;
    private long torn;

    public SegmentLines(Path segment) throws IOException {
        this.in = Files.newInputStream(segment);
    }

    /** The next complete line without its newline, or null at the end of the segment. */
    public String next() throws IOException {
        length = 0;
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    if (length > 0) {
                        torn = number + 1;
                        length = 0;
                    }
                    return null;
                }
            }
            int start = pos;
            while (pos < end && chunk[pos] != '\n') {
                pos++;
            }
            append(start, pos);
            if (pos < end) {
                pos++; // the newline
                number++;
                return new String(line, 0, length, StandardCharsets.UTF_8);
            }
        }
    }

    /** 1-based number of the line last returned by {@link #next()}; after the end, the count of complete lines. */
    public long lineNumber() {
        return number;
    }

    /** After {@link #next()} returned null: the number of a cut last line (no newline), else 0. */
    public long tornLine() {
        return torn;
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk);
        if (n <= 0) {
            eof = true;
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private void append(int from, int to) {
        int n = to - from;
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
        }
        System.arraycopy(chunk, from, line, length, n);
        length += n;
    }

    /**
     * The last complete line of {@code segment} without its newline (a cut line after it is ignored), or null if it
     * has none; reads backwards from the end, so it takes memory for that line only.
     */
    public static String lastLine(Path segment) throws IOException {
        try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
            long end = newlineBefore(ch, ch.size());
            if (end < 0) {
                return null;
            }
            long start = newlineBefore(ch, end) + 1;
            if (end - start > Integer.MAX_VALUE - 16) {
                throw new IOException("a line of " + (end - start) + " bytes in " + segment);
            }
            ByteBuffer b = ByteBuffer.allocate((int) (end - start));
            readFully(ch, b, start);
            return new String(b.array(), 0, b.limit(), StandardCharsets.UTF_8);
        }
    }

    /** Position of the last {@code \n} before {@code before}, or -1. */
    private static long newlineBefore(FileChannel ch, long before) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8192);
        for (long pos = before; pos > 0; ) {
            int n = (int) Math.min(b.capacity(), pos);
            long at = pos - n;
            b.clear().limit(n);
            readFully(ch, b, at);
            for (int i = n - 1; i >= 0; i--) {
                if (b.get(i) == '\n') {
                    return at + i;
                }
            }
            pos = at;
        }
        return -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long p = at;
        while (b.hasRemaining()) {
            int n = ch.read(b, p);
            if (n < 0) {
                throw new EOFException("segment shrank while being read");
            }
            p += n;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
