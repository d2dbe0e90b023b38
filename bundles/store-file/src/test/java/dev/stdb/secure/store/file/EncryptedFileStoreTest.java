package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.open;
import static dev.stdb.secure.store.file.Stores.secret;
import static dev.stdb.secure.store.file.Stores.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.file.internal.StoreFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileStoreTest {

    @TempDir
    Path tmp;

    @Test
    void roundTripOverwriteDeleteList() {
        Path dir = tmp.resolve("store");
        try (EncryptedFileStore store = open(dir)) {
            assertEquals(Protection.ENCRYPTED_FILE, store.protection());
            assertEquals("file", store.id());
            assertEquals(Optional.empty(), store.read("a"));
            assertEquals(Set.of(), store.list());
            store.write("a", secret("alpha"));
            store.write("oauth2/https://idp.example/realms/x/client-a/refresh", secret("bravo"));
            assertEquals("alpha", text(store.read("a").orElseThrow()));
            store.write("a", secret("alpha-2"));
            assertEquals("alpha-2", text(store.read("a").orElseThrow()));
            assertEquals(Set.of("a", "oauth2/https://idp.example/realms/x/client-a/refresh"), store.list());
            assertTrue(store.delete("a"));
            assertFalse(store.delete("a"));
            assertEquals(Optional.empty(), store.read("a"));
            assertEquals(Set.of("oauth2/https://idp.example/realms/x/client-a/refresh"), store.list());
            store.verify();
        }
        try (EncryptedFileStore again = open(dir)) {
            assertEquals("bravo", text(again.read("oauth2/https://idp.example/realms/x/client-a/refresh").orElseThrow()));
        }
    }

    @Test
    void binaryAndCharValuesAndTheCallerKeepsItsSecret() {
        try (EncryptedFileStore store = open(tmp.resolve("s"))) {
            byte[] key = new byte[256];
            for (int i = 0; i < key.length; i++) {
                key[i] = (byte) i;
            }
            Secret value = Secret.ofBytes(key);
            store.write("bin", value);
            assertFalse(value.isDestroyed(), "the caller keeps ownership of the value");
            try (Secret back = store.read("bin").orElseThrow()) {
                assertTrue(back.contentEquals(value));
            }
            store.write("empty", Secret.ofBytes(new byte[0]));
            assertEquals(0, store.read("empty").orElseThrow().length());
        }
    }

    @Test
    void ownerOnlyPermissionsOnCreate() throws Exception {
        Path dir = tmp.resolve("a/b/store");
        try (EncryptedFileStore store = open(dir)) {
            store.write("k", secret("v"));
        }
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(EncryptedFileStore.FILE_NAME))));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(EncryptedFileStore.LOCK_NAME))));
        try (var files = Files.list(dir)) {
            assertEquals(Set.of(EncryptedFileStore.FILE_NAME, EncryptedFileStore.LOCK_NAME),
                    files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()),
                    "no temp file is left behind");
        }
    }

    @Test
    void anExistingStoreOpensWithTheArgon2ParametersInItsHeader() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore store = EncryptedFileStore.builder(dir).argon2(2048, 2, 2)
                .passphrase(secret(Stores.PASS)).open()) {
            store.write("k", secret("v"));
        }
        StoreFormat.Header h = StoreFormat.parseHeader(Files.readAllBytes(dir.resolve(EncryptedFileStore.FILE_NAME)));
        assertEquals(new StoreFormat.Argon2(2048, 2, 2), h.argon2());
        // different configured parameters: the header's are used, so the same passphrase still opens it
        try (EncryptedFileStore store = EncryptedFileStore.builder(dir).argon2(1024, 1, 1)
                .passphrase(secret(Stores.PASS)).open()) {
            assertEquals("v", text(store.read("k").orElseThrow()));
            store.rotateKey();
        }
        h = StoreFormat.parseHeader(Files.readAllBytes(dir.resolve(EncryptedFileStore.FILE_NAME)));
        assertEquals(new StoreFormat.Argon2(1024, 1, 1), h.argon2(), "a rotation adopts the configured parameters");
    }

    @Test
    void defaultArgon2ParametersAre64MiB3Passes1Lane() throws Exception {
        Path dir = tmp.resolve("s");
        AtomicInteger asked = new AtomicInteger();
        try (EncryptedFileStore store = EncryptedFileStore.builder(dir)
                .passphrase(() -> {
                    asked.incrementAndGet();
                    return secret(Stores.PASS);
                }).open()) {
            for (int i = 0; i < 20; i++) {
                store.write("k" + i, secret("v" + i));
                assertEquals("v" + i, text(store.read("k" + i).orElseThrow()));
            }
        }
        assertEquals(1, asked.get(), "Argon2id runs once at open, not per operation");
        StoreFormat.Header h = StoreFormat.parseHeader(Files.readAllBytes(dir.resolve(EncryptedFileStore.FILE_NAME)));
        assertEquals(new StoreFormat.Argon2(65536, 3, 1), h.argon2());
    }

    @Test
    void toStringAndExceptionsAndEventsAreSecretFree() throws Exception {
        List<SecurityEvent> events = new ArrayList<>();
        Path dir = tmp.resolve("s");
        String pass = "Pass-Phrase-Marker-123";
        EncryptedFileStore store = Stores.fast(dir).passphrase(secret(pass)).events(events::add).open();
        store.write("k", secret("Value-Marker-456"));
        String s = store.toString();
        assertTrue(s.contains("file") && s.contains(dir.toString()), s);
        store.close();
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> Stores.fast(dir).passphrase(secret("wrong")).events(events::add).open());
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertEquals(1, events.size());
        assertEquals(SecurityEventType.STORE_FAILURE, events.get(0).type());
        for (String text : List.of(s, e.getMessage(), events.toString())) {
            assertFalse(text.contains(pass) || text.contains("Value-Marker") || text.contains("wrong)"), text);
        }
        assertThrows(CredentialStoreException.class, () -> store.read("k"), "a closed store refuses");
    }
}
