package dev.stdb.secure.store.keyring.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One keyring {@link CredentialStore} per factory configuration {@code dev.stdb.secure.store.keyring~<name>}. The
 * configuration's {@code store.id} and {@code service.ranking} become service properties (the defaults below apply
 * when the configuration leaves them out). Activation never touches the keyring: a locked or absent keyring shows up
 * as a typed exception on use, and the core falls back to the next store.
 */
@Designate(ocd = KeyringStoreConfig.class, factory = true)
@Component(configurationPid = KeyringStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = CredentialStore.class,
        property = {CredentialStore.STORE_ID + "=keyring", "service.ranking:Integer=100"})
public final class KeyringStoreComponent implements CredentialStore {

    public static final String PID = "dev.stdb.secure.store.keyring";

    private final KeyringCredentialStore store;

    @Activate
    public KeyringStoreComponent(KeyringStoreConfig config) {
        this.store = build(config);
    }

    static KeyringCredentialStore build(KeyringStoreConfig config) {
        if (config.timeout_millis() <= 0) {
            throw new dev.stdb.secure.api.ConfigurationException("timeout.millis: must be positive, got "
                    + config.timeout_millis());
        }
        return KeyringCredentialStore.builder(config.store_id() == null ? null : config.store_id().trim())
                .servicePrefix(config.service_name())
                .platform(KeyringCredentialStore.Platform.parse(config.platform()))
                .dbusAddress(config.dbus_address())
                .timeout(Duration.ofMillis(config.timeout_millis()))
                .build();
    }

    /** The store behind this component (for tests). */
    KeyringCredentialStore store() {
        return store;
    }

    @Deactivate
    void deactivate() {
        store.close();
    }

    @Override
    public String id() {
        return store.id();
    }

    @Override
    public Protection protection() {
        return store.protection();
    }

    @Override
    public Optional<Secret> read(String key) throws CredentialStoreException {
        return store.read(key);
    }

    @Override
    public void write(String key, Secret value) throws CredentialStoreException {
        store.write(key, value);
    }

    @Override
    public boolean delete(String key) throws CredentialStoreException {
        return store.delete(key);
    }

    @Override
    public Set<String> list() throws CredentialStoreException {
        return store.list();
    }

    @Override
    public String toString() {
        return store.toString();
    }
}
