package dev.stdb.secure.store.file.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * Owner-only files and directories, atomic replacement and the directory fsync. Every failure is a
 * {@link CredentialStoreException} naming the path; none carries file content.
 */
public final class Files2 {

    public static final String TEMP_INFIX = ".tmp-";
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    private Files2() {
    }

    public static boolean posix(Path p) {
        return p.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** {@code 0600}-style octal of a permission set. */
    public static String octal(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }

    /** Creates {@code dir} (and parents) owner-only if missing. */
    public static void createDirectory(Path dir) throws CredentialStoreException {
        if (Files.isDirectory(dir)) {
            return;
        }
        try {
            if (posix(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
                // the umask may have removed bits, never added any; set exactly
                Files.setPosixFilePermissions(dir, DIR_MODE);
            } else {
                Files.createDirectories(dir);
            }
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "cannot create store directory " + dir + ": " + describe(e), e);
        }
    }

    /**
     * Refuses a file or directory that others may read, write or enter, with {@link ReasonCode#STORE_PERMISSIONS}
     * naming the path and the mode. Skipped (by the caller's choice) on file systems without POSIX permissions.
     */
    public static void checkOwnerOnly(Path p, boolean directory) throws CredentialStoreException {
        if (!posix(p)) {
            return;
        }
        Set<PosixFilePermission> perms;
        try {
            if (Files.isSymbolicLink(p)) {
                throw new CredentialStoreException(ReasonCode.STORE_PERMISSIONS, (directory ? "store directory "
                        : "store file ") + p + " is a symbolic link; refusing to follow it");
            }
            perms = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "cannot read the permissions of " + p + ": " + describe(e), e);
        }
        for (PosixFilePermission perm : perms) {
            if (OTHERS.contains(perm)) {
                throw new CredentialStoreException(ReasonCode.STORE_PERMISSIONS, (directory ? "store directory "
                        : "store file ") + p + " has mode " + octal(perms) + "; it must be accessible to its owner only"
                        + " (chmod " + (directory ? "700" : "600") + " " + p + ")");
            }
        }
    }

    /** Opens (creating owner-only) the lock file. */
    public static FileChannel openLockFile(Path lock) throws CredentialStoreException {
        try {
            if (posix(lock)) {
                return FileChannel.open(lock, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(FILE_MODE));
            }
            return FileChannel.open(lock, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "cannot open lock file " + lock + ": " + describe(e), e);
        }
    }

    /** The file's bytes, or null if it does not exist. */
    public static byte[] readOrNull(Path file) throws CredentialStoreException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "cannot read store file " + file + ": " + describe(e), e);
        }
    }

    /**
     * Replaces {@code target} with {@code data}: an owner-only temp file in the same directory, written and forced to
     * disk, renamed over the target atomically, then the directory forced so the rename itself is durable. A crash
     * at any point leaves the old file or the new one.
     */
    public static void replaceAtomically(Path target, byte[] data) throws CredentialStoreException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = dir.resolve(target.getFileName() + TEMP_INFIX + HexId.next());
        try {
            FileAttribute<?>[] attrs = posix(dir)
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(FILE_MODE)}
                    : new FileAttribute<?>[0];
            try (FileChannel ch = FileChannel.open(temp,
                    Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), attrs)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            forceDirectory(dir);
        } catch (AtomicMoveNotSupportedException e) {
            deleteQuietly(temp);
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "the file system of " + dir + " cannot rename atomically; choose another store path", e);
        } catch (IOException e) {
            deleteQuietly(temp);
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                    "cannot write store file " + target + ": " + describe(e), e);
        }
    }

    /** Forces a directory's entries to disk (Linux and macOS; other systems refuse to open a directory: ignored). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // Windows cannot open a directory as a channel; NTFS journals the rename itself.
        }
    }

    /** Deletes temp files a writer killed mid-write left behind; the caller holds the store lock. */
    public static void deleteStaleTemps(Path target) {
        Path dir = target.toAbsolutePath().getParent();
        String prefix = target.getFileName() + TEMP_INFIX;
        try (DirectoryStream<Path> temps = Files.newDirectoryStream(dir, prefix + "*")) {
            for (Path t : temps) {
                deleteQuietly(t);
            }
        } catch (IOException e) {
            // best effort: a stale temp file holds ciphertext only
        }
    }

    static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort
        }
    }

    static String describe(IOException e) {
        if (e instanceof FileSystemException) {
            FileSystemException f = (FileSystemException) e;
            return e.getClass().getSimpleName() + (f.getReason() == null ? "" : " (" + f.getReason() + ")");
        }
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
    }

    /** Random names for temp files. */
    static final class HexId {
        private HexId() {
        }

        static String next() {
            StringBuilder sb = new StringBuilder();
            for (byte b : Crypto.random(8)) {
                sb.append(String.format("%02x", b & 0xff));
            }
            return sb.toString();
        }
    }
}
