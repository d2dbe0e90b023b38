package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.open;
import static dev.stdb.secure.store.file.Stores.secret;
import static dev.stdb.secure.store.file.Stores.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.store.file.internal.StoreFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every kind of damage is detected, reported with what it hit, and never costs the entries it did not hit. */
class TamperTest {

    @TempDir
    Path tmp;
    Path dir;
    Path file;

    @BeforeEach
    void threeEntries() {
        dir = tmp.resolve("store");
        file = dir.resolve(EncryptedFileStore.FILE_NAME);
        try (EncryptedFileStore s = open(dir)) {
            s.write("a", secret("value-one"));
            s.write("b", secret("value-two"));
            s.write("c", secret("value-three"));
        }
    }

    private byte[] bytes() throws Exception {
        return Files.readAllBytes(file);
    }

    private void put(byte[] b) throws Exception {
        Files.write(file, b);
    }

    private StoreFormat.Record record(byte[] file, String name) throws Exception {
        StoreFormat.Parsed p = StoreFormat.parseBody(StoreFormat.parseHeader(file), file);
        return p.records().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow();
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static CredentialStoreException refused(ReasonCode reason, Executable call, String... mentions) {
        CredentialStoreException e = assertThrows(CredentialStoreException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().startsWith("[" + reason.code() + "] ")
                && !e.getMessage().substring(1).contains("[store."), "one reason prefix: " + e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "'" + m + "' not in: " + e.getMessage());
        }
        return e;
    }

