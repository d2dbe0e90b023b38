package dev.stdb.secure.store.keyring;

import com.github.javakeyring.KeyringStorageType;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.keyring.internal.JavaKeyringBackend;
import dev.stdb.secure.store.keyring.internal.KeyringBackend;
import dev.stdb.secure.store.keyring.internal.SecretServiceBackend;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@link CredentialStore} in the operating system's keyring ({@link Protection#OS}).
 *
 * <p>Every item of a store has the service name {@code <service prefix>/<store id>} (by default
 * {@code dev.stdb.secure/keyring}) and the key as its account, so a person finds them in their keyring tool:
 * <ul>
 * <li>Linux (Secret Service: GNOME Keyring, KeePassXC, KWallet): item label
 *     {@code SpacetimeDB secure client: <key> (<service>)}, attributes {@code service}, {@code account},
 *     {@code xdg:schema=dev.stdb.secure.Credential}, in the default collection;
 *     {@code secret-tool lookup service <service> account <key>} prints the value;</li>
 * <li>macOS Keychain and Windows Credential Manager (through java-keyring): service and account only, values as
 *     Base64 text, and an index item for {@link #list()} (see the README).</li>
 * </ul>
 *
 * <p>A locked keyring throws {@link CredentialStoreException} with {@code STORE_LOCKED}; no bus, no keyring daemon or
 * no keyring at all throws it with {@code STORE_UNAVAILABLE}. The store never prompts and never unlocks anything;
 * the core then falls back to the next store. Threat model: any process running as the same user in the unlocked
 * session can read these items.
 *
 * <p>Thread-safe; {@link #close()} releases the D-Bus connection.
 */
public final class KeyringCredentialStore implements CredentialStore, AutoCloseable {

    /** The default service prefix; the store id is appended: {@code dev.stdb.secure/keyring}. */
    public static final String DEFAULT_SERVICE_PREFIX = "dev.stdb.secure";

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int MAX_KEY_LENGTH = 1024;

    /** Which keyring to use. */
    public enum Platform {
        /** Chosen by {@code os.name}: Keychain on macOS, Credential Manager on Windows, else the Secret Service. */
        AUTO,
        /** The freedesktop.org Secret Service over the D-Bus session bus. */
        SECRET_SERVICE,
        /** The macOS Keychain (java-keyring, JNA). */
        MACOS_KEYCHAIN,
        /** The Windows Credential Manager (java-keyring, JNA). */
        WINDOWS_CREDENTIAL_MANAGER;

        /** Parses {@code auto}, {@code secret-service}, {@code macos-keychain}, {@code windows-credential-manager}. */
        public static Platform parse(String text) {
            String t = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
            if (t.isEmpty()) {
                return AUTO;
            }
            try {
                return valueOf(t);
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException("platform: '" + text + "' is not auto, secret-service,"
                        + " macos-keychain or windows-credential-manager");
            }
        }

        Platform resolve() {
            if (this != AUTO) {
                return this;
            }
            String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
            if (os.startsWith("mac") || os.contains("darwin")) {
                return MACOS_KEYCHAIN;
            }
            if (os.startsWith("windows")) {
                return WINDOWS_CREDENTIAL_MANAGER;
            }
            return SECRET_SERVICE;
        }
    }

    private final String id;
    private final String service;
    private final Platform platform;
    private final String dbusAddress;
    private final Duration timeout;
    private final Object lock = new Object();
    private volatile KeyringBackend backend;
    private volatile boolean closed;

    private KeyringCredentialStore(Builder b) {
        this.id = b.id;
        this.service = b.servicePrefix + "/" + b.id;
        this.platform = b.platform.resolve();
        this.dbusAddress = b.dbusAddress;
        this.timeout = b.timeout;
    }

    /**
     * A builder for the store named {@code storeId} (letters, digits, {@code .}, {@code _}, {@code -}; the
     * {@value CredentialStore#STORE_ID} connections select on).
     */
    public static Builder builder(String storeId) {
        return new Builder(storeId);
    }

    /** Configures a {@link KeyringCredentialStore}. */
    public static final class Builder {
        private final String id;
        private String servicePrefix = DEFAULT_SERVICE_PREFIX;
        private Platform platform = Platform.AUTO;
        private String dbusAddress;
        private Duration timeout = Duration.ofSeconds(10);

        private Builder(String id) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new ConfigurationException("store.id: '" + id + "' must be 1 to 64 letters, digits, '.', '_'"
                        + " or '-', starting with a letter or digit");
            }
            this.id = id;
        }

        /** The service name prefix; items get {@code <prefix>/<store id>}. Default {@value #DEFAULT_SERVICE_PREFIX}. */
        public Builder servicePrefix(String prefix) {
            if (prefix == null || prefix.isBlank() || prefix.chars().anyMatch(Character::isISOControl)) {
                throw new ConfigurationException("service.name: must be non-blank text without control characters");
            }
            this.servicePrefix = prefix.trim();
            return this;
        }

        /** Which keyring; default {@link Platform#AUTO}. */
        public Builder platform(Platform platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
            return this;
        }

        /**
         * The D-Bus address of the session bus (Secret Service only), such as {@code unix:path=/run/user/1000/bus};
         * null or blank (the default) means the bus named by {@code DBUS_SESSION_BUS_ADDRESS}.
         */
        public Builder dbusAddress(String address) {
            this.dbusAddress = address == null || address.isBlank() ? null : address.trim();
            return this;
        }

        /** How long one keyring call may wait (Secret Service only); default 10 s. */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new ConfigurationException("timeout.millis: must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** The store; it connects to the keyring on first use, so building never blocks or fails on the keyring. */
        public KeyringCredentialStore build() {
            return new KeyringCredentialStore(this);
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Protection protection() {
        return Protection.OS;
    }

    /** The service name every item of this store carries: {@code <prefix>/<store id>}. */
    public String serviceName() {
        return service;
    }

    /** The keyring in use (after {@link Platform#AUTO} is resolved). */
    public Platform platform() {
        return platform;
    }

    /** The label a person sees for {@code key} in their keyring tool (where the platform has labels). */
    public String labelFor(String key) {
        return "SpacetimeDB secure client: " + key + " (" + service + ")";
    }

    private KeyringBackend backend() {
        KeyringBackend b = backend;
        if (b != null) {
            return b;
        }
        synchronized (lock) {
            if (closed) {
                throw new CredentialStoreException(dev.stdb.secure.api.ReasonCode.STORE_UNAVAILABLE,
                        "keyring store '" + id + "' is closed");
            }
            if (backend == null) {
                backend = switch (platform) {
                    case MACOS_KEYCHAIN -> new JavaKeyringBackend(KeyringStorageType.OSX_KEYCHAIN);
                    case WINDOWS_CREDENTIAL_MANAGER ->
                            new JavaKeyringBackend(KeyringStorageType.WINDOWS_CREDENTIAL_STORE);
                    default -> new SecretServiceBackend(dbusAddress, timeout.toMillis());
                };
            }
            return backend;
        }
    }

    private static String checkKey(String key) {
        if (key == null || key.isBlank() || key.length() > MAX_KEY_LENGTH
                || key.chars().anyMatch(c -> c == 0 || c == '\n' || c == '\r')) {
            throw new IllegalArgumentException("key must be 1 to " + MAX_KEY_LENGTH
                    + " characters, not blank, without NUL or line breaks");
        }
        return key;
    }

    @Override
    public Optional<Secret> read(String key) throws CredentialStoreException {
        return backend().read(service, checkKey(key));
    }

    @Override
    public void write(String key, Secret value) throws CredentialStoreException {
        Objects.requireNonNull(value, "value");
        backend().write(service, checkKey(key), labelFor(key), value);
    }

    @Override
    public boolean delete(String key) throws CredentialStoreException {
        return backend().delete(service, checkKey(key));
    }

    @Override
    public Set<String> list() throws CredentialStoreException {
        return backend().accounts(service);
    }

    /** Releases the keyring connection; later calls throw {@code STORE_UNAVAILABLE}. */
    @Override
    public void close() {
        KeyringBackend b;
        synchronized (lock) {
            closed = true;
            b = backend;
        }
        if (b != null) {
            b.close();
        }
    }

    @Override
    public String toString() {
        return "KeyringCredentialStore[id=" + id + ", service=" + service + ", platform=" + platform + "]";
    }
}
