package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test double: an in-memory {@link CredentialStore} (the store bundles come in another issue). Replaces values
 * atomically, as the contract asks.
 */
final class MemoryStore implements CredentialStore {
    private final ConcurrentHashMap<String, Secret> values = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "memory-test";
    }

    @Override
    public Protection protection() {
        return Protection.MEMORY;
    }

    @Override
    public Optional<Secret> read(String key) {
        Secret s = values.get(key);
        return s == null ? Optional.empty() : Optional.of(s.withBytes(Secret::ofBytes));
    }

    @Override
    public void write(String key, Secret value) {
        Secret old = values.put(key, value.withBytes(Secret::ofBytes));
        if (old != null) {
            old.destroy();
        }
    }

    @Override
    public boolean delete(String key) {
        Secret old = values.remove(key);
        if (old != null) {
            old.destroy();
        }
        return old != null;
    }

    @Override
    public Set<String> list() {
        return Set.copyOf(values.keySet());
    }

    /** The stored value as text (test only). */
    String text(String key) {
        return read(key).map(s -> {
            try (s) {
                return s.withChars(String::new);
            }
        }).orElse(null);
    }
}
