package dev.stdb.secure.store.keyring.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import java.lang.annotation.Annotation;
import org.junit.jupiter.api.Test;

class KeyringStoreComponentTest {

    /** A configuration with defaults, as SCR would hand it. */
    static class Config implements KeyringStoreConfig {
        String id = "keyring";
        String service = "dev.stdb.secure";
        String platform = "auto";
        String dbus = "";
        int timeout = 10000;

        @Override public Class<? extends Annotation> annotationType() { return KeyringStoreConfig.class; }
        @Override public String store_id() { return id; }
        @Override public String service_name() { return service; }
        @Override public int service_ranking() { return 100; }
        @Override public String platform() { return platform; }
        @Override public String dbus_address() { return dbus; }
        @Override public int timeout_millis() { return timeout; }
    }

    @Test
    void buildsTheStoreFromTheConfiguration() {
        Config c = new Config();
        c.id = "prod-keyring";
        c.service = "com.example.app";
        KeyringStoreComponent component = new KeyringStoreComponent(c);
        assertEquals("prod-keyring", component.id());
        assertEquals(Protection.OS, component.protection());
        assertEquals("com.example.app/prod-keyring", component.store().serviceName());
        assertEquals(KeyringCredentialStore.Platform.SECRET_SERVICE, component.store().platform());
        assertEquals("SpacetimeDB secure client: a/b (com.example.app/prod-keyring)", component.store().labelFor("a/b"));
        component.deactivate();
    }

    @Test
    void activationNeverTouchesTheKeyring() {
        Config c = new Config();
        c.dbus = "unix:path=/nonexistent/stdb-test-bus";
        KeyringStoreComponent component = new KeyringStoreComponent(c); // no bus there: still activates
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> component.list());
        assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
        component.deactivate();
    }

    @Test
    void badConfigurationNamesTheProperty() {
        Config c = new Config();
        c.id = "has space";
        assertTrue(assertThrows(ConfigurationException.class, () -> new KeyringStoreComponent(c)).getMessage()
                .contains("store.id: 'has space'"));
        Config d = new Config();
        d.service = " ";
        assertTrue(assertThrows(ConfigurationException.class, () -> new KeyringStoreComponent(d)).getMessage()
                .contains("service.name:"));
        Config e = new Config();
        e.platform = "amiga";
        assertTrue(assertThrows(ConfigurationException.class, () -> new KeyringStoreComponent(e)).getMessage()
                .contains("platform: 'amiga'"));
        Config f = new Config();
        f.timeout = 0;
        assertTrue(assertThrows(ConfigurationException.class, () -> new KeyringStoreComponent(f)).getMessage()
                .contains("timeout.millis"));
    }

    @Test
    void platformNames() {
        assertEquals(KeyringCredentialStore.Platform.MACOS_KEYCHAIN,
                KeyringCredentialStore.Platform.parse("macos-keychain"));
        assertEquals(KeyringCredentialStore.Platform.WINDOWS_CREDENTIAL_MANAGER,
                KeyringCredentialStore.Platform.parse("windows-credential-manager"));
        assertEquals(KeyringCredentialStore.Platform.AUTO, KeyringCredentialStore.Platform.parse(""));
    }

    @Test
    void dbusErrorsMapToReasons() {
        assertEquals(ReasonCode.STORE_LOCKED,
                SecretServiceBackend.failure("org.freedesktop.Secret.Error.IsLocked", "GetSecret").reason());
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                SecretServiceBackend.failure("org.freedesktop.DBus.Error.ServiceUnknown", "ReadAlias").reason());
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                SecretServiceBackend.failure("org.freedesktop.DBus.Error.NoReply", "ReadAlias").reason());
    }
}
