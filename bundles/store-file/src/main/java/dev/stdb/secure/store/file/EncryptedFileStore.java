package dev.stdb.secure.store.file;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.file.internal.Crypto;
import dev.stdb.secure.store.file.internal.Files2;
import dev.stdb.secure.store.file.internal.KeySource;
import dev.stdb.secure.store.file.internal.StoreFormat;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;

/**
 * A {@link CredentialStore} ({@link Protection#ENCRYPTED_FILE}) kept in one owner-only directory; see the package
 * documentation for the file format and the threat model.
 *
 * <pre>{@code
 * try (EncryptedFileStore store = EncryptedFileStore.builder(Path.of("/var/lib/app/credentials"))
 *         .passphrase(() -> Secret.ofString(System.getenv("STDB_STORE_PASSPHRASE")))
 *         .open()) {
 *     store.write("oauth2/refresh", token);
 * }
 * }</pre>
 *
 * <p>{@link Builder#open()} creates the store if it does not exist, else checks permissions and opens its data key
 * (Argon2id runs here, once, not per operation; again only if another process rotates the key). Reads take no lock
 * and see a complete file; writes, deletes and rotations take an exclusive lock (a lock file for other processes, a
 * lock per directory within this JVM) around read-modify-write and replace the file atomically.
 *
 * <p>Failures are {@link CredentialStoreException}s: {@link ReasonCode#STORE_LOCKED} for a wrong passphrase or key
 * (or key source), a locked keyring or a missing keyring entry,
 * {@link ReasonCode#STORE_TAMPERED} naming the entry (or the header, or the file) that fails its integrity check,
 * {@link ReasonCode#STORE_PERMISSIONS} naming a path and its mode, {@link ReasonCode#STORE_UNAVAILABLE} for I/O.
 * An entry that verifies can be read even when another entry has been tampered with; writes are refused until the
 * file is restored, so nothing is silently dropped. With an event sink, each of these failures is also a
 * {@code STORE_FAILURE} event carrying the store id, the key name and the reason code, never a value.
 *
 * <p>Thread-safe.
 */
public final class EncryptedFileStore implements CredentialStore, AutoCloseable {

    /** Name of the store file inside the store directory. */
    public static final String FILE_NAME = "store.sdbf";
    /** Name of the lock file inside the store directory. */
    public static final String LOCK_NAME = "store.lock";
    /** Largest value accepted, in bytes. */
    public static final int MAX_VALUE_BYTES = 16 * 1024 * 1024;

    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final String id;
    private final Path dir;
    private final Path file;
    private final Path lockFile;
    private final SecurityEventSink events;
    private final StoreFormat.Argon2 argon2;
    /** Serialises this JVM's writers of one directory (FileChannel.lock is per process); set by init. */
    private ReentrantLock jvmLock;
    private volatile KeySource keySource;
    /** The open data key and the header it belongs to; replaced when the header changes (rotation). */
    private volatile Keys keys;
    /**
     * The key before this instance's last rotation, for a reader of this instance that read the file just before
     * the rotation replaced it (the old key source no longer applies, the old key still opens that snapshot).
     */
    private volatile Keys previousKeys;
    private volatile boolean closed;

    private record Keys(StoreFormat.Header header, SecretKeySpec spec) {
    }

    private record View(Keys keys, StoreFormat.Parsed parsed) {
    }

    private EncryptedFileStore(Builder b, KeySource source) {
        this.id = b.id;
        this.dir = b.dir.toAbsolutePath().normalize();
        this.file = dir.resolve(FILE_NAME);
        this.lockFile = dir.resolve(LOCK_NAME);
        this.events = b.events;
        this.argon2 = b.argon2;
        this.keySource = source;
    }

    /** A builder for the store in directory {@code dir} (created owner-only if missing). */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** Options of {@link EncryptedFileStore}; exactly one of passphrase, key service or key store is required. */
    public static final class Builder {
        private final Path dir;
        private String id = "file";
        private Supplier<Secret> passphrase;
        private Secret heldPassphrase;
        private KeyService keyService;
        private String keyAlias;
        private CredentialStore keyStore;
        private String keyEntry;
        private StoreFormat.Argon2 argon2 = new StoreFormat.Argon2(DEFAULT_ARGON2_MEMORY_KIB,
                DEFAULT_ARGON2_ITERATIONS, DEFAULT_ARGON2_PARALLELISM);
        private SecurityEventSink events;
        private boolean allowNonPosix;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /** The store's id ({@code store.id}); default {@code file}. */
        public Builder id(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("id must not be blank");
            }
            this.id = id;
            return this;
        }

