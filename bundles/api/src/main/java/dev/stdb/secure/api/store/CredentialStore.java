package dev.stdb.secure.api.store;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Keeps secrets by name between runs. Registered as a service with the {@value #STORE_ID} property and a
 * {@code service.ranking}; the core tries stores in ranking order and records each fallback as a security event.
 *
 * <p>Keys are names, not secrets: they appear in logs and audit events (for example
 * {@code oauth2/https://idp.example/realms/x/client-a/refresh}). Values are written only in protected form.
 * Every method may throw {@link CredentialStoreException}; calls may block on I/O, so the core calls them off its
 * callback thread.
 */
@ConsumerType
public interface CredentialStore {

    /** Service property naming the store, for example {@code keyring} or {@code file}. */
    String STORE_ID = "store.id";

    /** The store's id, equal to its {@value #STORE_ID} service property. */
    String id();

    /** How well this store protects what it holds. */
    Protection protection();

    /**
     * The secret stored under {@code key}, as a new {@link Secret} the caller owns and destroys.
     *
     * @return empty if nothing is stored under {@code key}
     * @throws CredentialStoreException if the store is locked, unavailable or its data fails an integrity check
     */
    Optional<Secret> read(String key) throws CredentialStoreException;

    /**
     * Stores a copy of {@code value} under {@code key}, replacing any previous value atomically (a reader sees the old
     * or the new value, never a mix). The caller keeps ownership of {@code value}.
     *
     * @throws CredentialStoreException if the value cannot be stored
     */
    void write(String key, Secret value) throws CredentialStoreException;

    /**
     * Removes the value under {@code key}.
     *
     * @return true if something was removed
     * @throws CredentialStoreException if the store cannot be changed
     */
    boolean delete(String key) throws CredentialStoreException;

    /**
     * The keys currently stored, as an unmodifiable snapshot.
     *
     * @throws CredentialStoreException if the store cannot be read
     */
    Set<String> list() throws CredentialStoreException;
}
