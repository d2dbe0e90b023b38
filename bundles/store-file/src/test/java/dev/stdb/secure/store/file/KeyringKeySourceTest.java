package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.PASS;
import static dev.stdb.secure.store.file.Stores.fast;
import static dev.stdb.secure.store.file.Stores.secret;
import static dev.stdb.secure.store.file.Stores.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** key.source=keyring against the real (private) gnome-keyring on its own D-Bus session. */
@ExtendWith(PrivateKeyring.class)
class KeyringKeySourceTest {

    @TempDir
    Path tmp;

    private KeyringCredentialStore keyring;
    private String entry;

    @BeforeEach
    void keyring(TestInfo info) {
        keyring = KeyringCredentialStore.builder("file-kek-test").build();
        entry = "kek/" + info.getTestMethod().orElseThrow().getName();
        keyring.delete(entry);
    }

    @AfterEach
    void close() {
        keyring.close();
    }

    private EncryptedFileStore openWithKeyring(Path dir) {
        return fast(dir).keyStore(keyring, entry).open();
    }

    @Test
    void roundTripAndReopenWithTheKeyInTheKeyring() {
        Path dir = tmp.resolve("s");
        assertFalse(keyring.read(entry).isPresent());
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            store.write("oauth2/refresh", secret("refresh-token-value"));
            assertTrue(store.toString().contains(entry), store.toString());
        }
        assertTrue(keyring.list().contains(entry), "the key-encryption key is created in the keyring on first open");
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            assertEquals("refresh-token-value", text(store.read("oauth2/refresh").orElseThrow()));
            store.rotateKey(); // new data key, same key-encryption key
            assertEquals("refresh-token-value", text(store.read("oauth2/refresh").orElseThrow()));
        }
        try (KeyringCredentialStore again = KeyringCredentialStore.builder("file-kek-test").build();
                EncryptedFileStore store = fast(dir).keyStore(again, entry).open()) {
            assertEquals("refresh-token-value", text(store.read("oauth2/refresh").orElseThrow()));
        }
    }

    @Test
    void rotatesFromPassphraseToKeyringAndBack() {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore store = fast(dir).passphrase(secret(PASS)).open()) {
            store.write("a", secret("alpha"));
            store.rotateKeyStore(keyring, entry);
            assertEquals("alpha", text(store.read("a").orElseThrow()));
            store.write("b", secret("beta"));
        }
        CredentialStoreException wrong = assertThrows(CredentialStoreException.class,
                () -> fast(dir).passphrase(secret(PASS)).open());
        assertEquals(ReasonCode.STORE_LOCKED, wrong.reason());
        assertTrue(wrong.getMessage().contains("keyring entry '" + entry + "'"), wrong.getMessage());
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            assertEquals("alpha", text(store.read("a").orElseThrow()));
            assertEquals("beta", text(store.read("b").orElseThrow()));
            store.rotatePassphrase(secret("a new passphrase"));
            assertEquals("beta", text(store.read("b").orElseThrow()));
        }
        CredentialStoreException notKeyring = assertThrows(CredentialStoreException.class,
                () -> openWithKeyring(dir));
        assertEquals(ReasonCode.STORE_LOCKED, notKeyring.reason());
        try (EncryptedFileStore store = fast(dir).passphrase(secret("a new passphrase")).open()) {
            assertEquals("alpha", text(store.read("a").orElseThrow()));
            assertEquals("beta", text(store.read("b").orElseThrow()));
        }
    }

    @Test
    void aStoreMadeWithOneSourceNamesItWhenOpenedWithAnother() {
        Path byPassphrase = tmp.resolve("p");
        Path byKeyring = tmp.resolve("k");
        Stores.open(byPassphrase).close();
        openWithKeyring(byKeyring).close();

        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> openWithKeyring(byPassphrase));
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertTrue(e.getMessage().contains("protected by a passphrase, but a keyring"), e.getMessage());
        assertTrue(e.getMessage().contains(byPassphrase.resolve(EncryptedFileStore.FILE_NAME).toString()),
                e.getMessage());

        e = assertThrows(CredentialStoreException.class, () -> Stores.open(byKeyring));
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertTrue(e.getMessage().contains("wrapped under the key-encryption key in keyring entry '" + entry
                + "', but a passphrase was given"), e.getMessage());

        e = assertThrows(CredentialStoreException.class,
                () -> fast(byKeyring).keyService(new AesKeyService("hsm", "wrap"), "wrap").open());
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertTrue(e.getMessage().contains("but a KeyService was given"), e.getMessage());

        e = assertThrows(CredentialStoreException.class,
                () -> fast(byKeyring).keyStore(keyring, entry + "-other").open());
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertTrue(e.getMessage().contains("keyring entry '" + entry + "', but entry '" + entry + "-other'"),
                e.getMessage());
    }

    @Test
    void aDeletedKeyringEntryIsATypedErrorNamingTheEntry() {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            store.write("k", secret("v"));
        }
        assertTrue(keyring.delete(entry));
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> openWithKeyring(dir));
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertTrue(e.getMessage().contains("keyring entry '" + entry + "' of store 'file-kek-test' does not exist"),
                e.getMessage());
        assertTrue(e.getMessage().contains(dir.resolve(EncryptedFileStore.FILE_NAME).toString()), e.getMessage());
        // the file is untouched: no new key is made for an existing store
        assertFalse(keyring.read(entry).isPresent(), "opening never creates a key for an existing store");
    }

    @Test
    void aLockedKeyringIsStoreLockedAndNothingFallsBackToPlaintext() throws Exception {
        Path dir = tmp.resolve("s");
        Path fresh = tmp.resolve("fresh");
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            store.write("k", secret("never-in-plaintext-4711"));
        }
        PrivateKeyring k = PrivateKeyring.get();
        try {
            k.lockAll();
            CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> openWithKeyring(dir));
            assertEquals(ReasonCode.STORE_LOCKED, e.reason());
            assertTrue(e.getMessage().contains(dir.resolve(EncryptedFileStore.FILE_NAME).toString()),
                    e.getMessage());
            assertTrue(e.getMessage().contains("keyring entry '" + entry + "'") && e.getMessage().contains("locked"),
                    e.getMessage());
            // a new store is not created without its key either
            e = assertThrows(CredentialStoreException.class, () -> openWithKeyring(fresh));
            assertEquals(ReasonCode.STORE_LOCKED, e.reason());
            assertFalse(Files.exists(fresh.resolve(EncryptedFileStore.FILE_NAME)));
        } finally {
            k.restartKeyring();
        }
        try (KeyringCredentialStore again = KeyringCredentialStore.builder("file-kek-test").build();
                EncryptedFileStore store = fast(dir).keyStore(again, entry).open()) {
            assertEquals("never-in-plaintext-4711", text(store.read("k").orElseThrow()));
        }
        assertFalse(contains(dir, "never-in-plaintext-4711".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void theKeyEncryptionKeyNeverAppearsInTheStoreFiles() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore store = openWithKeyring(dir)) {
            store.write("k", secret("v"));
            store.rotateKey();
        }
        String stored;
        try (Secret s = keyring.read(entry).orElseThrow()) {
            stored = s.withChars(String::new);
        }
        byte[] kek = Base64.getDecoder().decode(stored);
        assertEquals(32, kek.length);
        for (byte[] form : List.of(kek, stored.getBytes(StandardCharsets.UTF_8),
                HexFormat.of().formatHex(kek).getBytes(StandardCharsets.UTF_8),
                Base64.getUrlEncoder().withoutPadding().encode(kek))) {
            assertFalse(contains(dir, form), "the key-encryption key is in a store file");
        }
        assertTrue(contains(dir, entry.getBytes(StandardCharsets.UTF_8)), "the header names the entry");
    }

    /** True if any file under {@code dir} contains {@code needle}. */
    private static boolean contains(Path dir, byte[] needle) throws Exception {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] b = Files.readAllBytes(f);
                outer:
                for (int i = 0; i + needle.length <= b.length; i++) {
                    for (int j = 0; j < needle.length; j++) {
                        if (b[i + j] != needle[j]) {
                            continue outer;
                        }
                    }
                    return true;
                }
            }
        }
        return false;
    }
}