        /**
         * The passphrase as a callback, asked when the store is opened and again only if another process changed
         * the key. The store destroys each {@link Secret} the callback returns.
         */
        public Builder passphrase(Supplier<Secret> passphrase) {
            this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
            this.heldPassphrase = null;
            this.keyService = null;
            this.keyStore = null;
            return this;
        }

        /**
         * The passphrase itself; the store opened next keeps a copy until it is closed (the caller keeps its own).
         * The copy goes to that store: to open another one, give the passphrase again.
         */
        public Builder passphrase(Secret passphrase) {
            Secret copy = copy(Objects.requireNonNull(passphrase, "passphrase"));
            this.passphrase = () -> copy(copy);
            this.heldPassphrase = copy;
            this.keyService = null;
            this.keyStore = null;
            return this;
        }

        /** The data key is wrapped by key {@code alias} of {@code keyService} (an HSM over PKCS#11, say). */
        public Builder keyService(KeyService keyService, String alias) {
            this.keyService = Objects.requireNonNull(keyService, "keyService");
            if (alias == null || alias.isBlank()) {
                throw new IllegalArgumentException("alias must not be blank");
            }
            this.keyAlias = alias;
            this.passphrase = null;
            this.keyStore = null;
            return this;
        }

        /**
         * The data key is wrapped (AES-256-GCM) under a random 256-bit key-encryption key kept as entry {@code entry}
         * of {@code store}: in practice the OS keyring ({@code KeyringCredentialStore}), but any store will do. The
         * entry is created when the store file is created (or rotated to this source) if it does not exist, and only
         * read after that. A locked or unreachable keyring fails opening with its own reason code
         * ({@link ReasonCode#STORE_LOCKED}, {@link ReasonCode#STORE_UNAVAILABLE}); there is no fallback.
         */
        public Builder keyStore(CredentialStore store, String entry) {
            this.keyStore = Objects.requireNonNull(store, "store");
            if (entry == null || entry.isBlank()) {
                throw new IllegalArgumentException("entry must not be blank");
            }
            this.keyEntry = entry;
            this.passphrase = null;
            this.keyService = null;
            return this;
        }

        /**
         * Argon2id cost for new stores and passphrase rotations; an existing store opens with the parameters in its
         * header. Default {@value #DEFAULT_ARGON2_MEMORY_KIB} KiB, {@value #DEFAULT_ARGON2_ITERATIONS} iterations,
         * parallelism {@value #DEFAULT_ARGON2_PARALLELISM}.
         */
        public Builder argon2(int memoryKib, int iterations, int parallelism) {
            StoreFormat.Argon2 a = new StoreFormat.Argon2(memoryKib, iterations, parallelism);
            if (a.problem() != null) {
                throw new IllegalArgumentException("Argon2id " + a.problem());
            }
            this.argon2 = a;
            return this;
        }

        /** Where {@code STORE_FAILURE} events go (tampering, wrong key, permissions); default none. */
        public Builder events(SecurityEventSink events) {
            this.events = events;
            return this;
        }

        /**
         * Accept a file system without POSIX permissions (Windows, FAT), where the owner-only check cannot be made.
         * Off by default: such a store is refused with {@link ReasonCode#STORE_PERMISSIONS}.
         */
        public Builder allowNonPosixFileSystem(boolean allow) {
            this.allowNonPosix = allow;
            return this;
        }

