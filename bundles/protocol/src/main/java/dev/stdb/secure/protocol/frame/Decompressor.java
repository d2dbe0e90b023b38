package dev.stdb.secure.protocol.frame;

import dev.stdb.secure.protocol.ProtocolException;
import org.brotli.dec.BrotliInputStream;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/** Inflates a frame body with a hard cap on the output, so a compression bomb fails instead of filling the heap. */
final class Decompressor {
    private Decompressor() {
    }

    static byte[] inflate(Compression compression, byte[] frame, int offset, int length, int maxBytes) {
        try (InputStream in = open(compression, new ByteArrayInputStream(frame, offset, length))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, Math.max(1024, length * 4)));
            byte[] chunk = new byte[16 * 1024];
            int total = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new ProtocolException("decompressed frame exceeds the limit of " + maxBytes + " bytes", 1,
                            compression + " frame");
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
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
