package dev.stdb.secure.audit.file.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

/**
 * The byte encoder the writer uses must produce exactly the bytes of the string encoder ({@link Codec#eventPrefix},
 * {@link Codec#line}, then UTF-8), which the verifier uses and which wrote every existing trail: otherwise new records
 * would not verify, or hash differently from what a reader recomputes.
 */
class RecordEncoderTest {

    /** What the string encoder makes of a chain of events starting at {@code firstSeq} after {@code prev}. */
    private static byte[] reference(long firstSeq, String prev, List<SecurityEvent> events) {
        StringBuilder b = new StringBuilder();
        long seq = firstSeq;
        for (SecurityEvent e : events) {
            String line = Codec.line(Codec.eventPrefix(seq++, prev, e));
            b.append(line);
            prev = line.substring(line.length() - 67, line.length() - 3);
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] encoded(long firstSeq, String prev, List<SecurityEvent> events) {
        RecordEncoder enc = new RecordEncoder();
        enc.prev(prev);
        LineBuffer out = new LineBuffer(16);
        long seq = firstSeq;
        for (SecurityEvent e : events) {
            enc.event(out, seq++, e);
        }
        return out.toByteArray();
    }

    /** The lines the string encoder wrote for {@link AwkwardEvents} before the byte encoder existed. */
    private static byte[] golden() throws IOException {
        try (InputStream in = RecordEncoderTest.class.getResourceAsStream("golden-records.jsonl")) {
            assertNotNull(in, "golden-records.jsonl");
            return in.readAllBytes();
        }
    }

    /**
     * Each awkward event, encoded at the place the golden file has it (its sequence number, after the previous golden
     * line's hash), gives the golden line byte for byte, except the events made from text with an unpaired
     * surrogate: the golden file has {@code ?} for those (what {@code getBytes} wrote before {@link SecurityEvent}
     * replaced them), the records now have U+FFFD.
     */
    @Test
    void awkwardEventsEncodeToTheGoldenBytes() throws Exception {
        List<SecurityEvent> events = new ArrayList<>(AwkwardEvents.all());
        events.add(events.get(0)); // the file ends with the first event again, at the largest sequence number
        Set<UUID> unpaired = AwkwardEvents.withUnpairedSurrogates();
        String[] golden = new String(golden(), StandardCharsets.UTF_8).split("\n");
        assertEquals(events.size(), golden.length);
        int same = 0;
        for (int i = 0; i < golden.length; i++) {
            SecurityEvent e = events.get(i);
            long seq = i == golden.length - 1 ? Long.MAX_VALUE : i + 1;
            String prev = i == 0 ? Codec.GENESIS : hashOf(golden[i - 1]);
            byte[] mine = encoded(seq, prev, List.of(e));
            String line = new String(mine, StandardCharsets.UTF_8);
            line = line.substring(0, line.length() - 1);
            if (unpaired.contains(e.id())) {
                assertNotEquals(golden[i], line, "event " + e.id());
                assertTrue(line.contains("\ufffd"), line);
            } else {
                assertArrayEquals((golden[i] + "\n").getBytes(StandardCharsets.UTF_8), mine, "event " + e.id());
                same++;
            }
        }
        assertEquals(7, unpaired.size(), "six strings with unpaired surrogates and the big event");
        assertEquals(golden.length - 7, same);
    }

    /**
     * Trails written before {@link SecurityEvent} replaced unpaired surrogates keep verifying: their {@code ?} reads
     * back as a plain character. Only records whose detail key had one may not (its {@code ?} can sort elsewhere), and
     * those never verified.
     */
    @Test
    void goldenRecordsStillParseUnlessAKeyHadAnUnpairedSurrogate() throws Exception {
        String[] golden = new String(golden(), StandardCharsets.UTF_8).split("\n");
        int unreadable = 0;
        for (int i = 0; i < AwkwardEvents.STRINGS.length; i++) {
            String line = golden[19 + i]; // after the 19 events of the time list, one event per string
            boolean keyHadOne = AwkwardEvents.hasUnpairedSurrogate(AwkwardEvents.STRINGS[i]);
            try {
                Codec.parse(line);
            } catch (Codec.BadRecord e) {
                assertTrue(keyHadOne, line);
                assertEquals("not in canonical form", e.getMessage());
                unreadable++;
            }
        }
        for (int i = 0; i < golden.length; i++) {
            if (i < 19 || i >= 19 + AwkwardEvents.STRINGS.length) {
                assertEquals(i == golden.length - 1 ? Long.MAX_VALUE : i + 1, Codec.parse(golden[i]).seq());
            }
        }
        assertTrue(unreadable > 0, "the golden file holds the records that could never verify");
    }

    private static String hashOf(String line) {
        return line.substring(line.length() - 66, line.length() - 2);
    }

    @Test
    void eachAwkwardEventMatchesTheStringEncoderAndParsesBack() throws Exception {
        String prev = Codec.GENESIS;
        long seq = 1;
        for (SecurityEvent e : AwkwardEvents.all()) {
            byte[] mine = encoded(seq, prev, List.of(e));
            assertArrayEquals(reference(seq, prev, List.of(e)), mine, () -> "event " + e.id());
            String line = new String(mine, StandardCharsets.UTF_8);
            assertEquals(1, line.chars().filter(c -> c == '\n').count(), "one line, whatever the values hold");
            Codec.Record r = Codec.parse(line.substring(0, line.length() - 1)); // unpaired surrogates included
            assertEquals(seq, r.seq());
            assertEquals(prev, r.prev());
            assertEquals(e, r.event());
            prev = line.substring(line.length() - 67, line.length() - 3);
            seq++;
        }
    }

    @Test
    void anUnpairedSurrogateIsWrittenAsTheReplacementCharacter() throws Exception {
        SecurityEvent e = SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING).source("s\udc00")
                .detail("a\ud800", "x\ud83d").detail("a\ue000", "y").build();
        String line = new String(encoded(1, Codec.GENESIS, List.of(e)), StandardCharsets.UTF_8);
        assertTrue(line.contains("\"source\":\"s\ufffd\""), line);
        assertTrue(line.contains("\"details\":{\"a\ue000\":\"y\",\"a\ufffd\":\"x\ufffd\"}"), line);
        assertFalse(line.contains("?"), line);
        assertEquals(e, Codec.parse(line.substring(0, line.length() - 1)).event());
    }

