package dev.stdb.secure.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every failing store is a STORE_FAILURE event (with its reason code, the operation and the key's name), also for
 * delete and list, whose failures the chain otherwise absorbs; a value never appears.
 */
class FallbackCredentialStoreTest {
    private static final String VALUE = "value-that-must-not-leak-5d1c";

    /** A store whose every operation fails as a tampered encrypted file does. */
    static final class TamperedStore implements CredentialStore {
        @Override public String id() { return "file-main"; }
        @Override public Protection protection() { return Protection.ENCRYPTED_FILE; }
        private static CredentialStoreException tampered() {
            return new CredentialStoreException(ReasonCode.STORE_TAMPERED, "entry failed its authentication tag");
        }
        @Override public Optional<Secret> read(String key) { throw tampered(); }
        @Override public void write(String key, Secret value) { throw tampered(); }
        @Override public boolean delete(String key) { throw tampered(); }
        @Override public Set<String> list() { throw tampered(); }
    }

    @Test
    void eachFailingOperationIsAStoreFailureEvent() {
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        RankedServices<CredentialStore> stores = new RankedServices<>();
        stores.add(new TamperedStore(), Map.of("service.ranking", 10, "service.id", 1L));
        FallbackCredentialStore chain = new FallbackCredentialStore(stores, events::add);

        chain.write("anonymous/token", Secret.ofString(VALUE));
        assertTrue(chain.read("anonymous/token").isPresent(), "the memory store at the end answered");
        chain.delete("anonymous/token");
        assertEquals(Set.of(), chain.list());

        List<SecurityEvent> failures = events.stream().filter(e -> e.type() == SecurityEventType.STORE_FAILURE)
                .collect(Collectors.toList());
        assertEquals(List.of("write", "read", "delete", "list"),
                failures.stream().map(e -> e.details().get("operation")).collect(Collectors.toList()));
        for (SecurityEvent f : failures) {
            assertEquals("file-main", f.details().get("store"));
            assertEquals(ReasonCode.STORE_TAMPERED.code(), f.details().get("reason"));
            assertEquals("dev.stdb.secure.core", f.source());
        }
        assertEquals("anonymous/token", failures.get(0).details().get("key"));
        assertFalse(failures.get(3).details().containsKey("key"), "list names no key");
        assertEquals(2, events.stream().filter(e -> e.type() == SecurityEventType.STORE_FALLBACK).count(),
                events.toString());
        for (SecurityEvent e : events) {
            assertFalse(e.toString().contains(VALUE), e.toString());
            assertFalse(e.details().toString().contains(VALUE), e.details().toString());
        }
    }
}
