package dev.stdb.secure.store.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A locked keyring, a bus without a Secret Service and no bus at all: each a typed, actionable exception. */
@ExtendWith(PrivateKeyring.class)
class KeyringFailuresTest {

    @Test
    void aLockedKeyringIsStoreLockedAndNeverPrompts() {
        PrivateKeyring k = PrivateKeyring.get();
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("locked-test").build()) {
            store.write("before-lock", Secret.ofString("v"));
            k.lockAll();
            for (Runnable op : new Runnable[] {() -> store.read("before-lock"),
                    () -> store.write("during-lock", Secret.ofString("w")), () -> store.delete("before-lock"),
                    store::list}) {
                CredentialStoreException e = assertThrows(CredentialStoreException.class, op::run);
                assertEquals(ReasonCode.STORE_LOCKED, e.reason());
                assertTrue(e.getMessage().startsWith("[store.locked] the OS keyring collection"), e.getMessage());
                assertTrue(e.getMessage().contains("is locked: unlock it"), e.getMessage());
                assertTrue(e.getMessage().contains("never prompts"), e.getMessage());
                assertTrue(!e.getMessage().contains("\"v\"") && !e.getMessage().contains("=w"), e.getMessage());
            }
        } finally {
            k.restartKeyring(); // unlocks the login keyring again with its password
        }
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("locked-test").build()) {
            assertTrue(store.read("before-lock").orElseThrow().contentEquals(Secret.ofString("v")));
            assertTrue(store.delete("before-lock"));
        }
    }

    @Test
    void aBusWithoutASecretServiceIsStoreUnavailable() {
        String bare = PrivateKeyring.get().bareBus("bare-bus");
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("keyring").dbusAddress(bare).build()) {
            CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.read("k"));
            assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
            assertTrue(e.getMessage().contains("no Secret Service on the D-Bus session bus"), e.getMessage());
            assertTrue(e.getMessage().contains("start a Secret Service provider"), e.getMessage());
        }
    }

    @Test
    void noSessionBusIsStoreUnavailable() {
        String nowhere = "unix:path=" + PrivateKeyring.get().dir().resolve("no-such-bus");
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("keyring").dbusAddress(nowhere)
                .timeout(Duration.ofSeconds(30)).build()) {
            CredentialStoreException e = assertThrows(CredentialStoreException.class,
                    () -> store.write("k", Secret.ofString("never-stored-anywhere")));
            assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
            assertTrue(e.getMessage().startsWith("[store.unavailable] no D-Bus session bus for the OS keyring ("
                    + nowhere + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("dbus-run-session"), e.getMessage());
            assertTrue(!e.getMessage().contains("never-stored-anywhere"), e.getMessage());
        }
    }

    @Test
    void aClosedStoreIsUnavailable() {
        KeyringCredentialStore store = KeyringCredentialStore.builder("closed").build();
        store.close();
        assertEquals(ReasonCode.STORE_UNAVAILABLE,
                assertThrows(CredentialStoreException.class, () -> store.read("k")).reason());
    }

    @Test
    void badKeysAreRefusedBeforeTheKeyringIsAsked() {
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("keys").build()) {
            assertThrows(IllegalArgumentException.class, () -> store.read(" "));
            assertThrows(IllegalArgumentException.class, () -> store.write("a\nb", Secret.ofString("v")));
            assertThrows(IllegalArgumentException.class, () -> store.delete("a\u0000"));
        }
    }
}
