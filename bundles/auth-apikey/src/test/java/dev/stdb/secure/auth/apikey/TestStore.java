package dev.stdb.secure.auth.apikey;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** An in-memory CredentialStore for these tests (the store bundles come with issue 7). */
final class TestStore implements CredentialStore {

    private final Map<String, byte[]> entries = new ConcurrentHashMap<>();

    @Override
    public String id() {
        return "test-memory";
    }

    @Override
    public Protection protection() {
        return Protection.MEMORY;
    }

    @Override
    public Optional<Secret> read(String key) {
        byte[] v = entries.get(key);
        return v == null ? Optional.empty() : Optional.of(Secret.ofBytes(v.clone()));
    }

    @Override
    public void write(String key, Secret value) {
        entries.put(key, value.bytesCopy());
    }

    @Override
    public boolean delete(String key) {
        return entries.remove(key) != null;
    }

    @Override
    public Set<String> list() {
        return new TreeSet<>(entries.keySet());
    }

    String text(String key) {
        byte[] v = entries.get(key);
        return v == null ? null : new String(v, java.nio.charset.StandardCharsets.UTF_8);
    }
}
