package dev.stdb.secure.store.pkcs11.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.store.pkcs11.Pkcs11Store;
import dev.stdb.secure.store.pkcs11.TestTokens;
import dev.stdb.secure.testing.softhsm.SoftHsm;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Dictionary;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Pkcs11StoreComponentTest {

    @TempDir
    Path dir;

    /** A configuration with defaults, as SCR would hand it. */
    class Config implements Pkcs11StoreConfig {
        String storeId = "hsm";
        String library = SoftHsm.LIBRARY.toString();
        long slot = -1;
        int index = -1;
        String label = TestTokens.MAIN;
        String pinEnv = "STDB_HSM_PIN";
        String pinFile = "";
        String dataDir = dir.resolve("data").toString();
        String wrap = "stdb-wrap";
        int ranking = 300;

        @Override public Class<? extends Annotation> annotationType() { return Pkcs11StoreConfig.class; }
        @Override public String store_id() { return storeId; }
        @Override public String library() { return library; }
        @Override public long slot() { return slot; }
        @Override public int slot_list_index() { return index; }
        @Override public String token_label() { return label; }
        @Override public String pin_env() { return pinEnv; }
        @Override public String pin_file() { return pinFile; }
        @Override public String data_dir() { return dataDir; }
        @Override public String wrap_key_alias() { return wrap; }
        @Override public int service_ranking() { return ranking; }
    }

    private static final Map<String, String> ENV = Map.of("STDB_HSM_PIN", SoftHsm.PIN);

    private static ConfigurationException refused(Config c, String property) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Pkcs11StoreComponent.build(c, ENV::get));
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains(property), e.getMessage());
        assertFalse(e.getMessage().contains(SoftHsm.PIN), e.getMessage());
        return e;
    }

    @Test
    void goodConfigurationBuildsAWorkingStore() throws Exception {
        TestTokens.init();
        Config c = new Config();
        Pkcs11Store store = Pkcs11StoreComponent.build(c, ENV::get);
        try {
            assertEquals("hsm", store.id());
            store.write("k", Secret.ofString("v"));
            assertTrue(store.read("k").orElseThrow().contentEquals(Secret.ofString("v")));
        } finally {
            store.close();
        }
        Dictionary<String, Object> p = Pkcs11StoreComponent.properties(c);
        assertEquals("hsm", p.get(CredentialStore.STORE_ID));
        assertEquals("hsm", p.get("id"));
        assertEquals(300, p.get("service.ranking"));
    }

    @Test
    void missingPinVariableIsNamedNotShown() {
        Config c = new Config();
        c.pinEnv = "STDB_NOT_SET_PIN";
        ConfigurationException e = refused(c, "pin.env");
        assertTrue(e.getMessage().contains("STDB_NOT_SET_PIN"), e.getMessage());
    }

    @Test
    void badValuesNameTheirProperty() {
        Config a = new Config();
        a.library = " ";
        refused(a, "library: required");
        Config b = new Config();
        b.index = 0;
        refused(b, "slot, slot.list.index, token.label");
        Config d = new Config();
        d.label = "";
        d.index = -5;
        refused(d, "slot.list.index");
        Config e = new Config();
        e.label = "";
        e.slot = -7;
        refused(e, "slot:");
        Config f = new Config();
        f.pinFile = "/etc/stdb/pin";
        refused(f, "pin.env, pin.file");
        Config g = new Config();
        g.dataDir = "";
        refused(g, "data.dir");
        Config h = new Config();
        h.wrap = " ";
        refused(h, "wrap.key.alias");
        Config i = new Config();
        i.storeId = "";
        refused(i, "store.id");
    }

    @Test
    void pinFileMustExistAndBeOwnerOnly() throws Exception {
        Config c = new Config();
        c.pinEnv = "";
        c.pinFile = dir.resolve("absent-pin").toString();
        refused(c, "pin.file");
        Path pin = dir.resolve("pin");
        Files.writeString(pin, SoftHsm.PIN);
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-r-----"));
        c.pinFile = pin.toString();
        refused(c, "pin.file");
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));
        Pkcs11StoreComponent.build(c, ENV::get).close();
    }
}
