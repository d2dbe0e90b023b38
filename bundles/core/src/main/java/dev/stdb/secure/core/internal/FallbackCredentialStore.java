package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The bound credential stores in ranking order, with memory last: each operation uses the first store that works,
 * and every fall-back to a weaker store is a {@code STORE_FALLBACK} event. Every store that fails (tampered file,
 * locked keyring, missing token...) is also a {@code STORE_FAILURE} event with its reason code, so the failure reaches
 * the audit sinks even when a weaker store answered; the key's name is recorded, never a value.
 */
public final class FallbackCredentialStore implements CredentialStore {
    private final RankedServices<CredentialStore> stores;
    private final CredentialStore last = new MemoryCredentialStore();
    private final SecurityEventSink events;

    public FallbackCredentialStore(RankedServices<CredentialStore> stores, SecurityEventSink events) {
        this.stores = stores;
        this.events = events;
    }

    private List<CredentialStore> chain() {
        List<CredentialStore> chain = new ArrayList<>(stores.all());
        chain.add(last);
        return chain;
    }

    private <R> R first(String operation, String key, Function<CredentialStore, R> action) {
        RuntimeException lastFailure = null;
        CredentialStore failed = null;
        for (CredentialStore store : chain()) {
            try {
                R result = action.apply(store);
                if (failed != null) {
                    events.emit(SecurityEvent.of(SecurityEventType.STORE_FALLBACK, Outcome.WARNING)
                            .source("dev.stdb.secure.core").detail("operation", operation).detail("key", key)
                            .detail("failed", failed.id()).detail("used", store.id())
                            .detail("error", String.valueOf(lastFailure.getMessage())).build());
                }
                return result;
            } catch (RuntimeException e) {
                storeFailed(store, operation, key, e);
                if (failed == null) {
                    failed = store;
                }
                lastFailure = e;
            }
        }
        throw lastFailure;
    }

    @Override
    public String id() {
        CredentialStore best = stores.best();
        return best == null ? last.id() : best.id();
    }

    @Override
    public Protection protection() {
        CredentialStore best = stores.best();
        return best == null ? last.protection() : best.protection();
    }

    @Override
    public Optional<Secret> read(String key) {
        return first("read", key, s -> s.read(key));
    }

    @Override
    public void write(String key, Secret value) {
        first("write", key, s -> {
            s.write(key, value);
            return null;
        });
    }

    @Override
    public boolean delete(String key) {
        boolean any = false;
        for (CredentialStore s : chain()) {
            try {
                any |= s.delete(key);
            } catch (RuntimeException e) {
                // A store that cannot delete keeps nothing we can reach either; the others still forget the key.
                storeFailed(s, "delete", key, e);
            }
        }
        return any;
    }

    @Override
    public Set<String> list() {
        Set<String> keys = new TreeSet<>();
        for (CredentialStore s : chain()) {
            try {
                keys.addAll(s.list());
            } catch (RuntimeException e) {
                // Listing is best effort across stores.
                storeFailed(s, "list", null, e);
            }
        }
        return keys;
    }

    private void storeFailed(CredentialStore store, String operation, String key, RuntimeException e) {
        SecurityEvent.Builder b = SecurityEvent.of(SecurityEventType.STORE_FAILURE, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("store", store.id()).detail("operation", operation)
                .detail("error", String.valueOf(e.getMessage()));
        if (key != null) {
            b.detail("key", key);
        }
        if (e instanceof SecureClientException) {
            b.detail("reason", ((SecureClientException) e).reason().code());
        }
        events.emit(b.build());
    }
}
