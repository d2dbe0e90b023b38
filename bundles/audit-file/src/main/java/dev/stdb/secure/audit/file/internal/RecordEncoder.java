package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.nio.charset.StandardCharsets;
import java.security.DigestException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import java.util.UUID;

/**
 * Encodes records straight into a {@link LineBuffer}: exactly the bytes of
 * {@code Codec.line(Codec.eventPrefix(...)).getBytes(UTF_8)} (which the verifier keeps using as the reference), but
 * with no string, builder or map per record, the SHA-256 taken over the bytes in place. Keeps the previous record's
 * hash for the next one's {@code prev}. Not thread-safe: the trail uses one under its lock.
 */
public final class RecordEncoder {

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** Instants from 1970 to 9999 are formatted here; all others (signs, 5+ digit years) by Instant.toString. */
    private static final long LAST_FOUR_DIGIT_YEAR_SECOND = 253402300799L;
    private static final byte[] NULL = ascii("null");
    private static final byte[] SEQ = ascii("{\"seq\":");
    private static final byte[] PREV = ascii(",\"prev\":\"");
    private static final byte[] ID = ascii("\",\"rec\":\"event\",\"id\":\"");
    private static final byte[] TIME = ascii("\",\"time\":");
    private static final byte[] TYPE = ascii(",\"type\":");
    private static final byte[] OUTCOME = ascii(",\"outcome\":");
    private static final byte[] PRINCIPAL = ascii(",\"principal\":");
    private static final byte[] CONNECTION = ascii(",\"connection\":");
    private static final byte[] SOURCE = ascii(",\"source\":");
    private static final byte[] DETAILS = ascii(",\"details\":{");
    private static final byte[] HASH = ascii(Codec.HASH_MEMBER);
    private static final byte[][] TYPES = quotedNames(SecurityEventType.values());
    private static final byte[][] OUTCOMES = quotedNames(Outcome.values());

    private final MessageDigest sha256;
    private final byte[] digest = new byte[32];
    private final byte[] prev = new byte[64];
    private final byte[] saved = new byte[64];
    private long cachedDay = Long.MIN_VALUE;
    private final byte[] dayText = new byte[11]; // yyyy-MM-ddT

    public RecordEncoder() {
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Sets the hash the next record links to (64 lower-case hex digits). */
    public void prev(String hash) {
        if (hash.length() != 64) {
            throw new IllegalArgumentException("not a SHA-256 hex hash");
        }
        for (int i = 0; i < 64; i++) {
            prev[i] = (byte) hash.charAt(i);
        }
    }

    /** The hash of the last record encoded (or set). */
    public String prev() {
        return new String(prev, StandardCharsets.ISO_8859_1);
    }

    /** Remembers the current {@link #prev()}, for {@link #restore()}. */
    public void save() {
        System.arraycopy(prev, 0, saved, 0, 64);
    }

    /** Goes back to the {@link #prev()} of the last {@link #save()}. */
    public void restore() {
        System.arraycopy(saved, 0, prev, 0, 64);
    }

    /** Appends the event record with sequence number {@code seq}, newline included, linked to {@link #prev()}. */
    public void event(LineBuffer out, long seq, SecurityEvent e) {
        int start = out.size;
        out.ensure(256);
        raw(out, SEQ);
        number(out, seq);
        raw(out, PREV);
        raw(out, prev);
        raw(out, ID);
        uuid(out, e.id());
        raw(out, TIME);
        time(out, e.time());
        raw(out, TYPE);
        raw(out, TYPES[e.type().ordinal()]);
        raw(out, OUTCOME);
        raw(out, OUTCOMES[e.outcome().ordinal()]);
        raw(out, PRINCIPAL);
        string(out, e.principal());
        raw(out, CONNECTION);
        string(out, e.connection());
        raw(out, SOURCE);
        string(out, e.source());
        raw(out, DETAILS);
        boolean first = true;
        for (Map.Entry<String, String> d : e.details().entrySet()) { // sorted by key
            if (!first) {
                out.ensure(1);
                out.bytes[out.size++] = ',';
            }
            first = false;
            string(out, d.getKey());
            out.ensure(1);
            out.bytes[out.size++] = ':';
            string(out, d.getValue());
        }
        out.ensure(1);
        out.bytes[out.size++] = '}';
        seal(out, start);
    }

    /** Appends the record whose canonical prefix is {@code prefix} (a checkpoint), newline included. */
    public void line(LineBuffer out, String prefix) {
        int start = out.size;
        byte[] b = prefix.getBytes(StandardCharsets.UTF_8);
        raw(out, b);
        seal(out, start);
    }

    /** Hashes the prefix from {@code start}, then appends {@code ,"hash":"<hex>"}} and the newline. */
    private void seal(LineBuffer out, int start) {
        sha256.update(out.bytes, start, out.size - start);
        try {
            sha256.digest(digest, 0, 32);
        } catch (DigestException e) {
            throw new IllegalStateException(e);
        }
        for (int i = 0; i < 32; i++) {
            prev[2 * i] = HEX[(digest[i] >> 4) & 0xf];
            prev[2 * i + 1] = HEX[digest[i] & 0xf];
        }
        out.ensure(HASH.length + 64 + 3);
        raw(out, HASH);
        raw(out, prev);
        byte[] a = out.bytes;
        int n = out.size;
        a[n] = '"';
        a[n + 1] = '}';
        a[n + 2] = '\n';
        out.size = n + 3;
    }

    private static void raw(LineBuffer out, byte[] b) {
        out.ensure(b.length);
        System.arraycopy(b, 0, out.bytes, out.size, b.length);
        out.size += b.length;
    }

    private static void number(LineBuffer out, long v) {
        if (v < 0) {
            raw(out, Long.toString(v).getBytes(StandardCharsets.US_ASCII));
            return;
        }
        out.ensure(19);
        int digits = 1;
        for (long x = v; x >= 10; x /= 10) {
            digits++;
        }
        byte[] a = out.bytes;
        int end = out.size + digits;
        for (int i = end - 1; i >= out.size; i--) {
            a[i] = (byte) ('0' + (int) (v % 10));
            v /= 10;
        }
        out.size = end;
    }

    /** The canonical UUID text, quoted: 8-4-4-4-12 lower-case hex digits. */
    private static void uuid(LineBuffer out, UUID id) {
        out.ensure(36);
        byte[] a = out.bytes;
        int n = out.size;
        n = hex(a, n, id.getMostSignificantBits() >>> 32, 8);
        a[n++] = '-';
        n = hex(a, n, id.getMostSignificantBits() >>> 16, 4);
        a[n++] = '-';
        n = hex(a, n, id.getMostSignificantBits(), 4);
        a[n++] = '-';
        n = hex(a, n, id.getLeastSignificantBits() >>> 48, 4);
        a[n++] = '-';
        n = hex(a, n, id.getLeastSignificantBits(), 12);
        out.size = n;
    }

    private static int hex(byte[] a, int at, long v, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            a[at + i] = HEX[(int) (v & 0xf)];
            v >>>= 4;
        }
        return at + digits;
    }

