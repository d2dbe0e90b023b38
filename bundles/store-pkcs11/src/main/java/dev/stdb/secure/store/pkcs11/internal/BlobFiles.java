package dev.stdb.secure.store.pkcs11.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The files that hold wrapped credentials: one file per entry in the data directory (0700), named by the SHA-256 of
 * the entry name, owner-only (0600), replaced atomically (temporary file, fsync, rename, fsync of the directory).
 *
 * <p>File layout: {@code "STP1"} | name length (2 bytes, big endian) | name (UTF-8) | nonce (12 bytes) | AES-GCM
 * ciphertext with its 16-byte tag. Everything before the nonce is the header, and the header is the GCM associated
 * data, so a file renamed to another entry, or an entry name edited in place, fails the tag check. Names are not
 * secret (they appear in logs and events, see {@code CredentialStore}); values never appear outside the ciphertext.
 */
public final class BlobFiles {

    static final byte[] MAGIC = {'S', 'T', 'P', '1'};
    public static final int NONCE_BYTES = 12;
    static final String SUFFIX = ".p11blob";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");

    private final Path dir;
    private final String storeId;

    public BlobFiles(Path dir, String storeId) {
        this.dir = dir;
        this.storeId = storeId;
    }

    public Path dir() {
        return dir;
    }

    /** A parsed file: the header (the AAD), the entry name, the nonce and the ciphertext with its tag. */
    public record Blob(byte[] header, String name, byte[] nonce, byte[] ciphertext) {
    }

    /** The header of {@code name}: magic, length, name. */
    public static byte[] header(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        if (n.length > 0xffff) {
            throw new IllegalArgumentException("entry name longer than 65535 bytes");
        }
        ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + n.length);
        b.put(MAGIC).putShort((short) n.length).put(n);
        return b.array();
    }

    public Path fileOf(String name) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            StringBuilder sb = new StringBuilder();
            for (byte x : d) {
                sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
            }
            return dir.resolve(sb + SUFFIX);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** Creates the directory owner-only if needed; refuses one others can read or write. */
    public void ensureDir() throws CredentialStoreException {
        try {
            if (!Files.isDirectory(dir)) {
                if (POSIX) {
                    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (POSIX) {
                Set<PosixFilePermission> p = Files.getPosixFilePermissions(dir);
                if (!Collections2.ownerOnly(p)) {
                    throw new CredentialStoreException(ReasonCode.STORE_PERMISSIONS, "PKCS#11 store '" + storeId
                            + "': data directory " + dir + " is accessible by group or others ("
                            + PosixFilePermissions.toString(p) + "); chmod 700 it");
                }
            }
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot create data directory " + dir + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** Writes {@code header | nonce | ciphertext} for {@code name} atomically, owner-only. */
    public void write(String name, byte[] header, byte[] nonce, byte[] ciphertext) throws CredentialStoreException {
        ensureDir();
        Path target = fileOf(name);
        Path tmp = null;
        try {
            tmp = POSIX ? Files.createTempFile(dir, ".tmp-", SUFFIX, PosixFilePermissions.asFileAttribute(FILE))
                    : Files.createTempFile(dir, ".tmp-", SUFFIX);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer all = ByteBuffer.allocate(header.length + nonce.length + ciphertext.length);
                all.put(header).put(nonce).put(ciphertext).flip();
                while (all.hasRemaining()) {
                    ch.write(all);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
            syncDir();
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot write entry '" + name + "' to " + dir + " (" + e.getClass().getSimpleName() + ")", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temporary file holds ciphertext only
                }
            }
        }
    }

    /** The parsed file of {@code name}, or empty if there is none. */
    public Optional<Blob> read(String name) throws CredentialStoreException {
        Path file = fileOf(name);
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot read entry '" + name + "' (" + e.getClass().getSimpleName() + ")", e);
        }
        Blob blob = parse(all, file, true);
        if (!blob.name().equals(name)) {
            throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, "PKCS#11 store '" + storeId + "': entry '"
                    + name + "' is stored in a file that names another entry; it failed its integrity check");
        }
        return Optional.of(blob);
    }

    public boolean delete(String name) throws CredentialStoreException {
        try {
            boolean removed = Files.deleteIfExists(fileOf(name));
            if (removed) {
                syncDir();
            }
            return removed;
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot delete entry '" + name + "' (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** The entry names of every file, read from their headers (nothing is decrypted). */
    public Set<String> names() throws CredentialStoreException {
        Set<String> out = new TreeSet<>();
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "[0-9a-f]*" + SUFFIX)) {
            for (Path f : files) {
                byte[] all;
                try {
                    all = Files.readAllBytes(f);
                } catch (NoSuchFileException gone) {
                    continue;
                }
                out.add(parse(all, f, false).name());
            }
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "PKCS#11 store '" + storeId
                    + "': cannot list " + dir + " (" + e.getClass().getSimpleName() + ")", e);
        }
        return Set.copyOf(out);
    }

    private Blob parse(byte[] all, Path file, boolean needBody) throws CredentialStoreException {
        if (all.length < MAGIC.length + 2 || !Arrays.equals(Arrays.copyOf(all, MAGIC.length), MAGIC)) {
            throw tampered(file);
        }
        int n = ((all[4] & 0xff) << 8) | (all[5] & 0xff);
        int headerLength = MAGIC.length + 2 + n;
        if (all.length < headerLength + (needBody ? NONCE_BYTES + 16 : 0)) {
            throw tampered(file);
        }
        String name = new String(all, 6, n, StandardCharsets.UTF_8);
        if (!needBody) {
            return new Blob(null, name, null, null);
        }
        return new Blob(Arrays.copyOf(all, headerLength), name,
                Arrays.copyOfRange(all, headerLength, headerLength + NONCE_BYTES),
                Arrays.copyOfRange(all, headerLength + NONCE_BYTES, all.length));
    }

    private CredentialStoreException tampered(Path file) {
        return new CredentialStoreException(ReasonCode.STORE_TAMPERED, "PKCS#11 store '" + storeId + "': "
                + file.getFileName() + " in " + dir + " is not a well-formed entry file; it failed its integrity check");
    }

    private void syncDir() {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // directories cannot be opened for sync on every platform; the rename itself is atomic
        }
    }

    /** Permission helpers. */
    static final class Collections2 {
        private Collections2() {
        }

        static boolean ownerOnly(Set<PosixFilePermission> p) {
            Set<PosixFilePermission> others = EnumSet.of(PosixFilePermission.GROUP_READ,
                    PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE,
                    PosixFilePermission.OTHERS_EXECUTE);
            others.retainAll(p);
            return others.isEmpty();
        }
    }

    /** True if {@code file} can be read or written by group or others (POSIX only; false elsewhere). */
    public static boolean notOwnerOnly(Path file) throws IOException {
        return POSIX && !Collections2.ownerOnly(Files.getPosixFilePermissions(file));
    }
}
