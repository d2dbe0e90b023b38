package dev.stdb.secure.store.keyring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The store against a real gnome-keyring on a private D-Bus session bus (the bus the JVM's environment names). */
@ExtendWith(PrivateKeyring.class)
class KeyringCredentialStoreTest {

    private KeyringCredentialStore store;

    @BeforeEach
    void open() {
        // a store id per test: each test sees only its own items
        store = KeyringCredentialStore.builder("t-" + UUID.randomUUID().toString().substring(0, 8)).build();
    }

    @AfterEach
    void close() {
        for (String key : store.list()) {
            store.delete(key);
        }
        store.close();
    }

    @Test
    void roundTripOfTextAndBinarySecrets() {
        assertEquals(Protection.OS, store.protection());
        assertEquals(KeyringCredentialStore.Platform.SECRET_SERVICE, store.platform());
        assertEquals(Optional.empty(), store.read("oauth2/https://idp.example/realms/x/client-a/refresh"));

        store.write("oauth2/https://idp.example/realms/x/client-a/refresh", Secret.ofString("rt-\u00e9\u4e2d-1"));
        byte[] binary = new byte[256];
        for (int i = 0; i < binary.length; i++) {
            binary[i] = (byte) i; // not UTF-8: stored as application/octet-stream
        }
        store.write("key/binary", Secret.ofBytes(binary));

        try (Secret text = store.read("oauth2/https://idp.example/realms/x/client-a/refresh").orElseThrow();
             Secret bytes = store.read("key/binary").orElseThrow()) {
            assertTrue(text.contentEquals(Secret.ofString("rt-\u00e9\u4e2d-1")));
            assertArrayEquals(binary, bytes.bytesCopy());
        }
    }

    @Test
    void overwriteReplacesTheValueAndKeepsOneItem() {
        store.write("token", Secret.ofString("first"));
        store.write("token", Secret.ofString("second"));
        assertTrue(store.read("token").orElseThrow().contentEquals(Secret.ofString("second")));
        assertEquals(Set.of("token"), store.list());
        // exactly one item carries these attributes
        String found = PrivateKeyring.get().secretToolSearch("service", store.serviceName(), "account", "token");
        assertEquals(1, found.lines().filter(l -> l.startsWith("label = ")).count(), found);
    }

    @Test
    void deleteRemovesAndReportsWhetherSomethingWasThere() {
        store.write("gone", Secret.ofString("v"));
        assertTrue(store.delete("gone"));
        assertEquals(Optional.empty(), store.read("gone"));
        assertFalse(store.delete("gone"));
        assertEquals(Set.of(), store.list());
    }

    @Test
    void listShowsThisStoresKeysOnly() {
        KeyringCredentialStore other = KeyringCredentialStore.builder(store.id() + "-other").build();
        try {
            store.write("a", Secret.ofString("1"));
            store.write("b/c", Secret.ofString("2"));
            other.write("a", Secret.ofString("other"));
            assertEquals(Set.of("a", "b/c"), store.list());
            assertEquals(Set.of("a"), other.list());
            assertTrue(store.read("a").orElseThrow().contentEquals(Secret.ofString("1")));
        } finally {
            other.delete("a");
            other.close();
        }
    }

    @Test
    void concurrentWritersAllLand() throws Exception {
        int threads = 8;
        int perThread = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) {
                        store.write("k" + thread + "-" + i, Secret.ofString("v" + thread + "-" + i));
                        store.write("shared", Secret.ofString("s" + thread + "-" + i));
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        Set<String> expected = new TreeSet<>();
        for (int t = 0; t < threads; t++) {
            for (int i = 0; i < perThread; i++) {
                expected.add("k" + t + "-" + i);
                assertTrue(store.read("k" + t + "-" + i).orElseThrow().contentEquals(Secret.ofString("v" + t + "-" + i)));
            }
        }
        expected.add("shared");
        assertEquals(expected, store.list());
        // the shared key holds one writer's last value, whole
        String shared = new String(store.read("shared").orElseThrow().bytesCopy(), StandardCharsets.UTF_8);
        assertTrue(shared.matches("s[0-7]-5"), shared);
    }

    @Test
    void aPersonFindsTheItemWithSecretTool() {
        store.write("oauth2/client-a/refresh", Secret.ofString("visible-to-the-user-42"));
        PrivateKeyring k = PrivateKeyring.get();
        assertEquals("visible-to-the-user-42",
                k.secretToolLookup("service", store.serviceName(), "account", "oauth2/client-a/refresh"));
        assertEquals("dev.stdb.secure/" + store.id(), store.serviceName());
        String search = k.secretToolSearch("xdg:schema", "dev.stdb.secure.Credential", "service", store.serviceName());
        assertTrue(search.contains("label = SpacetimeDB secure client: oauth2/client-a/refresh (" + store.serviceName()
                + ")"), search);
        assertTrue(search.contains("attribute.account = oauth2/client-a/refresh"), search);
        // and what a person stores there, the store reads
        k.run("sh", "-c", "printf %s typed-by-hand | secret-tool store --label=manual service '" + store.serviceName()
                + "' account manual");
        assertTrue(store.read("manual").orElseThrow().contentEquals(Secret.ofString("typed-by-hand")));
        assertNull(k.secretToolLookup("service", store.serviceName(), "account", "missing"));
    }

    @Test
    void aRestartedKeyringDaemonIsPickedUpOnTheNextCall() {
        store.write("survives", Secret.ofString("restart"));
        PrivateKeyring.get().restartKeyring();
        assertTrue(store.read("survives").orElseThrow().contentEquals(Secret.ofString("restart")));
    }

    @Test
    void toStringNamesTheStoreOnly() {
        assertEquals("KeyringCredentialStore[id=" + store.id() + ", service=dev.stdb.secure/" + store.id()
                + ", platform=SECRET_SERVICE]", store.toString());
    }
}
