package dev.stdb.secure.core;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A credential store that {@link java.util.ServiceLoader} finds through META-INF/services in the tests. */
public final class DiscoveredStore implements CredentialStore {
    static final Map<String, byte[]> WRITTEN = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "discovered";
    }

    @Override
    public Protection protection() {
        return Protection.MEMORY;
    }

    @Override
    public Optional<Secret> read(String key) {
        byte[] b = WRITTEN.get(key);
        return b == null ? Optional.empty() : Optional.of(Secret.ofBytes(b));
    }

    @Override
    public void write(String key, Secret value) {
        WRITTEN.put(key, value.bytesCopy());
    }

    @Override
    public boolean delete(String key) {
        return WRITTEN.remove(key) != null;
    }

    @Override
    public Set<String> list() {
        return Set.copyOf(WRITTEN.keySet());
    }
}
