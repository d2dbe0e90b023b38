package dev.stdb.secure.auth.jwt;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A credential store in memory for the tests. */
public final class MemoryStore implements CredentialStore {
    private final String id;
    private final Map<String, Secret> entries = new ConcurrentHashMap<>();

    public MemoryStore(String id) {
        this.id = id;
    }

    @Override public String id() { return id; }
    @Override public Protection protection() { return Protection.values()[0]; }
    @Override public Optional<Secret> read(String key) {
        Secret s = entries.get(key);
        return s == null ? Optional.empty() : Optional.of(s.withChars(Secret::ofChars));
    }
    @Override public void write(String key, Secret value) { entries.put(key, value.withChars(Secret::ofChars)); }
    @Override public boolean delete(String key) { return entries.remove(key) != null; }
    @Override public Set<String> list() { return Set.copyOf(entries.keySet()); }
}