        /**
         * Creates or opens the store.
         *
         * @throws CredentialStoreException {@link ReasonCode#STORE_LOCKED} for a wrong passphrase or key,
         *         {@link ReasonCode#STORE_PERMISSIONS}, {@link ReasonCode#STORE_TAMPERED} for a damaged header,
         *         {@link ReasonCode#STORE_UNAVAILABLE} for I/O
         */
        public EncryptedFileStore open() throws CredentialStoreException {
            KeySource source;
            if (keyStore != null) {
                source = KeySource.keyStore(keyStore, keyEntry);
            } else if (keyService != null) {
                source = KeySource.keyService(keyService, keyAlias);
            } else if (passphrase != null) {
                source = KeySource.passphrase(passphrase, argon2);
            } else {
                throw new IllegalStateException("a passphrase, a KeyService or a key store is required (a passphrase"
                        + " Secret given to the builder goes to the one store it opens)");
            }
            EncryptedFileStore store = new EncryptedFileStore(this, source);
            if (heldPassphrase != null) {
                // the copy now belongs to the store, which destroys it on close
                store.heldPassphrase = heldPassphrase;
                heldPassphrase = null;
                passphrase = null;
            }
            try {
                store.init(allowNonPosix);
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
            return store;
        }
    }

    /** Default Argon2id memory: 64 MiB. */
    public static final int DEFAULT_ARGON2_MEMORY_KIB = 65536;
    /** Default Argon2id passes. */
    public static final int DEFAULT_ARGON2_ITERATIONS = 3;
    /** Default Argon2id lanes. */
    public static final int DEFAULT_ARGON2_PARALLELISM = 1;

    private volatile Secret heldPassphrase;

    private static Secret copy(Secret s) {
        byte[] b = s.bytesCopy();
        try {
            return Secret.ofBytes(b);
        } finally {
            Arrays.fill(b, (byte) 0);
        }
    }

    private void init(boolean allowNonPosix) {
        if (!Files2.posix(dir) && !allowNonPosix) {
            throw fail(ReasonCode.STORE_PERMISSIONS, null, "store directory " + dir + " is on a file system without"
                    + " POSIX permissions, so owner-only access cannot be checked; allow it explicitly if the"
                    + " directory's ACL already limits access to its owner");
        }
        Files2.createDirectory(dir);
        checkPermissions(dir, true);
        Path real;
        try {
            real = dir.toRealPath();
        } catch (java.io.IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "cannot resolve store directory " + dir
                    + ": " + e.getClass().getSimpleName(), e);
        }
        jvmLock = LOCKS.computeIfAbsent(real, d -> new ReentrantLock());
        locked(() -> {
            Files2.deleteStaleTemps(file);
            checkPermissions(lockFile, false);
            if (Files.exists(file)) {
                load();
            } else {
                byte[] dk = Crypto.random(Crypto.KEY);
                try {
                    SecretKeySpec spec = Crypto.aesKey(dk);
                    StoreFormat.Header header = keySource.newHeader(dk, spec, where());
                    Files2.replaceAtomically(file, StoreFormat.encode(header, List.of(), d -> Crypto.mac(spec, d)));
                    keys = new Keys(header, spec);
                } finally {
                    Crypto.zero(dk);
                }
            }
            return null;
        });
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Protection protection() {
        return Protection.ENCRYPTED_FILE;
    }

    /** The store directory. */
    public Path directory() {
        return dir;
    }

    @Override
    public Optional<Secret> read(String key) throws CredentialStoreException {
        checkKey(key);
        View v = load();
        StoreFormat.Record r = find(v, key);
        if (r == null) {
            if (!intact(v)) {
                throw fail(ReasonCode.STORE_TAMPERED, key, where() + " fails its integrity check ("
                        + problem(v) + "); entry '" + key + "' is not in it and may have been removed");
            }
            return Optional.empty();
        }
        byte[] plain;
        try {
            plain = Crypto.open(v.keys().spec(), r.nonce(), r.ciphertext(), StoreFormat.entryAad(key));
        } catch (Crypto.BadTag e) {
            throw fail(ReasonCode.STORE_TAMPERED, key, tamperedEntry(key));
        }
        try {
            if (events != null && !intact(v)) {
                // The entry verifies on its own, but the file does not: it may be an older value put back.
                emitFailure(ReasonCode.STORE_TAMPERED, key, where() + " fails its integrity check (" + problem(v)
                        + "); entry '" + key + "' verifies on its own and was read");
            }
            return Optional.of(Secret.ofBytes(plain));
        } finally {
            Crypto.zero(plain);
        }
    }