    @Test
    void controlCharactersAndQuotesAreEscapedNotWritten() {
        SecurityEvent e = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).source("s\"rc")
                .principal("eve\n{\"seq\":1}\r\u0000\\").detail("k", "\u001f\u2028").build();
        String line = new String(encoded(7, Codec.GENESIS, List.of(e)), StandardCharsets.UTF_8);
        assertFalse(line.substring(0, line.length() - 1).chars().anyMatch(c -> c < 0x20), line);
        assertEquals(true, line.contains("\"principal\":\"eve\\u000a{\\\"seq\\\":1}\\u000d\\u0000\\\\\""), line);
        assertEquals(true, line.contains("\"source\":\"s\\\"rc\""), line);
        assertEquals(true, line.contains("\"k\":\"\\u001f\u2028\""), line);
    }

    @Test
    void prevIsTheLastHashAndRestoreGoesBack() {
        RecordEncoder enc = new RecordEncoder();
        enc.prev(Codec.GENESIS);
        enc.save();
        LineBuffer out = new LineBuffer(16);
        SecurityEvent e = AwkwardEvents.all().get(0);
        enc.event(out, 1, e);
        String line = new String(out.toByteArray(), StandardCharsets.UTF_8);
        assertEquals(line.substring(line.length() - 67, line.length() - 3), enc.prev());
        enc.restore();
        assertEquals(Codec.GENESIS, enc.prev());
        assertThrows(IllegalArgumentException.class, () -> enc.prev("abc"));
    }

    @Test
    void checkpointLinesMatchTheStringEncoder() {
        String prefix = Codec.checkpointPrefix(Codec.checkpointSigned(1001, "ab".repeat(32),
                Instant.parse("2026-11-28T02:00:00.5Z"), 1000, "sha256:" + "cd".repeat(32)), "MEUCIQ+/=");
        RecordEncoder enc = new RecordEncoder();
        LineBuffer out = new LineBuffer(16);
        enc.line(out, prefix);
        assertArrayEquals(Codec.line(prefix).getBytes(StandardCharsets.UTF_8), out.toByteArray());
    }

    @Property(tries = 2000)
    void generatedEventsMatchTheStringEncoder(@ForAll("events") List<SecurityEvent> events,
            @ForAll("sequences") long firstSeq) {
        String prev = Codec.sha256Hex(Long.toString(firstSeq));
        byte[] mine = encoded(firstSeq, prev, events);
        assertArrayEquals(reference(firstSeq, prev, events), mine);
        String[] lines = new String(mine, StandardCharsets.UTF_8).split("\n");
        for (int i = 0; i < lines.length; i++) { // every event reads back as itself: one canonical form
            try {
                assertEquals(events.get(i), Codec.parse(lines[i]).event());
            } catch (Codec.BadRecord e) {
                throw new AssertionError(e.getMessage() + ": " + lines[i], e);
            }
        }
    }

    @Provide
    Arbitrary<Long> sequences() {
        return Arbitraries.longs().between(1, Long.MAX_VALUE - 100);
    }

    @Provide
    Arbitrary<List<SecurityEvent>> events() {
        Arbitrary<String> text = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40), // any char, unpaired surrogates included
                Arbitraries.strings().withChars("\"\\\n\r\t\u0000\u001f\u007f\u00e9\u20ac\ud83d\ude00\ud800\udc00a")
                        .ofMaxLength(20),
                Arbitraries.strings().ascii().ofMaxLength(30),
                Arbitraries.strings().all().ofMinLength(1000).ofMaxLength(5000));
        Arbitrary<String> nullable = Arbitraries.oneOf(text, Arbitraries.just(null));
        Arbitrary<Instant> time = Arbitraries.oneOf(
                Combinators.combine(Arbitraries.longs().between(Instant.MIN.getEpochSecond(),
                        Instant.MAX.getEpochSecond()), Arbitraries.integers().between(0, 999_999_999))
                        .as(Instant::ofEpochSecond),
                Combinators.combine(Arbitraries.longs().between(-100_000_000_000L, 300_000_000_000L),
                        Arbitraries.integers().between(0, 999_999_999),
                        Arbitraries.of(1, 1_000, 1_000_000, 1_000_000_000))
                        .as((s, n, unit) -> Instant.ofEpochSecond(s, n / unit * unit % 1_000_000_000)));
        Arbitrary<Map<String, String>> details = Arbitraries.maps(text, text).ofMaxSize(6);
        Arbitrary<UUID> id = Combinators.combine(Arbitraries.longs(), Arbitraries.longs()).as(UUID::new);
        Arbitrary<SecurityEvent> event = Combinators.combine(id, time, Arbitraries.of(SecurityEventType.class),
                Arbitraries.of(Outcome.class), nullable, nullable, text, details).as(
                        (i, t, type, outcome, principal, connection, source, d) -> new SecurityEvent(i, t, type,
                                outcome, principal, connection, source, d));
        return event.list().ofMinSize(1).ofMaxSize(4);
    }
}
