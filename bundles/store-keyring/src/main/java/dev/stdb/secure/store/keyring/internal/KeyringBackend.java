package dev.stdb.secure.store.keyring.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import java.util.Optional;
import java.util.Set;

/**
 * One platform's keyring, addressed by a service name (shared by every item of one store) and an account (the key).
 * Every failure is a {@link CredentialStoreException} with {@code STORE_LOCKED} or {@code STORE_UNAVAILABLE}; no
 * message ever contains a secret value.
 */
public interface KeyringBackend extends AutoCloseable {

    /** A short name for messages, for example {@code Secret Service (D-Bus)}. */
    String name();

    Optional<Secret> read(String service, String account) throws CredentialStoreException;

    /** Stores {@code value} under the label a person sees in their keyring tool, replacing any previous value. */
    void write(String service, String account, String label, Secret value) throws CredentialStoreException;

    boolean delete(String service, String account) throws CredentialStoreException;

    Set<String> accounts(String service) throws CredentialStoreException;

    @Override
    void close();
}