    @Override
    public void write(String key, Secret value) throws CredentialStoreException {
        checkKey(key);
        Objects.requireNonNull(value, "value");
        byte[] plain = value.bytesCopy();
        try {
            if (plain.length > MAX_VALUE_BYTES) {
                throw new IllegalArgumentException("value longer than " + MAX_VALUE_BYTES + " bytes");
            }
            locked(() -> {
                View v = requireIntact(load());
                byte[][] sealed = Crypto.seal(v.keys().spec(), plain, StoreFormat.entryAad(key));
                List<StoreFormat.Record> records = new ArrayList<>(v.parsed().records());
                StoreFormat.Record record = new StoreFormat.Record(key, sealed[0], sealed[1]);
                boolean replaced = false;
                for (int i = 0; i < records.size(); i++) {
                    if (records.get(i).name().equals(key)) {
                        records.set(i, record);
                        replaced = true;
                    }
                }
                if (!replaced) {
                    records.add(record);
                }
                store(v.keys(), records);
                return null;
            });
        } finally {
            Crypto.zero(plain);
        }
    }

    @Override
    public boolean delete(String key) throws CredentialStoreException {
        checkKey(key);
        return locked(() -> {
            View v = requireIntact(load());
            List<StoreFormat.Record> records = new ArrayList<>(v.parsed().records());
            if (!records.removeIf(r -> r.name().equals(key))) {
                return false;
            }
            store(v.keys(), records);
            return true;
        });
    }

    @Override
    public Set<String> list() throws CredentialStoreException {
        View v = requireIntact(load());
        Set<String> names = new TreeSet<>();
        for (StoreFormat.Record r : v.parsed().records()) {
            names.add(r.name());
        }
        return Collections.unmodifiableSet(names);
    }

    /**
     * Checks the whole file: header, every entry and the file MAC.
     *
     * @throws CredentialStoreException {@link ReasonCode#STORE_TAMPERED} naming every entry that fails
     */
    public void verify() throws CredentialStoreException {
        requireIntact(load());
    }

    /**
     * New data key (and, with a passphrase, a new salt) under the same passphrase, KeyService key or keyring
     * key-encryption key (which is kept).
     */
    public void rotateKey() throws CredentialStoreException {
        rotate(keySource);
    }

    /**
     * Re-encrypts every entry under a new data key protected by {@code newPassphrase} (Argon2id with this store's
     * configured parameters). The store keeps a copy of the passphrase; the caller keeps its own.
     */
    public void rotatePassphrase(Secret newPassphrase) throws CredentialStoreException {
        Secret held = copy(Objects.requireNonNull(newPassphrase, "newPassphrase"));
        try {
            rotate(KeySource.passphrase(() -> copy(held), argon2));
        } catch (RuntimeException e) {
            held.destroy();
            throw e;
        }
        Secret old = heldPassphrase;
        heldPassphrase = held;
        if (old != null) {
            old.destroy();
        }
    }

    /** Re-encrypts every entry under a new data key wrapped by key {@code alias} of {@code keyService}. */
    public void rotateKeyService(KeyService keyService, String alias) throws CredentialStoreException {
        rotate(KeySource.keyService(keyService, alias));
    }

