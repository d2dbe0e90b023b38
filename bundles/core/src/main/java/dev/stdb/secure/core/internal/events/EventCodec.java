package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The binary form of a {@link SecurityEvent} inside a spool record (big-endian):
 * <pre>
 *   u8   format version (1)
 *   i64  id, most significant bits;  i64 id, least significant bits
 *   i64  time, epoch seconds;        i32 time, nanoseconds
 *   str  type name;  str outcome name
 *   str? principal;  str? connection;  str source
 *   i32  number of details, then that many (str key, str value)
 * </pre>
 * {@code str} is an i32 byte length and UTF-8 bytes; {@code str?} uses length -1 for null. Enum constants are
 * stored by name, so adding constants keeps old records readable.
 */
final class EventCodec {
    static final int VERSION = 1;

    private EventCodec() {
    }

    static byte[] encode(SecurityEvent event) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            out.writeLong(event.id().getMostSignificantBits());
            out.writeLong(event.id().getLeastSignificantBits());
            out.writeLong(event.time().getEpochSecond());
            out.writeInt(event.time().getNano());
            writeString(out, event.type().name());
            writeString(out, event.outcome().name());
            writeString(out, event.principal());
            writeString(out, event.connection());
            writeString(out, event.source());
            out.writeInt(event.details().size());
            for (Map.Entry<String, String> d : event.details().entrySet()) {
                writeString(out, d.getKey());
                writeString(out, d.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // not on a byte array
        }
        return bytes.toByteArray();
    }

    /** @throws IOException if {@code payload} is not an event this version can read */
    static SecurityEvent decode(byte[] payload) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(payload);
        try {
            int version = in.get() & 0xff;
            if (version != VERSION) {
                throw new IOException("unknown event format version " + version);
            }
            UUID id = new UUID(in.getLong(), in.getLong());
            Instant time = Instant.ofEpochSecond(in.getLong(), in.getInt());
            SecurityEventType type = SecurityEventType.valueOf(readString(in));
            Outcome outcome = Outcome.valueOf(readString(in));
            String principal = readString(in);
            String connection = readString(in);
            String source = readString(in);
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / 8) {
                throw new IOException("bad detail count " + count);
            }
            Map<String, String> details = new TreeMap<>();
            for (int i = 0; i < count; i++) {
                details.put(readString(in), readString(in));
            }
            if (in.hasRemaining()) {
                throw new IOException(in.remaining() + " unexpected trailing bytes");
            }
            return new SecurityEvent(id, time, type, outcome, principal, connection, source, details);
        } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException
                | java.time.DateTimeException e) {
            throw new IOException("malformed event: " + e, e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String readString(ByteBuffer in) throws IOException {
        int length = in.getInt();
        if (length == -1) {
            return null;
        }
        if (length < 0 || length > in.remaining()) {
            throw new IOException("bad string length " + length);
        }
        byte[] b = new byte[length];
        in.get(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
