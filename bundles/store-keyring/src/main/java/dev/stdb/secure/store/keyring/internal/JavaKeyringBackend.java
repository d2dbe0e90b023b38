package dev.stdb.secure.store.keyring.internal;

import com.github.javakeyring.BackendNotSupportedException;
import com.github.javakeyring.Keyring;
import com.github.javakeyring.KeyringStorageType;
import com.github.javakeyring.PasswordAccessException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * macOS Keychain or Windows Credential Manager through java-keyring. That library takes a service name, an account
 * and a String password only: it cannot set a label or attributes (Keychain shows the service as the item's name,
 * Credential Manager shows {@code service/account}), cannot list, and cannot tell "locked" from other failures.
 * Therefore:
 * <ul>
 * <li>values are stored as Base64 text, so binary secrets survive (the library's String API would corrupt them);</li>
 * <li>{@link #accounts(String)} reads an index item, account {@value #INDEX}, holding the key names (names, never
 *     values) one per line, kept by this class under a lock: writers in other processes can race it;</li>
 * <li>every library failure except "not found" is {@code STORE_UNAVAILABLE}.</li>
 * </ul>
 * Compiled and used only on those systems; its correctness rests on java-keyring's own platform tests.
 */
public final class JavaKeyringBackend implements KeyringBackend {

    /** The account of the index item; not a valid key, since keys are never blank nor start with a NUL. */
    static final String INDEX = "\u0000index";

    private final Keyring keyring;
    private final Object indexLock = new Object();

    public JavaKeyringBackend(KeyringStorageType type) {
        try {
            keyring = Keyring.create(type);
        } catch (BackendNotSupportedException | RuntimeException | LinkageError e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "the OS keyring " + type
                    + " is not available here (" + e.getClass().getSimpleName() + "); on macOS and Windows the JNA"
                    + " bundles com.sun.jna and com.sun.jna.platform must be installed");
        }
    }

    @Override
    public String name() {
        return String.valueOf(keyring.getKeyringStorageType());
    }

    @Override
    public Optional<Secret> read(String service, String account) {
        String stored = get(service, account);
        if (stored == null) {
            return Optional.empty();
        }
        byte[] bytes = Base64.getDecoder().decode(stored);
        try {
            return Optional.of(Secret.ofBytes(bytes));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    @Override
    public void write(String service, String account, String label, Secret value) {
        String encoded = value.withBytes(b -> Base64.getEncoder().encodeToString(b));
        synchronized (indexLock) {
            try {
                keyring.setPassword(service, account, encoded);
            } catch (PasswordAccessException | RuntimeException e) {
                throw unavailable("write", account, e);
            }
            Set<String> index = index(service);
            if (index.add(account)) {
                saveIndex(service, index);
            }
        }
    }

    @Override
    public boolean delete(String service, String account) {
        synchronized (indexLock) {
            boolean existed = get(service, account) != null;
            if (existed) {
                try {
                    keyring.deletePassword(service, account);
                } catch (PasswordAccessException | RuntimeException e) {
                    throw unavailable("delete", account, e);
                }
            }
            Set<String> index = index(service);
            if (index.remove(account)) {
                saveIndex(service, index);
            }
            return existed;
        }
    }

    @Override
    public Set<String> accounts(String service) {
        synchronized (indexLock) {
            return Set.copyOf(index(service));
        }
    }

    private Set<String> index(String service) {
        String text = get(service, INDEX);
        Set<String> keys = new TreeSet<>();
        if (text != null) {
            for (String line : new String(Base64.getDecoder().decode(text), java.nio.charset.StandardCharsets.UTF_8)
                    .split("\n")) {
                if (!line.isEmpty()) {
                    keys.add(line);
                }
            }
        }
        return keys;
    }

    private void saveIndex(String service, Set<String> keys) {
        String text = String.join("\n", keys);
        try {
            keyring.setPassword(service, INDEX, Base64.getEncoder().encodeToString(
                    text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (PasswordAccessException | RuntimeException e) {
            throw unavailable("index update", INDEX, e);
        }
    }

    /** The stored text, or null when there is none (java-keyring reports "not found" as an exception). */
    private String get(String service, String account) {
        try {
            return keyring.getPassword(service, account);
        } catch (PasswordAccessException e) {
            String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
            if (m.contains("no stored credentials") || m.contains("not found") || m.contains("could not be found")
                    || m.contains("element not found")) {
                return null;
            }
            throw unavailable("read", account, e);
        } catch (RuntimeException e) {
            throw unavailable("read", account, e);
        }
    }

    private CredentialStoreException unavailable(String operation, String account, Exception e) {
        // the library's messages name the service and account only, never the password
        return new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, name() + " " + operation + " of '"
                + (INDEX.equals(account) ? "(index)" : account) + "' failed: " + e.getMessage()
                + "; if the keychain is locked, unlock it");
    }

    @Override
    public void close() {
        try {
            keyring.close();
        } catch (Exception e) {
            // nothing to release
        }
    }
}
