package dev.stdb.secure.audit.file;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.AuditTrail;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.VerificationResult;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.audit.file.internal.Codec;
import dev.stdb.secure.audit.file.internal.LineBuffer;
import dev.stdb.secure.audit.file.internal.RecordEncoder;
import dev.stdb.secure.audit.file.internal.SegmentLines;
import dev.stdb.secure.audit.file.internal.Signer;
import dev.stdb.secure.audit.file.internal.Verifier;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The file audit trail: an {@link AuditSink} writing hash-chained JSON Lines segments with signed checkpoints, and
 * the {@link AuditTrail} reading them back. Format, durability and verification rules are in the package
 * documentation. Thread-safe; {@link #publish} may be called from any number of threads, which then share fsyncs.
 */
public final class FileAuditTrail implements AuditSink, AuditTrail, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.stdb.secure.audit.file");
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final Path directory;
    private final long maxBytes;
    private final Duration maxAge;
    private final long everyRecords;
    private final Duration everyTime;
    private final Clock clock;
    private final Signer signer;
    private volatile PublicKey verifyKey;
    private final ScheduledExecutorService timer;

    /** Batch buffers above this size are not kept for reuse (a burst of huge events should not pin memory). */
    private static final int REUSE_MAX_BYTES = 8 * 1024 * 1024;

    private final Object lock = new Object();
    // guarded by lock
    private State head;
    private State durable;
    private final RecordEncoder encoder = new RecordEncoder();
    private final Cursor cursor = new Cursor();
    private final Cursor saved = new Cursor();
    private LineBuffer spare;
    private Batch open = new Batch(new LineBuffer(64 * 1024));
    private boolean flushing;
    private boolean closed;
    private boolean recovered;
    // only the flushing thread touches these (flushing == true)
    private FileChannel channel;
    private Path segment;
    private long segmentSize;
    private long durableSegmentSize;
    private Instant segmentOpened;
    private final java.util.concurrent.atomic.AtomicLong syncs = new java.util.concurrent.atomic.AtomicLong();

    /** Chain position: last record's sequence and hash, event records since the last checkpoint and its time. */
    private record State(long seq, String hash, long eventsSince, Instant lastCheckpoint, boolean needCheckpoint) {
    }

    /**
     * The chain position while records are appended under the lock, without an object per record; the previous
     * record's hash is kept by the encoder.
     */
    private static final class Cursor {
        long seq;
        long eventsSince;
        Instant lastCheckpoint;
        Instant checkpointDue; // lastCheckpoint + checkpoint.every.seconds, or null for count only
        boolean needCheckpoint;

        void set(Cursor c) {
            seq = c.seq;
            eventsSince = c.eventsSince;
            lastCheckpoint = c.lastCheckpoint;
            checkpointDue = c.checkpointDue;
            needCheckpoint = c.needCheckpoint;
        }
    }

    /** Records waiting for one write and fsync; they are encoded straight into its buffer. */
    private static final class Batch {
        final LineBuffer out;
        long firstSeq = -1;
        State after;
        boolean done;
        AuditException failure;

        Batch(LineBuffer out) {
            this.out = out;
        }
    }

    private FileAuditTrail(Builder b) {
        this.directory = b.directory;
        this.maxBytes = b.maxBytes;
        this.maxAge = b.maxAge;
        this.everyRecords = b.everyRecords;
        this.everyTime = b.everyTime;
        this.clock = b.clock;
        this.signer = b.signer;
        this.verifyKey = b.verifyKey;
        if (signer != null && !everyTime.isZero() && b.timer) {
            timer = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stdb-audit-file-checkpoint");
                t.setDaemon(true);
                return t;
            });
            long ms = Math.max(100, everyTime.toMillis());
            timer.scheduleWithFixedDelay(this::timedCheckpoint, ms, ms, TimeUnit.MILLISECONDS);
        } else {
            timer = null;
        }
    }

    public static Builder builder(Path directory) {
        return new Builder(directory);
    }

    /** How many batches were written and forced to disk so far: with concurrent publishers, fewer than records. */
    public long syncs() {
        return syncs.get();
    }

    /** Sequence number of the newest record appended, durable or not (tests). */
    long headSequence() {
        synchronized (lock) {
            return head == null ? 0 : head.seq;
        }
    }

    /** The directory holding the segments. */
    public Path directory() {
        return directory;
    }

    /** The segment files, oldest first (names sort in chain order). */
    public List<Path> segments() throws IOException {
        return listSegments(directory);
    }

    /** The segment files of {@code directory}, oldest first. */
    public static List<Path> listSegments(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("audit-") && n.endsWith(".jsonl");
            }).sorted().collect(Collectors.toList());
        }
    }

    // ------------------------------------------------------------------------------------------- writing

    /**
     * Appends {@code event} and returns once it (and any checkpoint due) is on disk, fsynced together with the
     * records of concurrent callers (group commit).
     *
     * @throws AuditException {@link ReasonCode#AUDIT_SINK_UNAVAILABLE} if it could not be written durably; the
     *         record is then not in the trail and the next record takes its sequence number
     */
    @Override
    public void publish(SecurityEvent event) throws AuditException {
        Objects.requireNonNull(event, "event");
        Batch b;
        synchronized (lock) {
            long first = begin();
            int mark = open.out.size();
            try {
                appendEvent(event, open.out);
            } catch (RuntimeException e) {
                open.out.truncate(mark); // not in the trail
                throw e;
            }
            b = commitToBatch(first);
        }
        await(b);
    }

    /**
     * Appends {@code events} in order under one lock and returns once all of them (and the checkpoints due among
     * them) are on disk, written with one fsync (shared with concurrent callers).
     *
     * @throws AuditException {@link ReasonCode#AUDIT_SINK_UNAVAILABLE} if not all events were written durably;
     *         {@link AuditException#acceptedCount()} says how many leading events are in the trail (0 when the write
     *         failed: a batch is written all or nothing; more when a later event could not be appended, for
     *         example because a checkpoint could not be signed)
     */
    @Override
    public void publishAll(List<SecurityEvent> events) throws AuditException {
        Objects.requireNonNull(events, "events");
        if (events.isEmpty()) {
            return;
        }
        Batch b;
        int accepted = 0;
        RuntimeException stopped = null;
        synchronized (lock) {
            long first = begin();
            LineBuffer out = open.out;
            for (SecurityEvent event : events) {
                int mark = out.size();
                saved.set(cursor);
                encoder.save();
                try {
                    appendEvent(Objects.requireNonNull(event, "event"), out);
                } catch (RuntimeException e) {
                    out.truncate(mark); // this event is not in the trail, nor is anything after it
                    cursor.set(saved);
                    encoder.restore();
                    stopped = e;
                    break;
                }
                accepted++;
            }
            if (accepted == 0) {
                throw stopped;
            }
            b = commitToBatch(first);
        }
        await(b);
        if (stopped != null) {
            ReasonCode reason = stopped instanceof AuditException ? ((AuditException) stopped).reason()
                    : ReasonCode.AUDIT_SINK_UNAVAILABLE;
            throw new AuditException(reason, "only " + accepted + " of " + events.size() + " events were written"
                    + " to the audit trail in " + directory + ": " + stopped.getMessage(), stopped, accepted);
        }
    }

    /**
     * Appends the record of {@code event} to {@code out}, with the checkpoints due before and after it, and moves
     * the cursor past them. If it throws, {@code out}, the cursor and the encoder's hash may be part-way: the caller
     * rolls them back.
     */
    private void appendEvent(SecurityEvent event, LineBuffer out) {
        Cursor c = cursor;
        if (c.needCheckpoint) {
            appendCheckpoint(out);
        }
        encoder.event(out, c.seq + 1, event);
        c.seq++;
        c.eventsSince++;
        c.needCheckpoint = false;
        if (signer != null && ((everyRecords > 0 && c.eventsSince >= everyRecords)
                || (c.checkpointDue != null && !clock.instant().isBefore(c.checkpointDue)))) {
            appendCheckpoint(out);
        }
    }

    /**
     * Writes a signed checkpoint now if event records follow the last one, and waits until it is durable. Also
     * called every {@code checkpoint.every.seconds} by a timer.
     */
    public void checkpoint() throws AuditException {
        Batch b;
        synchronized (lock) {
            long first = begin();
            if (signer == null || cursor.eventsSince == 0) {
                return;
            }
            int mark = open.out.size();
            try {
                appendCheckpoint(open.out);
            } catch (RuntimeException e) {
                open.out.truncate(mark);
                throw e;
            }
            b = commitToBatch(first);
        }
        await(b);
    }

    private void timedCheckpoint() {
        try {
            boolean due;
            synchronized (lock) {
                due = !closed && head != null && head.eventsSince > 0
                        && !clock.instant().isBefore(head.lastCheckpoint.plus(everyTime));
            }
            if (due) {
                checkpoint();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Timed audit checkpoint failed: " + e.getMessage());
        }
    }

    private State start() {
        if (closed) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "the file audit trail in " + directory
                    + " is closed");
        }
        if (!recovered) {
            recover();
        }
        return head;
    }

    /** Opens the trail if needed and points the cursor and encoder at the head; returns the next sequence number. */
    private long begin() {
        State s = start();
        cursor.seq = s.seq;
        cursor.eventsSince = s.eventsSince;
        cursor.lastCheckpoint = s.lastCheckpoint;
        cursor.checkpointDue = everyTime.isZero() ? null : s.lastCheckpoint.plus(everyTime);
        cursor.needCheckpoint = s.needCheckpoint;
        encoder.prev(s.hash);
        return s.seq + 1;
    }

    /**
     * The records appended to the open batch since {@link #begin()}, sequence numbers {@code firstSeq} to the
     * cursor's, become part of it and the new head.
     */
    private Batch commitToBatch(long firstSeq) {
        if (open.firstSeq < 0) {
            open.firstSeq = firstSeq;
        }
        State s = new State(cursor.seq, encoder.prev(), cursor.eventsSince, cursor.lastCheckpoint,
                cursor.needCheckpoint);
        open.after = s;
        head = s;
        return open;
    }

    private void appendCheckpoint(LineBuffer out) {
        Instant now = clock.instant();
        String line;
        try {
            String signed = Codec.checkpointSigned(cursor.seq + 1, encoder.prev(), now, everyRecords,
                    Codec.fingerprint(signer.publicKey()));
            byte[] sig = signer.sign(signed.getBytes(StandardCharsets.UTF_8));
            line = Codec.checkpointPrefix(signed, Base64.getEncoder().encodeToString(sig));
        } catch (Exception e) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot sign an audit checkpoint with "
                    + signer.describe() + " (" + e.getClass().getSimpleName() + ")", e);
        }
        encoder.line(out, line);
        cursor.seq++;
        cursor.eventsSince = 0;
        cursor.lastCheckpoint = now;
        cursor.checkpointDue = everyTime.isZero() ? null : now.plus(everyTime);
        cursor.needCheckpoint = false;
    }

    /** A buffer for the next batch: the one a written batch gave back, else a new one. Under the lock. */
    private LineBuffer takeBuffer() {
        LineBuffer b = spare;
        if (b == null) {
            return new LineBuffer(64 * 1024);
        }
        spare = null;
        b.clear();
        return b;
    }

    /** Keeps the buffer of a batch nobody reads any more for a later batch. Under the lock. */
    private void giveBack(LineBuffer b) {
        if (b.capacity() <= REUSE_MAX_BYTES) {
            spare = b;
        }
    }

    /** Waits until {@code b} is written, writing it (and whatever joined it) if no one else is. */
    private void await(Batch b) {
        while (true) {
            Batch toWrite;
            synchronized (lock) {
                while (!b.done && flushing) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "interrupted while waiting"
                                + " for the audit record to be written; it may or may not be in the trail");
                    }
                }
                if (b.done) {
                    break;
                }
                flushing = true;
                toWrite = open;
                open = new Batch(takeBuffer());
            }
            AuditException failure = write(toWrite);
            synchronized (lock) {
                toWrite.done = true;
                giveBack(toWrite.out);
                if (failure == null) {
                    durable = toWrite.after;
                } else {
                    toWrite.failure = failure;
                    if (open.firstSeq >= 0) { // chained onto the failed batch: fails with it
                        open.done = true;
                        open.failure = failure;
                        open = new Batch(takeBuffer());
                    }
                    head = durable;
                }
                flushing = false;
                lock.notifyAll();
            }
        }
        if (b.failure != null) {
            throw b.failure;
        }
    }

    /** Writes and forces one batch; only ever called by the flushing thread. */
    private AuditException write(Batch batch) {
        int length = batch.out.size();
        try {
            Instant now = clock.instant();
            if (channel != null && segmentSize > 0 && ((maxBytes > 0 && segmentSize + length > maxBytes)
                    || (!maxAge.isZero() && !now.isBefore(segmentOpened.plus(maxAge))))) {
                closeSegment();
            }
            if (channel == null) {
                openSegment(batch.firstSeq, now);
            }
            ByteBuffer buf = batch.out.view();
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
            syncs.incrementAndGet();
            segmentSize += length;
            durableSegmentSize = segmentSize;
            return null;
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                try {
                    channel.truncate(durableSegmentSize); // drop what this batch wrote: it is not acknowledged
                    channel.force(false);
                } catch (IOException | RuntimeException ignored) {
                    LOG.log(System.Logger.Level.ERROR, "Cannot cut the failed audit batch from " + segment
                            + "; verification will report its records");
                }
                closeSegment();
            }
            return new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot write the audit trail in "
                    + directory + ": " + e, e);
        }
    }

    private void openSegment(long firstSeq, Instant now) throws IOException {
        Files.createDirectories(directory);
        Path p = directory.resolve(String.format("audit-%020d-%s.jsonl", firstSeq, STAMP.format(now)));
        channel = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND);
        segment = p;
        segmentSize = channel.size();
        durableSegmentSize = segmentSize;
        segmentOpened = now;
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true); // the new name is durable too
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "cannot fsync directory " + directory, e);
        }
    }

    private void closeSegment() {
        try {
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing " + segment, e);
        }
        channel = null;
        segment = null;
        segmentSize = 0;
    }

    /**
     * Finds the chain head in the newest segment: its last complete line. A cut last line (a crash mid-write) is
     * left as it is; writing always continues in a new segment, which starts with a checkpoint.
     */
    private void recover() {
        try {
            State s = new State(0, Codec.GENESIS, 0, clock.instant(), false);
            List<Path> segs = listSegments(directory);
            for (int i = segs.size() - 1; i >= 0; i--) {
                String line;
                try {
                    line = SegmentLines.lastLine(segs.get(i)); // from the end: a segment may be large
                } catch (NoSuchFileException e) {
                    continue;
                }
                if (line == null) {
                    continue;
                }
                Codec.Record r;
                try {
                    r = Codec.parse(line);
                } catch (Codec.BadRecord e) {
                    throw new AuditException(ReasonCode.AUDIT_CHAIN_BROKEN, "the last record of audit segment "
                            + segs.get(i).getFileName() + " is damaged (" + e.getMessage() + "); run the verifier"
                            + " and move the damaged trail aside before writing more");
                }
                s = new State(r.seq(), r.hash(), 0, clock.instant(), signer != null);
                break;
            }
            head = s;
            durable = s;
            recovered = true;
        } catch (IOException e) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot read the audit trail in "
                    + directory + ": " + e, e);
        }
    }

    /** Seals the trail with a last checkpoint if events follow the last one, and closes the segment. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        try {
            checkpoint();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Cannot seal the audit trail in " + directory + ": "
                    + e.getMessage());
        }
        synchronized (lock) {
            closed = true;
            while (flushing) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            closeSegment();
        }
    }

    // ------------------------------------------------------------------------------------------- reading

    @Override
    public List<SecurityEvent> query(AuditQuery query) throws AuditException {
        Objects.requireNonNull(query, "query");
        List<SecurityEvent> out = new ArrayList<>();
        try {
            for (Path p : segments()) {
                // line by line: a query holds its matches, never the trail
                try (SegmentLines lines = new SegmentLines(p)) {
                    for (String line = lines.next(); line != null; line = lines.next()) {
                        SecurityEvent e;
                        try {
                            e = Codec.parse(line).event();
                        } catch (Codec.BadRecord bad) {
                            continue; // damage that verify reports
                        }
                        if (e != null && query.matches(e)) {
                            out.add(e);
                            if (query.limit() > 0 && out.size() >= query.limit()) {
                                return out;
                            }
                        }
                    }
                } catch (NoSuchFileException e) {
                    continue;
                }
            }
            return out;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot read the audit trail in "
                    + directory + ": " + e, e);
        }
    }

    @Override
    public VerificationResult verify(Instant from, Instant to) throws AuditException {
        return verifyDetailed(from, to).toResult();
    }

    /** {@link #verifyDetailed(Instant, Instant)} of the whole trail. */
    public Verification verifyDetailed() throws AuditException {
        return verifyDetailed(null, null);
    }

    /**
     * Verifies the whole chain against this writer's acknowledged head: besides what an offline check finds, any
     * acknowledged record missing from the end is reported as {@link Verification.Kind#TRUNCATED}. The whole chain is
     * always checked (a record is only proven together with everything before it); {@code from} (inclusive) and
     * {@code to} (exclusive), either null, limit which records are counted in {@link Verification#recordsChecked()}.
     */
    public Verification verifyDetailed(Instant from, Instant to) throws AuditException {
        Verifier.Head live;
        synchronized (lock) {
            live = durable == null ? null : new Verifier.Head(durable.seq, durable.hash);
        }
        try {
            return new Verifier(segments(), verifyKey(), signer == null ? 0 : everyRecords, live).range(from, to)
                    .verify();
        } catch (IOException e) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot read the audit trail in "
                    + directory + ": " + e, e);
        }
    }

    /** The configured verification key, else the signer's public key (looked up when first needed). */
    private PublicKey verifyKey() {
        PublicKey k = verifyKey;
        if (k == null && signer != null) {
            try {
                k = signer.publicKey();
                verifyKey = k;
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "No public key for " + signer.describe()
                        + "; checkpoint signatures are not checked (" + e.getClass().getSimpleName() + ")");
            }
        }
        return k;
    }

    /** Verifies the trail in {@code directory} at rest (no writer): the {@link Verify} command's check. */
    public static Verification verifyAtRest(Path directory, PublicKey key, long checkpointEveryRecords)
            throws IOException {
        return new Verifier(listSegments(directory), key, checkpointEveryRecords, null).verify();
    }

    @Override
    public String toString() {
        return "FileAuditTrail[" + directory + "]";
    }

    /** Options of a {@link FileAuditTrail}. */
    public static final class Builder {
        private final Path directory;
        private long maxBytes = 16L * 1024 * 1024;
        private Duration maxAge = Duration.ofDays(1);
        private long everyRecords = 1000;
        private Duration everyTime = Duration.ofMinutes(5);
        private Clock clock = Clock.systemUTC();
        private Signer signer;
        private PublicKey verifyKey;
        private boolean timer = true;

        private Builder(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
        }

        /** Rotate to a new segment before one would exceed this size; 16 MiB by default, 0 for no limit. */
        public Builder segmentMaxBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("segment.max.bytes is negative: " + bytes);
            }
            this.maxBytes = bytes;
            return this;
        }

        /** Rotate once a segment is this old; one day by default, zero for no limit. */
        public Builder segmentMaxAge(Duration age) {
            this.maxAge = nonNegative(age, "segment.max.seconds");
            return this;
        }

        /** At most this many event records between checkpoints; 1000 by default, 0 for time only. */
        public Builder checkpointEveryRecords(long records) {
            if (records < 0) {
                throw new IllegalArgumentException("checkpoint.every.records is negative: " + records);
            }
            this.everyRecords = records;
            return this;
        }

        /** A checkpoint at least this often while events arrive; 5 minutes by default, zero for count only. */
        public Builder checkpointEvery(Duration interval) {
            this.everyTime = nonNegative(interval, "checkpoint.every.seconds");
            return this;
        }

        /** Sign checkpoints with the KeyService key {@code alias}. */
        public Builder signWith(KeyService service, String alias) {
            this.signer = Signer.keyService(service, alias);
            return this;
        }

        /** Sign checkpoints with this key pair. */
        public Builder signWith(PrivateKey privateKey, PublicKey publicKey) {
            this.signer = Signer.keys(privateKey, publicKey);
            return this;
        }

        /** Sign checkpoints with the key {@code alias} of a PKCS#12 keystore. */
        public Builder signWithPkcs12(Path keystore, char[] password, String alias) throws AuditException {
            try {
                this.signer = Signer.pkcs12(keystore, password, alias);
            } catch (IOException | java.security.GeneralSecurityException e) {
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "cannot load signing key '" + alias
                        + "' from keystore " + keystore + " (" + e.getClass().getSimpleName() + ")", e);
            }
            return this;
        }

        /** Check checkpoint signatures with this key; the signing key's public key by default. */
        public Builder verifyWith(PublicKey key) {
            this.verifyKey = key;
            return this;
        }

        /** The clock for record times of checkpoints, rotation and checkpoint intervals (tests). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Whether a background timer writes the time-based checkpoints when no events arrive; true by default. */
        public Builder checkpointTimer(boolean enabled) {
            this.timer = enabled;
            return this;
        }

        public FileAuditTrail open() {
            return new FileAuditTrail(this);
        }

        private static Duration nonNegative(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " is negative: " + d);
            }
            return d;
        }
    }
}
