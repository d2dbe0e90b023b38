package dev.stdb.secure.store.keyring;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A second store for the fallback tests: plain memory. */
final class InMemoryStore implements CredentialStore {
    private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();

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
        byte[] v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(Secret.ofBytes(v));
    }

    @Override
    public void write(String key, Secret value) {
        values.put(key, value.bytesCopy());
    }

    @Override
    public boolean delete(String key) {
        return values.remove(key) != null;
    }

    @Override
    public Set<String> list() {
        return Set.copyOf(values.keySet());
    }
}