    /** {@link Instant#toString()}, quoted. */
    private void time(LineBuffer out, Instant t) {
        long s = t.getEpochSecond();
        if (s < 0 || s > LAST_FOUR_DIGIT_YEAR_SECOND) {
            string(out, t.toString());
            return;
        }
        long day = s / 86_400;
        int secondOfDay = (int) (s - day * 86_400);
        if (day != cachedDay) {
            LocalDate d = LocalDate.ofEpochDay(day);
            digits(dayText, 0, d.getYear(), 4);
            dayText[4] = '-';
            digits(dayText, 5, d.getMonthValue(), 2);
            dayText[7] = '-';
            digits(dayText, 8, d.getDayOfMonth(), 2);
            dayText[10] = 'T';
            cachedDay = day;
        }
        out.ensure(32);
        byte[] a = out.bytes;
        int n = out.size;
        a[n++] = '"';
        System.arraycopy(dayText, 0, a, n, 11);
        n += 11;
        digits(a, n, secondOfDay / 3600, 2);
        a[n + 2] = ':';
        digits(a, n + 3, secondOfDay / 60 % 60, 2);
        a[n + 5] = ':';
        digits(a, n + 6, secondOfDay % 60, 2);
        n += 8;
        int nano = t.getNano();
        if (nano > 0) { // as ISO_INSTANT: milli, micro or nano digits, whichever is exact
            a[n++] = '.';
            if (nano % 1_000_000 == 0) {
                digits(a, n, nano / 1_000_000, 3);
                n += 3;
            } else if (nano % 1_000 == 0) {
                digits(a, n, nano / 1_000, 6);
                n += 6;
            } else {
                digits(a, n, nano, 9);
                n += 9;
            }
        }
        a[n++] = 'Z';
        a[n++] = '"';
        out.size = n;
    }

    private static void digits(byte[] a, int at, int v, int count) {
        for (int i = at + count - 1; i >= at; i--) {
            a[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
    }

    /**
     * {@code s} as {@link Json#quote} writes it, in UTF-8 as {@link String#getBytes} makes it: {@code "} and
     * {@code \} escaped, characters below U+0020 as {@code \}{@code u00xx}, and an unpaired surrogate as {@code ?}
     * (kept to match {@code getBytes}; events never hold one: {@link SecurityEvent} replaces them with U+FFFD).
     */
    private static void string(LineBuffer out, String s) {
        if (s == null) {
            raw(out, NULL);
            return;
        }
        int len = s.length();
        out.ensure(2L + 6L * len); // the most a char takes: 6 bytes for an escaped control character
        byte[] a = out.bytes;
        int n = out.size;
        a[n++] = '"';
        int i = 0;
        for (; i < len; i++) { // the common case: printable ASCII
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
                break;
            }
            a[n++] = (byte) c;
        }
        for (; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                if (c == '"' || c == '\\') {
                    a[n++] = '\\';
                    a[n++] = (byte) c;
                } else if (c < 0x20) {
                    a[n++] = '\\';
                    a[n++] = 'u';
                    a[n++] = '0';
                    a[n++] = '0';
                    a[n++] = HEX[c >> 4];
                    a[n++] = HEX[c & 0xf];
                } else {
                    a[n++] = (byte) c;
                }
            } else if (c < 0x800) {
                a[n++] = (byte) (0xc0 | (c >> 6));
                a[n++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                char low;
                if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(low = s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, low);
                    a[n++] = (byte) (0xf0 | (cp >> 18));
                    a[n++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                    a[n++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                    a[n++] = (byte) (0x80 | (cp & 0x3f));
                    i++;
                } else {
                    a[n++] = '?'; // what String.getBytes(UTF_8) writes for it
                }
            } else {
                a[n++] = (byte) (0xe0 | (c >> 12));
                a[n++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                a[n++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        a[n++] = '"';
        out.size = n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[][] quotedNames(Enum<?>[] values) {
        byte[][] out = new byte[values.length][];
        for (Enum<?> v : values) {
            out[v.ordinal()] = Json.quote(v.name()).getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }
}
