package dev.stdb.secure.protocol.frame;

import dev.stdb.secure.protocol.ProtocolException;
import org.brotli.dec.BrotliInputStream;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Inflates a frame body with a hard cap on the output, so a compression bomb fails instead of filling the heap. */
final class Decompressor {
    private Decompressor() {
    }

    static byte[] inflate(Compression compression, byte[] frame, int offset, int length, int maxBytes) {
        try (InputStream in = open(compression, new ByteArrayInputStream(frame, offset, length))) {
            // Read in chunks that together never exceed maxBytes + 1: a bomb allocates no more than the limit.
            List<byte[]> chunks = new ArrayList<>();
            long total = 0;
            int last = 0;
            int size = (int) Math.min(maxBytes + 1L, Math.max(1024, length * 4L));
            while (true) {
                byte[] chunk = new byte[size];
                last = in.readNBytes(chunk, 0, size);
                total += last;
                if (total > maxBytes) {
                    throw new ProtocolException("decompressed frame exceeds the limit of " + maxBytes + " bytes", 1,
                            compression + " frame");
                }
                chunks.add(chunk);
                if (last < size) {
                    break;
                }
                size = (int) Math.min(maxBytes + 1L - total, size * 2L);
            }
            if (chunks.size() == 1 && last == chunks.get(0).length) {
                return chunks.get(0);
            }
            byte[] out = new byte[(int) total];
            int at = 0;
            for (byte[] chunk : chunks) {
                int n = Math.min(chunk.length, (int) total - at);
                System.arraycopy(chunk, 0, out, at, n);
                at += n;
            }
            return out;
        } catch (IOException | RuntimeException e) {
            if (e instanceof ProtocolException pe) {
                throw pe;
            }
            throw new ProtocolException("corrupt " + compression + " data: " + e.getMessage(), 1, compression + " frame");
        }
    }

    private static InputStream open(Compression compression, InputStream raw) throws IOException {
        return switch (compression) {
            case GZIP -> new GZIPInputStream(raw);
            case BROTLI -> new BrotliInputStream(raw);
            case NONE -> raw;
        };
    }
}
