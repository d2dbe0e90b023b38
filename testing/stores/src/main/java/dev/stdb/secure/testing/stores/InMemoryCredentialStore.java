package dev.stdb.secure.testing.stores;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link CredentialStore} test double in plain memory ({@link Protection#MEMORY}): values are kept as byte copies,
 * a read hands out a fresh {@link Secret} over a copy, {@link #list()} is sorted. Thread-safe. Test code only: never
 * a store for real credentials.
 */
public final class InMemoryCredentialStore implements CredentialStore {
    private final String id;
    private final ConcurrentHashMap<String, byte[]> values = new ConcurrentHashMap<>();

    /** A store with {@link #id()} {@code id}. */
    public InMemoryCredentialStore(String id) {
        this.id = id;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Protection protection() {
        return Protection.MEMORY;
    }

    @Override
    public Optional<Secret> read(String key) {
        byte[] v = values.get(key);
        return v == null ? Optional.empty() : Optional.of(Secret.ofBytes(v.clone()));
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
        return Collections.unmodifiableSet(new TreeSet<>(values.keySet()));
    }

    /** The value under {@code key} as UTF-8 text, or null: for assertions in tests. */
    public String text(String key) {
        byte[] v = values.get(key);
        return v == null ? null : new String(v, StandardCharsets.UTF_8);
    }
}