    @Test
    void flippedByteOfOneEntryIsNamedAndTheOthersStillRead() throws Exception {
        byte[] b = bytes();
        StoreFormat.Record a = record(b, "a");
        b[indexOf(b, a.ciphertext()) + 3] ^= 0x01;
        put(b);
        List<SecurityEvent> events = new ArrayList<>();
        try (EncryptedFileStore s = Stores.fast(dir).passphrase(secret(Stores.PASS)).events(events::add).open()) {
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("a"), "entry 'a'", "integrity");
            assertEquals("value-two", text(s.read("b").orElseThrow()));
            assertEquals("value-three", text(s.read("c").orElseThrow()));
            refused(ReasonCode.STORE_TAMPERED, s::list, "'a'");
            refused(ReasonCode.STORE_TAMPERED, () -> s.write("d", secret("x")), "'a'", "refused");
            refused(ReasonCode.STORE_TAMPERED, () -> s.delete("b"), "'a'");
            refused(ReasonCode.STORE_TAMPERED, s::rotateKey, "'a'");
            refused(ReasonCode.STORE_TAMPERED, s::verify, "'a'");
        }
        assertArrayEquals(b, bytes(), "nothing was rewritten: no entry was dropped");
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.STORE_FAILURE
                && "a".equals(e.details().get("key")) && ReasonCode.STORE_TAMPERED.code().equals(e.details().get("reason"))),
                events.toString());
    }

    @Test
    void swappedCiphertextsBetweenNamesAreBothDetected() throws Exception {
        byte[] b = bytes();
        StoreFormat.Record a = record(b, "a");
        StoreFormat.Record bb = record(b, "b");
        assertEquals(a.ciphertext().length, bb.ciphertext().length);
        int ia = indexOf(b, a.nonce());
        int ib = indexOf(b, bb.nonce());
        int len = StoreFormat.NONCE + 4 + a.ciphertext().length;
        byte[] blockA = Arrays.copyOfRange(b, ia, ia + len);
        System.arraycopy(b, ib, b, ia, len);
        System.arraycopy(blockA, 0, b, ib, len);
        put(b);
        try (EncryptedFileStore s = open(dir)) {
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("a"), "entry 'a'");
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("b"), "entry 'b'");
            assertEquals("value-three", text(s.read("c").orElseThrow()));
            refused(ReasonCode.STORE_TAMPERED, s::verify, "'a', 'b'");
        }
    }

    @Test
    void truncationInsideTheLastEntryIsNamed() throws Exception {
        byte[] b = bytes();
        put(Arrays.copyOf(b, b.length - StoreFormat.NONCE - StoreFormat.TAG - 5));
        try (EncryptedFileStore s = open(dir)) {
            assertEquals("value-one", text(s.read("a").orElseThrow()));
            assertEquals("value-two", text(s.read("b").orElseThrow()));
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("c"), "entry 'c'", "truncated");
            refused(ReasonCode.STORE_TAMPERED, s::list, "truncated in entry 3 of 3 ('c')");
            refused(ReasonCode.STORE_TAMPERED, () -> s.write("a", secret("x")), "truncated");
        }
    }

    @Test
    void truncationAtAnEntryBoundaryAndLossOfTheTrailerAreDetected() throws Exception {
        byte[] b = bytes();
        put(Arrays.copyOf(b, b.length - StoreFormat.NONCE - StoreFormat.TAG));
        try (EncryptedFileStore s = open(dir)) {
            assertEquals("value-three", text(s.read("c").orElseThrow()));
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("never-written"), "trailer missing", "may have been removed");
            refused(ReasonCode.STORE_TAMPERED, s::verify, "trailer missing");
        }
    }

    @Test
    void anEntryRemovedWithItsCountFixedIsDetected() throws Exception {
        byte[] b = bytes();
        StoreFormat.Header h = StoreFormat.parseHeader(b);
        StoreFormat.Parsed p = StoreFormat.parseBody(h, b);
        // rebuild the file without c, keeping the old trailer (the attacker has no key to make a new one)
        byte[] shorter = StoreFormat.encode(h, p.records().subList(0, 2), d -> new byte[][] {p.trailerNonce(), p.trailerTag()});
        put(shorter);
        try (EncryptedFileStore s = open(dir)) {
            assertEquals("value-one", text(s.read("a").orElseThrow()));
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("c"), "file MAC does not verify", "'c'");
            refused(ReasonCode.STORE_TAMPERED, s::list, "file MAC");
        }
    }

    @Test
    void truncationIntoTheHeaderIsTamperingNotAWrongPassphrase() throws Exception {
        put(Arrays.copyOf(bytes(), 30));
        refused(ReasonCode.STORE_TAMPERED, () -> open(dir), "header", "truncated");
        put(new byte[0]);
        refused(ReasonCode.STORE_TAMPERED, () -> open(dir), "header");
    }

    @Test
    void aFlippedHeaderByteIsTampering() throws Exception {
        byte[] b = bytes();
        b[StoreFormat.MAGIC.length + 2 + 12 + 1 + 4] ^= 0x40; // inside the salt
        put(b);
        refused(ReasonCode.STORE_TAMPERED, () -> open(dir), "header", "checksum");
    }

    @Test
    void anotherStoresHeaderWithTheSamePassphraseFailsEveryEntryByName() throws Exception {
        Path other = tmp.resolve("other");
        try (EncryptedFileStore s = open(other)) {
            s.write("z", secret("zzz"));
        }
        byte[] mine = bytes();
        byte[] theirs = Files.readAllBytes(other.resolve(EncryptedFileStore.FILE_NAME));
        int myHeader = StoreFormat.parseHeader(mine).bytes().length;
        int theirHeader = StoreFormat.parseHeader(theirs).bytes().length;
        byte[] spliced = new byte[theirHeader + mine.length - myHeader];
        System.arraycopy(theirs, 0, spliced, 0, theirHeader);
        System.arraycopy(mine, myHeader, spliced, theirHeader, mine.length - myHeader);
        put(spliced);
        try (EncryptedFileStore s = open(dir)) {
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("a"), "entry 'a'");
            refused(ReasonCode.STORE_TAMPERED, () -> s.read("c"), "entry 'c'");
            refused(ReasonCode.STORE_TAMPERED, s::verify, "'a', 'b', 'c'");
        }
    }

    @Test
    void anotherStoresHeaderWithAnotherPassphraseIsAWrongKey() throws Exception {
        Path other = tmp.resolve("other");
        open(other, "another passphrase").close();
        byte[] mine = bytes();
        byte[] theirs = Files.readAllBytes(other.resolve(EncryptedFileStore.FILE_NAME));
        int myHeader = StoreFormat.parseHeader(mine).bytes().length;
        byte[] spliced = Arrays.copyOf(theirs, theirs.length - 4 - StoreFormat.NONCE - StoreFormat.TAG
                + mine.length - myHeader);
        System.arraycopy(mine, myHeader, spliced, theirs.length - 4 - StoreFormat.NONCE - StoreFormat.TAG,
                mine.length - myHeader);
        put(spliced);
        refused(ReasonCode.STORE_LOCKED, () -> open(dir), "wrong passphrase or key");
    }

    @Test
    void wrongPassphraseIsLockedNotTampered() {
        CredentialStoreException e = refused(ReasonCode.STORE_LOCKED, () -> open(dir, "not the passphrase"),
                "wrong passphrase or key", dir.toString());
        assertTrue(!e.getMessage().contains("not the passphrase"), e.getMessage());
    }

    @Test
    void wrongKeyServiceKeyIsLocked() {
        Path ksDir = tmp.resolve("hsm");
        AesKeyService hsm = new AesKeyService("hsm", "wrap-1");
        try (EncryptedFileStore s = EncryptedFileStore.builder(ksDir).keyService(hsm, "wrap-1").open()) {
            s.write("k", secret("v"));
        }
        AesKeyService otherHsm = new AesKeyService("hsm", "wrap-1");
        refused(ReasonCode.STORE_LOCKED, () -> EncryptedFileStore.builder(ksDir).keyService(otherHsm, "wrap-1").open(),
                "wrong passphrase or key", "wrap-1");
        refused(ReasonCode.STORE_LOCKED, () -> open(ksDir), "wrong passphrase or key", "KeyService");
        AesKeyService noSuchKey = new AesKeyService("hsm", "other");
        refused(ReasonCode.KEY_UNAVAILABLE, () -> EncryptedFileStore.builder(ksDir).keyService(noSuchKey, "wrap-1").open(),
                "wrap-1");
        try (EncryptedFileStore s = EncryptedFileStore.builder(ksDir).keyService(hsm, "wrap-1").open()) {
            assertEquals("v", text(s.read("k").orElseThrow()));
        }
    }

    @Test
    void anOlderCopyOfOneEntryPutBackIsDetectedByTheFileMac() throws Exception {
        byte[] before = bytes();
        StoreFormat.Record oldA = record(before, "a");
        try (EncryptedFileStore s = open(dir)) {
            s.write("a", secret("value-new"));
        }
        byte[] after = bytes();
        StoreFormat.Record newA = record(after, "a");
        assertEquals(oldA.ciphertext().length, newA.ciphertext().length);
        int i = indexOf(after, newA.nonce());
        System.arraycopy(oldA.nonce(), 0, after, i, StoreFormat.NONCE);
        System.arraycopy(oldA.ciphertext(), 0, after, i + StoreFormat.NONCE + 4, oldA.ciphertext().length);
        put(after);
        List<SecurityEvent> events = new ArrayList<>();
        try (EncryptedFileStore s = Stores.fast(dir).passphrase(secret(Stores.PASS)).events(events::add).open()) {
            s.read("a").orElseThrow().destroy(); // verifies on its own: served, but reported
            assertTrue(events.stream().anyMatch(e -> "a".equals(e.details().get("key"))), events.toString());
            refused(ReasonCode.STORE_TAMPERED, s::verify, "file MAC");
            refused(ReasonCode.STORE_TAMPERED, () -> s.write("b", secret("x")), "file MAC");
        }
    }
}