    /**
     * Re-encrypts every entry under a new data key wrapped under the key-encryption key in entry {@code entry} of
     * {@code keyStore} (created there if missing); see {@link Builder#keyStore}. From then on the store opens with
     * that key store only.
     */
    public void rotateKeyStore(CredentialStore keyStore, String entry) throws CredentialStoreException {
        Objects.requireNonNull(keyStore, "keyStore");
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("entry must not be blank");
        }
        rotate(KeySource.keyStore(keyStore, entry));
    }

    /**
     * Decrypts every entry, makes a new data key and header, encrypts every entry again and replaces the file in one
     * atomic rename: a crash leaves the old store or the new one.
     */
    private void rotate(KeySource next) {
        locked(() -> {
            View v = requireIntact(load());
            byte[] dk = Crypto.random(Crypto.KEY);
            List<StoreFormat.Record> out = new ArrayList<>();
            try {
                SecretKeySpec spec = Crypto.aesKey(dk);
                StoreFormat.Header header = next.newHeader(dk, spec, where());
                for (StoreFormat.Record r : v.parsed().records()) {
                    byte[] aad = StoreFormat.entryAad(r.name());
                    byte[] plain;
                    try {
                        plain = Crypto.open(v.keys().spec(), r.nonce(), r.ciphertext(), aad);
                    } catch (Crypto.BadTag e) {
                        throw fail(ReasonCode.STORE_TAMPERED, r.name(), tamperedEntry(r.name()));
                    }
                    try {
                        byte[][] sealed = Crypto.seal(spec, plain, aad);
                        out.add(new StoreFormat.Record(r.name(), sealed[0], sealed[1]));
                    } finally {
                        Crypto.zero(plain);
                    }
                }
                Keys nextKeys = new Keys(header, spec);
                // Under the monitor open() takes: a reader of this instance that already sees the new file waits
                // here for the new key instead of trying the old key source on the new header.
                synchronized (this) {
                    store(nextKeys, out);
                    previousKeys = keys;
                    keys = nextKeys;
                    keySource = next;
                }
            } finally {
                Crypto.zero(dk);
            }
            return null;
        });
    }

    /** Forgets the data key and any passphrase copy. Idempotent; later calls fail with STORE_UNAVAILABLE. */
    @Override
    public void close() {
        closed = true;
        keys = null;
        previousKeys = null;
        Secret held = heldPassphrase;
        heldPassphrase = null;
        if (held != null) {
            held.destroy();
        }
    }

    @Override
    public String toString() {
        return "EncryptedFileStore[id=" + id + ", path=" + file + ", key=" + keySource + (closed ? ", closed" : "")
                + "]";
    }

    // ---- internals ----

    private interface Action<R> {
        R run();
    }

    private <R> R locked(Action<R> action) {
        jvmLock.lock();
        try (FileChannel ch = Files2.openLockFile(lockFile); FileLock lock = ch.lock()) {
            return action.run();
        } catch (java.io.IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "cannot lock " + lockFile + ": "
                    + e.getClass().getSimpleName(), e);
        } finally {
            jvmLock.unlock();
        }
    }

    private void checkPermissions(Path p, boolean directory) {
        try {
            Files2.checkOwnerOnly(p, directory);
        } catch (CredentialStoreException e) {
            throw fail(e.reason(), null, KeySource.message(e));
        }
    }

    /** Reads the file, opens its data key (again only if the header changed) and parses the entries. */
    private View load() {
        if (closed) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "store '" + id + "' is closed");
        }
        checkPermissions(dir, true);
        checkPermissions(file, false);
        for (int attempt = 1; ; attempt++) {
            byte[] bytes = Files2.readOrNull(file);
            if (bytes == null) {
                throw fail(ReasonCode.STORE_UNAVAILABLE, null, where() + " is missing (deleted or moved away)");
            }
            StoreFormat.Header header;
            try {
                header = StoreFormat.parseHeader(bytes);
            } catch (StoreFormat.BadHeader e) {
                throw fail(ReasonCode.STORE_TAMPERED, null, where() + ": header: " + e.getMessage());
            }
            Keys k = keys;
            if (k == null || !Arrays.equals(k.header().bytes(), header.bytes())) {
                try {
                    k = open(header);
                } catch (CredentialStoreException e) {
                    // A reader may have read the file just before a rotation (of this instance or another one)
                    // replaced it, and then holds a header the current key source no longer opens: read it again.
                    if (e.reason() == ReasonCode.STORE_LOCKED && attempt < 5 && headerChanged(header)) {
                        continue;
                    }
                    throw fail(e.reason(), null, KeySource.message(e), e);
                }
            }
            return new View(k, StoreFormat.parseBody(header, bytes));
        }
    }

    private boolean headerChanged(StoreFormat.Header seen) {
        byte[] now = Files2.readOrNull(file);
        try {
            return now != null && !Arrays.equals(StoreFormat.parseHeader(now).bytes(), seen.bytes());
        } catch (StoreFormat.BadHeader e) {
            return false;
        }
    }

    /** The key of {@code header}; failures are thrown as they are, for {@link #load()} to report. */
    private synchronized Keys open(StoreFormat.Header header) {
        Keys k = keys;
        if (k != null && Arrays.equals(k.header().bytes(), header.bytes())) {
            return k;
        }
        Keys before = previousKeys;
        if (before != null && Arrays.equals(before.header().bytes(), header.bytes())) {
            return before;
        }
        byte[] dk = keySource.unwrap(header, where());
        try {
            SecretKeySpec spec = Crypto.aesKey(dk);
            if (!Crypto.verifyMac(spec, header.macNonce(), header.macTag(), header.macAad())) {
                throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, where() + ": header fails"
                        + " authentication (altered, or replaced by another store's header)");
            }
            k = new Keys(header, spec);
        } finally {
            Crypto.zero(dk);
        }
        if (!closed) {
            keys = k;
        }
        return k;
    }

    private static StoreFormat.Record find(View v, String key) {
        StoreFormat.Record found = null;
        for (StoreFormat.Record r : v.parsed().records()) {
            if (r.name().equals(key)) {
                found = r;
            }
        }
        return found;
    }

    /** True if the layout is complete, the file MAC verifies and no name appears twice. */
    private static boolean intact(View v) {
        StoreFormat.Parsed p = v.parsed();
        if (p.problem() != null) {
            return false;
        }
        Set<String> names = new HashSet<>();
        for (StoreFormat.Record r : p.records()) {
            if (!names.add(r.name())) {
                return false;
            }
        }
        return Crypto.verifyMac(v.keys().spec(), p.trailerNonce(), p.trailerTag(),
                Arrays.copyOf(p.all(), p.trailerOffset()));
    }

    private static String problem(View v) {
        StoreFormat.Parsed p = v.parsed();
        if (p.problem() != null) {
            return p.problem();
        }
        Set<String> names = new HashSet<>();
        for (StoreFormat.Record r : p.records()) {
            if (!names.add(r.name())) {
                return "entry '" + r.name() + "' appears twice";
            }
        }
        return "the file MAC does not verify: entries altered, removed, reordered or put back from an older copy";
    }

    /** The view, if the whole file verifies; otherwise STORE_TAMPERED naming every entry that fails. */
    private View requireIntact(View v) {
        if (intact(v)) {
            return v;
        }
        Set<String> damaged = new LinkedHashSet<>();
        for (StoreFormat.Record r : v.parsed().records()) {
            try {
                Crypto.zero(Crypto.open(v.keys().spec(), r.nonce(), r.ciphertext(),
                        StoreFormat.entryAad(r.name())));
            } catch (Crypto.BadTag e) {
                damaged.add(r.name());
            }
        }
        String names = damaged.isEmpty() ? "" : "; entries failing their integrity check: '"
                + String.join("', '", damaged) + "'";
        throw fail(ReasonCode.STORE_TAMPERED, damaged.isEmpty() ? null : String.join(",", damaged),
                where() + " fails its integrity check (" + problem(v) + ")" + names
                        + "; restore it from a trusted copy (changes are refused until then)");
    }

    private void store(Keys k, List<StoreFormat.Record> records) {
        Files2.replaceAtomically(file, StoreFormat.encode(k.header(), records, d -> Crypto.mac(k.spec(), d)));
    }

    private String where() {
        return "store '" + id + "' (" + file + ")";
    }

    private String tamperedEntry(String key) {
        return where() + ": entry '" + key + "' fails its integrity check (altered, damaged, or moved from another"
                + " entry or store)";
    }

    private static void checkKey(String key) {
        if (key == null || key.isEmpty()) {
            throw new IllegalArgumentException("key must not be empty");
        }
        if (key.getBytes(StandardCharsets.UTF_8).length > 0xffff) {
            throw new IllegalArgumentException("key longer than 65535 UTF-8 bytes");
        }
    }

    private CredentialStoreException fail(ReasonCode reason, String key, String message) {
        return fail(reason, key, message, null);
    }

    private CredentialStoreException fail(ReasonCode reason, String key, String message, Throwable cause) {
        emitFailure(reason, key, message);
        return cause == null ? new CredentialStoreException(reason, message)
                : new CredentialStoreException(reason, message, cause);
    }

    private void emitFailure(ReasonCode reason, String key, String message) {
        if (events == null) {
            return;
        }
        SecurityEvent.Builder e = SecurityEvent.of(SecurityEventType.STORE_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.store.file").detail("store", id).detail("path", file.toString())
                .detail("reason", reason.code()).detail("error", message);
        if (key != null) {
            e.detail("key", key);
        }
        try {
            events.emit(e.build());
        } catch (RuntimeException ignored) {
            // an event sink's failure must not replace the store's own
        }
    }
}
