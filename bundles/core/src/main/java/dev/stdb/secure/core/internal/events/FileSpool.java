package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.audit.SecurityEvent;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A spool that survives a restart: a journal file per sink key in a directory, plus a small committed-offset file.
 *
 * <h2>Files</h2>
 * For a sink key {@code k} the files are {@code <name>.spool} and {@code <name>.offset}, where {@code <name>} is
 * {@code k} with every character outside {@code [A-Za-z0-9._-]} replaced by {@code _} (cut to 48 characters), a
 * dash and the first 16 hex digits of SHA-256 of {@code k}. They exist only while events are spooled: when the
 * spool empties both are deleted. On POSIX systems the directory and files are created owner-only.
 *
 * <h2>Journal format</h2> (big-endian)
 * <pre>
 *   header: "STDBSPL1" (8 bytes) | generation i64 | key length u16 | key UTF-8 | CRC32 of all before (i32)
 *   record: payload length i32 (1..16 MiB) | payload ({@link EventCodec}) | CRC32 of length+payload (i32)
 * </pre>
 * A record is appended at the end of the journal and the file is forced ({@link FileChannel#force(boolean)})
 * before {@link #append} returns, so an event the spool counts is on disk. A new journal (header only) is written
 * to a temporary file, forced and atomically renamed into place.
 *
 * <p>On opening, the records are read and checked: the first record that is incomplete (length runs past the end
 * of the file), has an impossible length or a wrong CRC ends the journal. It can only be the torn tail of a write
 * interrupted by a crash, and such an event was never counted as kept. The file is truncated there with a logged
 * warning; every earlier record survives. A record with a valid CRC that this version cannot decode is skipped with
 * an error. A journal whose header is damaged is renamed to {@code <name>.spool.corrupt-<millis>} with an error and
 * the spool starts empty.
 *
 * <h2>Removing delivered events</h2>
 * The journal is append-only; the delivered prefix is recorded in the offset file, {@code generation i64 | offset
 * i64 | CRC32 i32}, rewritten by temp file + force + atomic rename after every {@link #removeHead}. An offset file
 * whose generation differs from the journal's is stale and ignored. When the delivered prefix exceeds 1 MiB and
 * half the journal, the journal is compacted: the undelivered records are copied into a new journal with a new
 * generation (temp + force + rename), which makes the old offset file stale even if a crash follows. A lost offset
 * update (crash, I/O error) only means events are delivered again after a restart, which sinks tolerate.
 *
 * <p>Pending events are also held in memory, so {@link #peek} never reads the disk. Not thread-safe: confined to
 * the {@link EventRouter}'s worker.
 */
public final class FileSpool implements EventSpool {
    private static final System.Logger LOG = System.getLogger(FileSpool.class.getName());

    static final byte[] MAGIC = "STDBSPL1".getBytes(StandardCharsets.US_ASCII);
    static final int MAX_RECORD = 16 << 20;
    static final long COMPACT_THRESHOLD = 1 << 20;
    private static final int OFFSET_FILE_SIZE = 20;

    private record Entry(SecurityEvent event, long end) {
    }

    private final String key;
    private final Path directory;
    private final Path journal;
    private final Path offsetFile;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private FileChannel channel; // null while there is no journal
    private long generation;
    private long headerEnd;
    private long end;       // where the next record goes
    private long committed; // start of the first undelivered record
    private boolean closed;

    private FileSpool(Path directory, String key) {
        this.directory = directory;
        this.key = key;
        String name = baseName(key);
        this.journal = directory.resolve(name + ".spool");
        this.offsetFile = directory.resolve(name + ".offset");
    }

    /**
     * Opens the spool of sink key {@code key} in {@code directory}, creating the directory if needed and loading
     * the events a previous run left.
     *
     * @throws UncheckedIOException if the directory cannot be created or the journal cannot be read at all
     */
    public static FileSpool open(Path directory, String key) {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(key, "key");
        FileSpool spool = new FileSpool(directory, key);
        try {
            createDirectory(directory);
            spool.load();
        } catch (IOException e) {
            spool.closeChannel();
            throw new UncheckedIOException("cannot open the event spool " + spool.journal, e);
        }
        return spool;
    }

    /** The journal file of {@code key} in {@code directory}. */
    public static Path journalFile(Path directory, String key) {
        return directory.resolve(baseName(key) + ".spool");
    }

    static String baseName(String key) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < key.length() && sb.length() < 48; i++) {
            char c = key.charAt(i);
            boolean safe = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
                    || c == '_' || c == '-';
            sb.append(safe ? c : '_');
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return sb.append('-').append(HexFormat.of().formatHex(hash, 0, 8)).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public void append(SecurityEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed) {
            throw new IllegalStateException("spool " + journal + " is closed");
        }
        byte[] payload = EventCodec.encode(event);
        if (payload.length > MAX_RECORD) {
            throw new UncheckedIOException(new IOException("event " + event.id() + " is too large to spool ("
                    + payload.length + " bytes)"));
        }
        try {
            if (channel == null) {
                createJournal();
            }
        } catch (IOException e) {
            closeChannel();
            throw new UncheckedIOException("cannot create the event spool " + journal, e);
        }
        ByteBuffer record = ByteBuffer.allocate(payload.length + 8);
        record.putInt(payload.length).put(payload);
        CRC32 crc = new CRC32();
        crc.update(record.array(), 0, payload.length + 4);
        record.putInt((int) crc.getValue()).flip();
        try {
            long position = end;
            while (record.hasRemaining()) {
                position += channel.write(record, position);
            }
            channel.force(true);
        } catch (IOException e) {
            try {
                channel.truncate(end); // drop whatever part of the record made it
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw new UncheckedIOException("cannot write to the event spool " + journal, e);
        }
        end += record.limit();
        entries.addLast(new Entry(event, end));
    }

    @Override
    public SecurityEvent peek() {
        Entry head = entries.peekFirst();
        return head == null ? null : head.event();
    }

    @Override
    public void removeHead() {
        Entry head = entries.pollFirst();
        if (head == null) {
            throw new NoSuchElementException("spool is empty");
        }
        committed = head.end();
        if (entries.isEmpty()) {
            deleteFiles();
        } else if (committed - headerEnd > COMPACT_THRESHOLD && committed - headerEnd > (end - headerEnd) / 2) {
            compact();
        } else {
            writeOffset();
        }
    }

    @Override
    public int size() {
        return entries.size();
    }

    @Override
    public void close() {
        closed = true;
        closeChannel();
    }

    @Override
    public String toString() {
        return "FileSpool[" + journal + ", " + entries.size() + " events]";
    }

    // ---------------------------------------------------------------------------------------------- loading

    private void load() throws IOException {
        Files.deleteIfExists(tmp(journal));
        Files.deleteIfExists(tmp(offsetFile));
        if (!Files.exists(journal)) {
            Files.deleteIfExists(offsetFile);
            return;
        }
        channel = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE);
        long size = channel.size();
        InputStream raw = Channels.newInputStream(channel.position(0));
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw, 64 * 1024));
        if (!readHeader(in, size)) {
            return;
        }
        long start = readOffset();
        long position = headerEnd;
        long startRecord = -1; // the record 'start' points into, if it is not on a boundary
        String tornReason = null;
        while (position < size) {
            long remaining = size - position;
            if (remaining < 8) {
                tornReason = "incomplete record header";
                break;
            }
            int length = in.readInt();
            if (length < 1 || length > MAX_RECORD) {
                tornReason = "impossible record length " + length;
                break;
            }
            if (remaining < (long) length + 8) {
                tornReason = "record of " + length + " bytes runs past the end of the file";
                break;
            }
            byte[] payload = new byte[length];
            in.readFully(payload);
            int stored = in.readInt();
            CRC32 crc = new CRC32();
            crc.update(ByteBuffer.allocate(4).putInt(length).array());
            crc.update(payload);
            if ((int) crc.getValue() != stored) {
                tornReason = "CRC mismatch";
                break;
            }
            long next = position + length + 8;
            if (start > position && start < next) {
                startRecord = position;
            }
            if (next > start || startRecord == position) {
                try {
                    entries.addLast(new Entry(EventCodec.decode(payload), next));
                } catch (IOException e) {
                    LOG.log(Level.ERROR, "Skipping an unreadable record at offset " + position + " of the event"
                            + " spool " + journal + " (its checksum is valid; written by another version?): "
                            + e.getMessage());
                }
            }
            position = next;
        }
        if (tornReason != null) {
            LOG.log(Level.WARNING, "Event spool " + journal + ": " + tornReason + " at offset " + position
                    + "; truncating " + (size - position) + " bytes of a record torn by a crash. The "
                    + entries.size() + " records before it are kept.");
            channel.truncate(position);
            channel.force(true);
        }
        end = position;
        if (startRecord >= 0) {
            LOG.log(Level.WARNING, "Event spool " + journal + ": committed offset " + start + " is not on a record"
                    + " boundary; delivering again from offset " + startRecord);
            start = startRecord;
        } else if (start > end) {
            LOG.log(Level.WARNING, "Event spool " + journal + ": committed offset " + start + " lies past the last "
                    + "record (" + end + "); all records count as delivered");
            start = end;
        }
        committed = start;
        if (entries.isEmpty()) {
            deleteFiles();
        } else {
            LOG.log(Level.INFO, "Event spool " + journal + " holds " + entries.size()
                    + " undelivered events for sink key " + key);
        }
    }

    /** Reads and checks the header; on damage moves the journal aside and returns false. */
    private boolean readHeader(DataInputStream in, long size) throws IOException {
        String problem = null;
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!java.util.Arrays.equals(magic, MAGIC)) {
                problem = "not an event spool (bad magic)";
            } else {
                long gen = in.readLong();
                int keyLength = in.readUnsignedShort();
                byte[] keyBytes = new byte[keyLength];
                in.readFully(keyBytes);
                int stored = in.readInt();
                ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 10 + keyLength);
                header.put(MAGIC).putLong(gen).putShort((short) keyLength).put(keyBytes);
                CRC32 crc = new CRC32();
                crc.update(header.array());
                String storedKey = new String(keyBytes, StandardCharsets.UTF_8);
                if ((int) crc.getValue() != stored) {
                    problem = "header CRC mismatch";
                } else if (!storedKey.equals(key)) {
                    problem = "journal belongs to sink key " + storedKey;
                } else {
                    generation = gen;
                    headerEnd = header.capacity() + 4L;
                }
            }
        } catch (EOFException e) {
            problem = "header incomplete (" + size + " bytes)";
        }
        if (problem == null) {
            return true;
        }
        closeChannel();
        Path aside = journal.resolveSibling(journal.getFileName() + ".corrupt-" + System.currentTimeMillis());
        LOG.log(Level.ERROR, "Event spool " + journal + " is damaged (" + problem + "); moved to " + aside
                + " and starting an empty spool for sink key " + key);
        Files.move(journal, aside);
        Files.deleteIfExists(offsetFile);
        return false;
    }

    /** The committed offset from the offset file, or the end of the header if there is none that fits. */
    private long readOffset() {
        if (!Files.exists(offsetFile)) {
            return headerEnd;
        }
        try {
            byte[] b = Files.readAllBytes(offsetFile);
            if (b.length == OFFSET_FILE_SIZE) {
                ByteBuffer buf = ByteBuffer.wrap(b);
                long gen = buf.getLong();
                long offset = buf.getLong();
                CRC32 crc = new CRC32();
                crc.update(b, 0, 16);
                if ((int) crc.getValue() == buf.getInt() && offset >= headerEnd) {
                    if (gen == generation) {
                        return offset;
                    }
                    return headerEnd; // left from an earlier journal: stale
                }
            }
            LOG.log(Level.WARNING, "Offset file " + offsetFile + " is damaged; delivering the spool " + journal
                    + " from its first record (sinks may see some events again)");
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot read " + offsetFile + "; delivering the spool " + journal
                    + " from its first record", e);
        }
        return headerEnd;
    }

    // ---------------------------------------------------------------------------------------------- writing

    private void createJournal() throws IOException {
        closeChannel();
        createDirectory(directory);
        generation = newGeneration(generation);
        ByteBuffer header = header(generation);
        Path tmp = tmp(journal);
        Files.deleteIfExists(tmp);
        try (FileChannel out = create(tmp)) {
            while (header.hasRemaining()) {
                out.write(header);
            }
            out.force(true);
        }
        Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Files.deleteIfExists(offsetFile); // stale anyway (other generation)
        syncDirectory();
        channel = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE);
        headerEnd = header.limit();
        end = headerEnd;
        committed = headerEnd;
    }

    private ByteBuffer header(long gen) {
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (keyBytes.length > 0xffff) {
            keyBytes = java.util.Arrays.copyOf(keyBytes, 0xffff); // diagnostics only; the file name identifies
        }
        ByteBuffer header = ByteBuffer.allocate(MAGIC.length + 14 + keyBytes.length);
        header.put(MAGIC).putLong(gen).putShort((short) keyBytes.length).put(keyBytes);
        CRC32 crc = new CRC32();
        crc.update(header.array(), 0, header.position());
        header.putInt((int) crc.getValue()).flip();
        return header;
    }

    private void writeOffset() {
        ByteBuffer b = ByteBuffer.allocate(OFFSET_FILE_SIZE);
        b.putLong(generation).putLong(committed);
        CRC32 crc = new CRC32();
        crc.update(b.array(), 0, 16);
        b.putInt((int) crc.getValue()).flip();
        Path tmp = tmp(offsetFile);
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel out = create(tmp)) {
                while (b.hasRemaining()) {
                    out.write(b);
                }
                out.force(true);
            }
            Files.move(tmp, offsetFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot record delivery in " + offsetFile + "; after a restart some events of "
                    + journal + " may be delivered again", e);
        }
    }

    /** Rewrites the journal with only the undelivered records. */
    private void compact() {
        long newGeneration = newGeneration(generation);
        ByteBuffer header = header(newGeneration);
        Path tmp = tmp(journal);
        try {
            Files.deleteIfExists(tmp);
            try (FileChannel out = create(tmp)) {
                while (header.hasRemaining()) {
                    out.write(header);
                }
                long position = committed;
                while (position < end) {
                    position += channel.transferTo(position, end - position, out);
                }
                out.force(true);
            }
            Files.move(tmp, journal, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.WARNING, "Cannot compact the event spool " + journal + "; keeping it as is", e);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // a leftover temp file is deleted on the next open
            }
            writeOffset();
            return;
        }
        syncDirectory();
        long shift = header.limit() - committed;
        ArrayDeque<Entry> moved = new ArrayDeque<>(entries.size());
        for (Entry e : entries) {
            moved.addLast(new Entry(e.event(), e.end() + shift));
        }
        entries.clear();
        entries.addAll(moved);
        generation = newGeneration;
        headerEnd = header.limit();
        end += shift;
        committed = headerEnd;
        closeChannel();
        try {
            channel = FileChannel.open(journal, StandardOpenOption.READ, StandardOpenOption.WRITE);
            Files.deleteIfExists(offsetFile);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot reopen the compacted event spool " + journal
                    + "; the next append starts a new journal", e);
            channel = null;
        }
    }

    /** The spool is empty: remove its files (journal first, so a crash in between leaves only a stale offset). */
    private void deleteFiles() {
        closeChannel();
        try {
            Files.deleteIfExists(journal);
            Files.deleteIfExists(offsetFile);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "Cannot delete the empty event spool " + journal
                    + "; delivered events may be delivered again after a restart", e);
            if (Files.exists(journal)) {
                writeOffset();
            }
        }
        headerEnd = 0;
        end = 0;
        committed = 0;
    }

    private void closeChannel() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "closing " + journal, e);
            }
            channel = null;
        }
    }

    private void syncDirectory() {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported on every platform (Windows); the rename itself is atomic
        }
    }

    private static long newGeneration(long previous) {
        long g;
        do {
            g = UUID.randomUUID().getMostSignificantBits();
        } while (g == previous);
        return g;
    }

    private static Path tmp(Path file) {
        return file.resolveSibling(file.getFileName() + ".tmp");
    }

    private static boolean posix(Path dir) {
        return dir.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void createDirectory(Path directory) throws IOException {
        if (Files.isDirectory(directory)) {
            return;
        }
        try {
            if (posix(directory)) {
                Files.createDirectories(directory,
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(directory);
            }
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(directory)) {
                throw e;
            }
        }
    }

    private static FileChannel create(Path file) throws IOException {
        FileAttribute<?>[] attrs = posix(file)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        return FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs);
    }
}
