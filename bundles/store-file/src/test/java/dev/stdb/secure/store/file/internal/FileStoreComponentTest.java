package dev.stdb.secure.store.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.store.Protection;
import java.lang.annotation.Annotation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileStoreComponentTest {

    private static final String PASS = "Component-Passphrase-Value-31337";

    @TempDir
    Path tmp;

    /** A configuration as SCR would hand it (small Argon2id cost for speed). */
    static class Config implements FileStoreConfig {
        String storeId = "file";
        String path = "";
        String keySource = "passphrase";
        String passphraseEnv = "STDB_STORE_PASSPHRASE";
        String alias = "";
        String target = null;
        String keyringEntry = "";
        String keyringTarget = null;
        int memory = 1024;
        int iterations = 1;
        int parallelism = 1;

        @Override public Class<? extends Annotation> annotationType() { return FileStoreConfig.class; }
        @Override public String store_id() { return storeId; }
        @Override public String path() { return path; }
        @Override public String key_source() { return keySource; }
        @Override public String passphrase_env() { return passphraseEnv; }
        @Override public String keyservice_alias() { return alias; }
        @Override public String key_service_target() { return target; }
        @Override public String keyring_entry() { return keyringEntry; }
        @Override public String keyring_target() { return keyringTarget; }
        @Override public int argon2_memory_kib() { return memory; }
        @Override public int argon2_iterations() { return iterations; }
        @Override public int argon2_parallelism() { return parallelism; }
        @Override public boolean allow_non_posix() { return false; }
        @Override public int service_ranking() { return 0; }
    }

    private Config config() {
        Config c = new Config();
        c.path = tmp.resolve("store").toString();
        return c;
    }

    private static final Map<String, String> ENV = Map.of("STDB_STORE_PASSPHRASE", PASS);

    private static ConfigurationException bad(Config c, String property, String... mentions) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new FileStoreComponent(c, ENV::get, ev -> { }));
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("] " + property + ":"), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), e.getMessage());
        }
        assertFalse(e.getMessage().contains(PASS), e.getMessage());
        return e;
    }

    private Config with(Consumer<Config> change) {
        Config c = config();
        change.accept(c);
        return c;
    }

    @Test
    void storesThroughTheComponentAndOpensLazily() {
        List<SecurityEvent> events = new ArrayList<>();
        FileStoreComponent component = new FileStoreComponent(config(), ENV::get, events::add);
        assertFalse(tmp.resolve("store").toFile().exists(), "activation opens nothing (no Argon2id in @Activate)");
        assertEquals("file", component.id());
        assertEquals(Protection.ENCRYPTED_FILE, component.protection());
        component.write("k", Secret.ofString("v"));
        try (Secret s = component.read("k").orElseThrow()) {
            assertEquals("v", s.withChars(String::new));
        }
        assertEquals(Set.of("k"), component.list());
        assertTrue(component.delete("k"));
        assertFalse(component.toString().contains(PASS));
        component.deactivate();
        assertTrue(events.isEmpty(), "no CREDENTIAL_* events: the core emits them");
    }

    @Test
    void badValuesNameTheirProperty() {
        bad(with(c -> c.path = ""), "path", "required");
        bad(with(c -> c.path = "relative/dir"), "path", "absolute");
        bad(with(c -> c.storeId = " "), "store.id");
        bad(with(c -> c.keySource = "vault"), "key.source", "vault");
        bad(with(c -> c.keySource = "vault"), "key.source", "passphrase, keyservice or keyring");
        bad(with(c -> {
            c.keySource = "keyring";
            c.keyringEntry = "a\nb";
        }), "keyring.entry", "line breaks");
        bad(with(c -> c.passphraseEnv = ""), "passphrase.env", "required");
        bad(with(c -> {
            c.keySource = "keyservice";
            c.alias = "";
        }), "keyservice.alias", "required");
        bad(with(c -> c.memory = 4), "argon2.memory.kib", "4");
        bad(with(c -> c.iterations = 0), "argon2.iterations", "0");
        bad(with(c -> c.parallelism = 1000), "argon2.parallelism", "1000");
    }

    @Test
    void aMissingPassphraseVariableIsNamedAndNoValueIsEverShown() {
        Config c = config();
        c.passphraseEnv = "STDB_NOT_SET";
        bad(c, "passphrase.env", "STDB_NOT_SET", "not set");
        // the variable set, but to the wrong passphrase for an existing store: locked, and the value not shown
        new FileStoreComponent(config(), ENV::get, e -> { }).write("k", Secret.ofString("v"));
        List<SecurityEvent> events = new ArrayList<>();
        FileStoreComponent wrong = new FileStoreComponent(config(), Map.of("STDB_STORE_PASSPHRASE", "Wrong-Value-777")::get,
                events::add);
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> wrong.read("k"));
        assertEquals(ReasonCode.STORE_LOCKED, e.reason());
        assertFalse(e.getMessage().contains("Wrong-Value-777") || e.getMessage().contains(PASS), e.getMessage());
        assertFalse(events.toString().contains("Wrong-Value-777"), events.toString());
    }

    @Test
    void keyServiceSourceWaitsForItsKeyServiceAndFollowsAReplacement() {
        Config c = config();
        c.keySource = "keyservice";
        c.alias = "wrap";
        c.target = "(id=hsm)";
        FileStoreComponent component = new FileStoreComponent(c, ENV::get, e -> { });
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> component.read("k"));
        assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("no KeyService") && e.getMessage().contains("(id=hsm)"), e.getMessage());
        KeyService hsm = testKeyService();
        component.keyService = hsm;
        component.write("k", Secret.ofString("v"));
        component.keyService = null;
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                assertThrows(CredentialStoreException.class, () -> component.read("k")).reason());
        component.keyService = hsm;
        try (Secret s = component.read("k").orElseThrow()) {
            assertEquals("v", s.withChars(String::new));
        }
        component.deactivate();
    }

    @Test
    void keyringSourceNeedsNoPassphraseUsesTheDefaultEntryAndFollowsItsKeyStore() {
        Config c = config();
        c.keySource = "keyring";
        c.storeId = "main";
        c.passphraseEnv = "";
        c.keyringTarget = "(store.id=keyring)";
        FileStoreComponent component = new FileStoreComponent(c, Map.<String, String>of()::get, e -> { });
        assertTrue(component.toString().contains("key.source=keyring"), component.toString());
        assertTrue(component.toString().contains("keyring.entry=stdb-file-store-kek/main"), component.toString());
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> component.read("k"));
        assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("no keyring CredentialStore") && e.getMessage().contains("(store.id=keyring)")
                && e.getMessage().contains("stdb-file-store-kek/main") && e.getMessage().contains(c.path),
                e.getMessage());
        // never itself (whose key it would hold), nor another file store
        component.keyringStore = component;
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                assertThrows(CredentialStoreException.class, () -> component.read("k")).reason());
        MapStore keyring = new MapStore();
        component.keyringStore = keyring;
        component.write("k", Secret.ofString("v"));
        assertEquals(Set.of("stdb-file-store-kek/main"), keyring.list());
        component.keyringStore = null;
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                assertThrows(CredentialStoreException.class, () -> component.read("k")).reason());
        component.keyringStore = keyring;
        try (Secret s = component.read("k").orElseThrow()) {
            assertEquals("v", s.withChars(String::new));
        }
        component.deactivate();

        Config named = config();
        named.keySource = "keyring";
        named.keyringEntry = " custom/kek ";
        named.path = tmp.resolve("other").toString();
        FileStoreComponent other = new FileStoreComponent(named, ENV::get, ev -> { });
        other.keyringStore = keyring;
        other.write("k", Secret.ofString("w"));
        assertTrue(keyring.list().contains("custom/kek"), keyring.list().toString());
        other.deactivate();
    }

    /** A CredentialStore in memory, standing in for the keyring. */
    static final class MapStore implements CredentialStore {
        final java.util.Map<String, byte[]> values = new java.util.TreeMap<>();

        @Override public String id() { return "keyring"; }
        @Override public Protection protection() { return Protection.OS; }
        @Override public synchronized java.util.Optional<Secret> read(String key) {
            byte[] v = values.get(key);
            return v == null ? java.util.Optional.empty() : java.util.Optional.of(Secret.ofBytes(v));
        }
        @Override public synchronized void write(String key, Secret value) { values.put(key, value.bytesCopy()); }
        @Override public synchronized boolean delete(String key) { return values.remove(key) != null; }
        @Override public synchronized Set<String> list() { return Set.copyOf(values.keySet()); }
    }

    /** The test KeyService of the parent package, reached by reflection to keep it package-private. */
    private static KeyService testKeyService() {
        try {
            Class<?> type = Class.forName("dev.stdb.secure.store.file.AesKeyService");
            var ctor = type.getDeclaredConstructor(String.class, String[].class);
            ctor.setAccessible(true);
            return (KeyService) ctor.newInstance("hsm", new String[] {"wrap"});
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
