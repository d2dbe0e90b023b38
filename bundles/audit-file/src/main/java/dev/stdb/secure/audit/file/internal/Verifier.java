package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.audit.file.Verification;
import dev.stdb.secure.audit.file.Verification.Kind;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.List;

/**
 * Walks the whole chain, segment by segment and line by line, and names the first problem (package documentation:
 * verification). Memory is bounded by the longest record, whatever the trail's length.
 */
public final class Verifier {

    /** The newest acknowledged record as the writer knows it. */
    public record Head(long seq, String hash) {
    }

    private record Entry(int segment, String name, long line, Codec.Record record, Codec.BadRecord bad) {
    }

    private final List<Path> segments;
    private final PublicKey key;
    private final long defaultEvery;
    private final Head liveHead;
    private java.time.Instant from;
    private java.time.Instant to;

    /**
     * @param segments     the segment files, oldest first
     * @param key          the key checkpoints must be signed with, or null to skip signatures
     * @param defaultEvery checkpoint interval in records before the first checkpoint; 0 for no check
     * @param liveHead     the writer's head when verifying a live trail, else null
     */
    public Verifier(List<Path> segments, PublicKey key, long defaultEvery, Head liveHead) {
        this.segments = segments;
        this.key = key;
        this.defaultEvery = defaultEvery;
        this.liveHead = liveHead;
    }

    /**
     * Counts only records whose time is in {@code [from, to)} (either may be null); the whole chain is still checked,
     * since a record can only be proven together with everything before it.
     */
    public Verifier range(java.time.Instant from, java.time.Instant to) {
        this.from = from;
        this.to = to;
        return this;
    }

    /**
     * Reads the segments as a stream, keeping only the chain state, one record of look-ahead and per-segment line
     * counts: memory does not grow with the trail.
     */
    public Verification verify() throws IOException {
        try (Reader entries = new Reader()) {
            return verify(entries);
        }
    }

    private Verification verify(Reader entries) throws IOException {
        long[] tornLine = entries.tornLine;
        long[] lastLine = entries.lastLine;
        boolean sigs = key != null;
        long expected = 1;
        String prev = Codec.GENESIS;
        long every = defaultEvery;
        long eventsSince = 0;
        long lastCheckpointSeq = 0;
        long checked = 0;
        StringBuilder tail = new StringBuilder();
        Entry before = null; // the entry read before en
        for (Entry en = entries.next(); en != null; before = en, en = entries.next()) {
            Codec.Record r = en.record;
            boolean firstOfSegment = before == null || before.segment != en.segment;
            if (r == null) {
                return Verification.broken(checked, Kind.MODIFIED, en.name, en.line, expected,
                        en.bad.getMessage(), null, sigs);
            }
            if (r.seq() == expected && r.prev().equals(prev)) {
                // in place
            } else if (r.seq() == expected) {
                Codec.Record next = entries.peekRecord();
                if (next != null && next.seq() == expected && next.prev().equals(prev)) {
                    return Verification.broken(checked, Kind.INSERTED, en.name, en.line, r.seq(),
                            "a record that does not link to its predecessor precedes the genuine record " + r.seq(),
                            null, sigs);
                }
                return Verification.broken(checked, Kind.MODIFIED, en.name, en.line, r.seq(),
                        "the record does not link to its predecessor (prev " + abbrev(r.prev()) + ", expected "
                                + abbrev(prev) + "): the chain was rewritten from here", null, sigs);
            } else if (r.seq() > expected) {
                Codec.Record next = entries.peekRecord();
                if (next != null && next.seq() == expected && next.prev().equals(prev)) {
                    if (r.prev().equals(next.hash())) {
                        return Verification.broken(checked, Kind.REORDERED, en.name, en.line, expected,
                                "record " + r.seq() + " comes before record " + expected, null, sigs);
                    }
                    return Verification.broken(checked, Kind.INSERTED, en.name, en.line, r.seq(),
                            "a record numbered " + r.seq() + " sits where record " + expected + " belongs and does"
                                    + " not link to the chain", null, sigs);
                }
                Entry later = entries.find(expected);
                if (later != null) {
                    return Verification.broken(checked, Kind.REORDERED, en.name, en.line, expected,
                            "record " + expected + " is found later, at segment " + later.name + " line "
                                    + later.line, null, sigs);
                }
                String missing = expected == r.seq() - 1 ? "record " + expected
                        : "records " + expected + ".." + (r.seq() - 1);
                if (firstOfSegment && before != null) {
                    int ps = before.segment;
                    long where = tornLine[ps] != 0 ? tornLine[ps] : lastLine[ps] + 1;
                    return Verification.broken(checked, Kind.TRUNCATED, before.name, where, expected,
                            missing + " missing at the end of the segment" + (tornLine[ps] != 0
                                    ? " (its last line is cut)" : ""), null, sigs);
                }
                return Verification.broken(checked, Kind.DELETED, en.name, en.line, expected,
                        missing + " missing before this line", null, sigs);
            } else {
                if (before != null && before.record != null && before.record.seq() == r.seq()
                        && before.record.prev().equals(r.prev())) {
                    return Verification.broken(checked, Kind.INSERTED, before.name, before.line, r.seq(),
                            "a second record numbered " + r.seq() + " precedes the genuine one (line " + en.line
                                    + ")", null, sigs);
                }
                return Verification.broken(checked, Kind.INSERTED, en.name, en.line, r.seq(),
                        "record " + r.seq() + " appears again after record " + (expected - 1), null, sigs);
            }
            if (r.isCheckpoint()) {
                if (sigs) {
                    String problem = checkSignature(r);
                    if (problem != null) {
                        return Verification.broken(checked, Kind.FORGED_CHECKPOINT, en.name, en.line, r.seq(),
                                problem, null, sigs);
                    }
                }
                every = r.every();
                eventsSince = 0;
                lastCheckpointSeq = r.seq();
            } else {
                eventsSince++;
                if (every > 0 && eventsSince > every) {
                    return Verification.broken(checked, Kind.MISSING_CHECKPOINT, en.name, en.line, r.seq(),
                            eventsSince + " event records follow " + (lastCheckpointSeq == 0 ? "the start"
                                    : "the checkpoint at seq " + lastCheckpointSeq) + " without a checkpoint"
                                    + " (at most " + every + " allowed)", null, sigs);
                }
            }
            if ((from == null || !r.time().isBefore(from)) && (to == null || r.time().isBefore(to))) {
                checked++;
            }
            prev = r.hash();
            expected = r.seq() + 1;
        }
        String lastName = segments.isEmpty() ? null : segments.get(segments.size() - 1).getFileName().toString();
        int last = segments.size() - 1;
        for (int s = 0; s < last; s++) {
            if (tornLine[s] != 0) {
                tail.append("segment ").append(segments.get(s).getFileName()).append(" ends in a cut line ")
                        .append(tornLine[s]).append(" left by a crash (never acknowledged; the chain continues"
                        + " in the next segment); ");
            }
        }
        if (liveHead != null && liveHead.seq() >= expected) {
            long where = last >= 0 ? (tornLine[last] != 0 ? tornLine[last] : lastLine[last] + 1) : 0;
            return Verification.broken(checked, Kind.TRUNCATED, lastName, where, expected,
                    "acknowledged records " + expected + ".." + liveHead.seq() + " are missing at the end of the"
                            + " trail" + (last >= 0 && tornLine[last] != 0 ? " (the last line is cut)" : ""),
                    null, sigs);
        }
        if (liveHead != null && liveHead.seq() == expected - 1 && !liveHead.hash().equals(prev)
                && before != null) {
            Entry en = before; // the last record
            return Verification.broken(checked, Kind.MODIFIED, en.name, en.line, en.record.seq(),
                    "the chain head differs from the one the writer acknowledged", null, sigs);
        }
        if (last >= 0 && tornLine[last] != 0) {
            tail.append("the last line (segment ").append(lastName).append(" line ").append(tornLine[last])
                    .append(") is cut: a record being written when the process stopped, never acknowledged; ");
        }
        if (eventsSince > 0) {
            tail.append(eventsSince).append(" event records after ").append(lastCheckpointSeq == 0 ? "the start"
                    : "the checkpoint at seq " + lastCheckpointSeq).append(" are not yet covered by a signed"
                    + " checkpoint; ");
        }
        String t = tail.length() == 0 ? null : tail.substring(0, tail.length() - 2);
        return Verification.ok(checked, t, sigs);
    }

