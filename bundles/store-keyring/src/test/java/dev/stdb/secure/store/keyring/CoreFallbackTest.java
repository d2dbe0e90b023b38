package dev.stdb.secure.store.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.core.internal.FallbackCredentialStore;
import dev.stdb.secure.core.internal.RankedServices;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import dev.stdb.secure.testing.stores.InMemoryCredentialStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The core's {@link FallbackCredentialStore} (what every connection uses over its bound stores) with the keyring
 * ranked first and an in-memory store second: when the keyring cannot be used, the second store takes over and a
 * {@code STORE_FALLBACK} event names both stores and the keyring's reason, and a {@code STORE_FAILURE} event the
 * keyring's reason code; never the value.
 */
@ExtendWith(PrivateKeyring.class)
class CoreFallbackTest {

    private static final String VALUE = "fallback-secret-value-93e1";

    private static FallbackCredentialStore chain(CredentialStore keyring, CredentialStore memory,
            List<SecurityEvent> events) {
        RankedServices<CredentialStore> stores = new RankedServices<>();
        stores.add(keyring, Map.of("service.ranking", 100, "service.id", 1L));
        stores.add(memory, Map.of("service.ranking", 0, "service.id", 2L));
        return new FallbackCredentialStore(stores, events::add);
    }

    private static List<SecurityEvent> ofType(List<SecurityEvent> events, SecurityEventType type) {
        return events.stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    @Test
    void anUnavailableKeyringFallsBackToTheNextStoreWithAnEvent() {
        String nowhere = "unix:path=" + PrivateKeyring.get().dir().resolve("no-such-bus");
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        InMemoryCredentialStore memory = new InMemoryCredentialStore("memory-test");
        try (KeyringCredentialStore keyring = KeyringCredentialStore.builder("keyring").dbusAddress(nowhere).build()) {
            FallbackCredentialStore chain = chain(keyring, memory, events);
            assertEquals("keyring", chain.id());

            chain.write("anonymous/token", Secret.ofString(VALUE));
            assertTrue(memory.read("anonymous/token").orElseThrow().contentEquals(Secret.ofString(VALUE)));
            assertTrue(chain.read("anonymous/token").orElseThrow().contentEquals(Secret.ofString(VALUE)));

            List<SecurityEvent> fallbacks = ofType(events, SecurityEventType.STORE_FALLBACK);
            assertEquals(2, fallbacks.size(), events.toString());
            SecurityEvent write = fallbacks.get(0);
            assertEquals(SecurityEventType.STORE_FALLBACK, write.type());
            assertEquals("write", write.details().get("operation"));
            assertEquals("anonymous/token", write.details().get("key"));
            assertEquals("keyring", write.details().get("failed"));
            assertEquals("memory-test", write.details().get("used"));
            assertTrue(String.valueOf(write.details().get("error")).startsWith("[store.unavailable] no D-Bus session"
                    + " bus for the OS keyring"), write.details().toString());
            assertEquals("read", fallbacks.get(1).details().get("operation"));
            List<SecurityEvent> failures = ofType(events, SecurityEventType.STORE_FAILURE);
            assertEquals(2, failures.size(), events.toString());
            for (SecurityEvent f : failures) {
                assertEquals("keyring", f.details().get("store"));
                assertEquals("store.unavailable", f.details().get("reason"));
                assertEquals("anonymous/token", f.details().get("key"));
            }
            for (SecurityEvent e : events) {
                assertFalse(e.toString().contains(VALUE), e.toString());
                assertFalse(e.details().toString().contains(VALUE));
            }
        }
    }

    @Test
    void aLockedKeyringFallsBackToo() {
        PrivateKeyring k = PrivateKeyring.get();
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        InMemoryCredentialStore memory = new InMemoryCredentialStore("memory-test");
        try (KeyringCredentialStore keyring = KeyringCredentialStore.builder("fallback-locked").build()) {
            FallbackCredentialStore chain = chain(keyring, memory, events);
            chain.write("k", Secret.ofString("in-keyring"));
            assertTrue(events.isEmpty(), "no fallback while the keyring is unlocked: " + events);
            assertTrue(keyring.read("k").orElseThrow().contentEquals(Secret.ofString("in-keyring")));

            k.lockAll();
            chain.write("k2", Secret.ofString(VALUE));
            assertTrue(memory.read("k2").isPresent());
            List<SecurityEvent> fallbacks = ofType(events, SecurityEventType.STORE_FALLBACK);
            assertEquals(1, fallbacks.size(), events.toString());
            assertEquals("fallback-locked", fallbacks.get(0).details().get("failed"));
            assertTrue(String.valueOf(fallbacks.get(0).details().get("error")).startsWith("[store.locked]"),
                    fallbacks.get(0).details().toString());
            List<SecurityEvent> failures = ofType(events, SecurityEventType.STORE_FAILURE);
            assertEquals(1, failures.size(), events.toString());
            assertEquals("store.locked", failures.get(0).details().get("reason"));
        } finally {
            k.restartKeyring();
        }
        try (KeyringCredentialStore keyring = KeyringCredentialStore.builder("fallback-locked").build()) {
            assertTrue(keyring.delete("k"));
        }
    }
}
