package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.open;
import static dev.stdb.secure.store.file.Stores.secret;
import static dev.stdb.secure.store.file.Stores.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.store.file.internal.StoreFormat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PermissionsRotationAndPlaintextTest {

    @TempDir
    Path tmp;

    // ---- permissions ----

    @Test
    void aGroupReadableStoreFileIsRefusedNamingPathAndMode() throws Exception {
        Path dir = tmp.resolve("s");
        open(dir).close();
        Path file = dir.resolve(EncryptedFileStore.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> open(dir));
        assertEquals(ReasonCode.STORE_PERMISSIONS, e.reason());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("0644"), e.getMessage());
    }

    @Test
    void permissionsAreCheckedOnEveryOperationNotOnlyAtOpen() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore s = open(dir)) {
            s.write("k", secret("v"));
            Files.setPosixFilePermissions(dir.resolve(EncryptedFileStore.FILE_NAME),
                    PosixFilePermissions.fromString("rw----r--"));
            CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> s.read("k"));
            assertEquals(ReasonCode.STORE_PERMISSIONS, e.reason());
            assertTrue(e.getMessage().contains("0604"), e.getMessage());
        }
    }

    @Test
    void aWorldReadableDirectoryIsRefused() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> open(dir));
        assertEquals(ReasonCode.STORE_PERMISSIONS, e.reason());
        assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("0755")
                && e.getMessage().contains("chmod 700"), e.getMessage());
        assertFalse(Files.exists(dir.resolve(EncryptedFileStore.FILE_NAME)), "nothing is written into it");
    }

    @Test
    void aGroupReadableLockFileIsRefused() throws Exception {
        Path dir = tmp.resolve("s");
        open(dir).close();
        Files.setPosixFilePermissions(dir.resolve(EncryptedFileStore.LOCK_NAME),
                PosixFilePermissions.fromString("rw-rw----"));
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> open(dir));
        assertEquals(ReasonCode.STORE_PERMISSIONS, e.reason());
        assertTrue(e.getMessage().contains("0660"), e.getMessage());
    }

    // ---- rotation ----

    @Test
    void passphraseRotationReEncryptsEveryEntry() throws Exception {
        Path dir = tmp.resolve("s");
        Path file = dir.resolve(EncryptedFileStore.FILE_NAME);
        try (EncryptedFileStore s = open(dir)) {
            for (int i = 0; i < 10; i++) {
                s.write("k" + i, secret("v" + i));
            }
            byte[] before = Files.readAllBytes(file);
            s.rotatePassphrase(secret("the new passphrase"));
            byte[] after = Files.readAllBytes(file);
            StoreFormat.Parsed b = StoreFormat.parseBody(StoreFormat.parseHeader(before), before);
            StoreFormat.Parsed a = StoreFormat.parseBody(StoreFormat.parseHeader(after), after);
            for (int i = 0; i < 10; i++) {
                assertEquals(-1, TamperTest.indexOf(after, b.records().get(i).ciphertext()),
                        "entry " + i + " was re-encrypted");
                assertNotEquals(0, a.records().get(i).ciphertext().length);
            }
            assertEquals("v3", text(s.read("k3").orElseThrow()));
        }
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> open(dir));
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        try (EncryptedFileStore s = open(dir, "the new passphrase")) {
            for (int i = 0; i < 10; i++) {
                assertEquals("v" + i, text(s.read("k" + i).orElseThrow()));
            }
            s.verify();
        }
    }

    @Test
    void keyRotationAndMovesBetweenPassphraseAndKeyService() {
        Path dir = tmp.resolve("s");
        AesKeyService hsm = new AesKeyService("hsm", "wrap-1", "wrap-2");
        try (EncryptedFileStore s = open(dir)) {
            s.write("k", secret("v"));
            s.rotateKey();
            assertEquals("v", text(s.read("k").orElseThrow()));
            s.rotateKeyService(hsm, "wrap-1");
            s.write("k2", secret("v2"));
        }
        try (EncryptedFileStore s = EncryptedFileStore.builder(dir).keyService(hsm, "wrap-1").open()) {
            assertEquals("v", text(s.read("k").orElseThrow()));
            s.rotateKeyService(hsm, "wrap-2");
        }
        // the header names the wrapping key, so a store configured with wrap-1 follows the rotation to wrap-2
        try (EncryptedFileStore s = EncryptedFileStore.builder(dir).keyService(hsm, "wrap-1").open()) {
            assertEquals("v2", text(s.read("k2").orElseThrow()));
            s.rotatePassphrase(secret("back to a passphrase"));
        }
        try (EncryptedFileStore s = open(dir, "back to a passphrase")) {
            assertEquals("v", text(s.read("k").orElseThrow()));
            assertEquals("v2", text(s.read("k2").orElseThrow()));
        }
    }

    @Test
    void anotherInstanceFollowsAKeyRotationAndIsLockedOutByAPassphraseRotation() {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore one = open(dir); EncryptedFileStore two = open(dir)) {
            one.write("k", secret("v"));
            one.rotateKey();
            assertEquals("v", text(two.read("k").orElseThrow()), "same passphrase, new salt and data key");
            two.write("k", secret("w"));
            one.rotatePassphrase(secret("new"));
            CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> two.read("k"));
            assertEquals(ReasonCode.STORE_LOCKED, e.reason());
            assertEquals("w", text(one.read("k").orElseThrow()));
        }
    }

    @Test
    void aStaleTempFileFromAKilledWriterIsRemovedAndIgnored() throws Exception {
        Path dir = tmp.resolve("s");
        open(dir).close();
        Path stale = dir.resolve(EncryptedFileStore.FILE_NAME + ".tmp-deadbeef");
        Files.write(stale, new byte[] {1, 2, 3});
        try (EncryptedFileStore s = open(dir)) {
            s.write("k", secret("v"));
        }
        assertFalse(Files.exists(stale));
    }

    // ---- never plaintext ----

    @Test
    void noMarkerValueReachesTheDisk() throws Exception {
        Path dir = tmp.resolve("s");
        String pass = "Passphrase-Marker-9d2e7c";
        List<String> markers = new ArrayList<>();
        try (EncryptedFileStore s = Stores.fast(dir).passphrase(secret(pass)).open()) {
            for (int i = 0; i < 5; i++) {
                String m = "Secret-Marker-" + i + "-7f3a9c41be";
                markers.add(m);
                s.write("entry-" + i, secret(m));
            }
            byte[] bin = "Binary-Marker-0x5eed".getBytes(StandardCharsets.UTF_8);
            markers.add("Binary-Marker-0x5eed");
            s.write("bin", Secret.ofBytes(bin));
            s.write("entry-0", secret(markers.get(0))); // overwrite
            s.delete("entry-1");
            s.rotateKey();
            s.rotatePassphrase(secret(pass + "-2"));
            markers.add(pass);
            markers.add(pass + "-2");
            s.write("late", secret(markers.get(2)));
        }
        List<byte[]> needles = new ArrayList<>();
        for (String m : markers) {
            byte[] utf8 = m.getBytes(StandardCharsets.UTF_8);
            needles.add(utf8);
            needles.add(m.getBytes(StandardCharsets.UTF_16LE));
            needles.add(m.getBytes(StandardCharsets.UTF_16BE));
            needles.add(Base64.getEncoder().withoutPadding().encode(utf8));
            needles.add(Base64.getUrlEncoder().withoutPadding().encode(utf8));
            needles.add(HexFormat.of().formatHex(utf8).getBytes(StandardCharsets.US_ASCII));
            needles.add(HexFormat.of().withUpperCase().formatHex(utf8).getBytes(StandardCharsets.US_ASCII));
            // the marker's distinctive tail alone, in case a prefix got split
            needles.add(m.substring(m.length() - 8).getBytes(StandardCharsets.UTF_8));
        }
        int files = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.filter(Files::isRegularFile)::iterator) {
                files++;
                byte[] content = Files.readAllBytes(p);
                for (byte[] n : needles) {
                    assertEquals(-1, TamperTest.indexOf(content, n),
                            p.getFileName() + " contains " + new String(n, StandardCharsets.ISO_8859_1));
                }
            }
        }
        assertEquals(2, files, "the store file and the lock file");
    }
}