    private String checkSignature(Codec.Record r) {
        String expectedKey = Codec.fingerprint(key);
        if (!expectedKey.equals(r.key())) {
            return "the checkpoint names key " + r.key() + ", not the trusted key " + expectedKey;
        }
        try {
            Signature v = Signature.getInstance(Codec.ALGORITHM);
            v.initVerify(key);
            v.update(r.signed().getBytes(StandardCharsets.UTF_8));
            if (!v.verify(Base64.getDecoder().decode(r.signature()))) {
                return "the checkpoint signature does not verify with key " + expectedKey;
            }
            return null;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return "the checkpoint signature cannot be checked (" + e.getClass().getSimpleName() + ")";
        }
    }

    /**
     * The records of all segments in order, parsed one at a time, with one entry of look-ahead; counts each
     * segment's lines and cut last line once it has been read to its end.
     */
    private final class Reader implements java.io.Closeable {
        final long[] tornLine = new long[segments.size()];
        final long[] lastLine = new long[segments.size()];
        private int segment = -1;
        private SegmentLines lines;
        private String name;
        private Entry peeked;

        Entry next() throws IOException {
            if (peeked != null) {
                Entry e = peeked;
                peeked = null;
                return e;
            }
            return read();
        }

        /** The record after the one {@link #next()} returned last, or null (none, or not a record). */
        Codec.Record peekRecord() throws IOException {
            if (peeked == null) {
                peeked = read();
            }
            return peeked == null ? null : peeked.record;
        }

        /** Reads on to the first record numbered {@code seq}; only used once a problem was found. */
        Entry find(long seq) throws IOException {
            for (Entry e = next(); e != null; e = next()) {
                if (e.record != null && e.record.seq() == seq) {
                    return e;
                }
            }
            return null;
        }

        private Entry read() throws IOException {
            while (true) {
                if (lines == null) {
                    if (segment + 1 >= segments.size()) {
                        return null;
                    }
                    segment++;
                    lines = new SegmentLines(segments.get(segment));
                    name = segments.get(segment).getFileName().toString();
                }
                String text = lines.next();
                if (text == null) {
                    lastLine[segment] = lines.lineNumber();
                    tornLine[segment] = lines.tornLine();
                    lines.close();
                    lines = null;
                    continue;
                }
                Codec.Record r = null;
                Codec.BadRecord bad = null;
                try {
                    r = Codec.parse(text);
                } catch (Codec.BadRecord e) {
                    bad = e;
                }
                return new Entry(segment, name, lines.lineNumber(), r, bad);
            }
        }

        @Override
        public void close() throws IOException {
            if (lines != null) {
                lines.close();
            }
        }
    }

    private static String abbrev(String hash) {
        return hash.length() > 12 ? hash.substring(0, 12) + "…" : hash;
    }
}
