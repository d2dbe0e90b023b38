package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The fallback when no store is bound: credentials live in this process only and die with it. */
public final class MemoryCredentialStore implements CredentialStore {
    private final Map<String, Secret> entries = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "memory";
    }

    @Override
    public Protection protection() {
        return Protection.MEMORY;
    }

    @Override
    public Optional<Secret> read(String key) {
        Secret s = entries.get(key);
        return s == null ? Optional.empty() : Optional.of(Secret.ofBytes(s.bytesCopy()));
    }

    @Override
    public void write(String key, Secret value) {
        Secret old = entries.put(key, Secret.ofBytes(value.bytesCopy()));
        if (old != null) {
            old.destroy();
        }
    }

    @Override
    public boolean delete(String key) {
        Secret old = entries.remove(key);
        if (old != null) {
            old.destroy();
        }
        return old != null;
    }

    @Override
    public Set<String> list() {
        return Set.copyOf(entries.keySet());
    }
}
