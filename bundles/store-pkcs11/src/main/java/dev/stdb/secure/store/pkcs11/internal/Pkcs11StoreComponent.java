package dev.stdb.secure.store.pkcs11.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.store.pkcs11.Pkcs11Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.function.Function;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link Pkcs11Store} per factory configuration {@code dev.stdb.secure.store.pkcs11~<name>}, registered as both a
 * {@link CredentialStore} and a {@link KeyService} with service properties {@code store.id} and {@code id} (both the
 * configured {@code store.id}) and {@code service.ranking}. The component registers the services itself so that both
 * carry the same derived properties.
 *
 * <p>A configuration error fails activation with a {@link ConfigurationException} naming the property (a PIN variable
 * that is not set is named, its value is never shown). Nothing touches the token in activation: the first call opens
 * it, so an absent token is a {@code CredentialStoreException} from that call and the store recovers when it appears.
 */
@Designate(ocd = Pkcs11StoreConfig.class, factory = true)
@Component(configurationPid = Pkcs11StoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {})
public final class Pkcs11StoreComponent {

    public static final String PID = "dev.stdb.secure.store.pkcs11";

    private final Pkcs11Store store;
    private final ServiceRegistration<?> registration;

    @Activate
    public Pkcs11StoreComponent(BundleContext context, Pkcs11StoreConfig config) {
        this.store = build(config, System::getenv);
        this.registration = context.registerService(
                new String[] {CredentialStore.class.getName(), KeyService.class.getName()}, store,
                properties(config));
    }

    @Deactivate
    void deactivate() {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework is stopping
        }
        store.close();
    }

    /** The service properties: {@code store.id}, {@code id} and {@code service.ranking}. */
    static Dictionary<String, Object> properties(Pkcs11StoreConfig config) {
        Hashtable<String, Object> p = new Hashtable<>();
        String id = config.store_id().trim();
        p.put(CredentialStore.STORE_ID, id);
        p.put("id", id);
        p.put(Constants.SERVICE_RANKING, config.service_ranking());
        p.put("protection", "HARDWARE");
        return p;
    }

    /** The store the configuration describes; {@code env} resolves {@code pin.env}. */
    static Pkcs11Store build(Pkcs11StoreConfig config, Function<String, String> env) {
        Pkcs11Store.Builder b = Pkcs11Store.builder();
        if (config.store_id() == null || config.store_id().isBlank()) {
            throw new ConfigurationException("store.id: must not be blank");
        }
        b.id(config.store_id());
        b.library(path("library", config.library()));
        int selectors = (config.slot() >= 0 ? 1 : 0) + (config.slot_list_index() >= 0 ? 1 : 0)
                + (config.token_label().isBlank() ? 0 : 1);
        if (selectors > 1) {
            throw new ConfigurationException("slot, slot.list.index, token.label: set only one of them");
        }
        if (config.slot() < -1) {
            throw new ConfigurationException("slot: must be a slot id (0 or more), got " + config.slot());
        }
        if (config.slot_list_index() < -1) {
            throw new ConfigurationException("slot.list.index: must be 0 or more, got " + config.slot_list_index());
        }
        if (config.slot() >= 0) {
            b.slot(config.slot());
        } else if (config.slot_list_index() >= 0) {
            b.slotListIndex(config.slot_list_index());
        } else if (!config.token_label().isBlank()) {
            b.tokenLabel(config.token_label());
        }
        boolean hasEnv = !config.pin_env().isBlank();
        boolean hasFile = !config.pin_file().isBlank();
        if (hasEnv == hasFile) {
            throw new ConfigurationException("pin.env, pin.file: set exactly one of them");
        }
        if (hasEnv) {
            String var = config.pin_env().trim();
            if (env.apply(var) == null) {
                throw new ConfigurationException("pin.env: environment variable '" + var + "' is not set");
            }
            b.pin(() -> {
                String value = env.apply(var);
                return value == null ? null : value.toCharArray();
            });
        } else {
            Path file = path("pin.file", config.pin_file());
            if (!Files.isRegularFile(file)) {
                throw new ConfigurationException("pin.file: " + file + " does not exist");
            }
            try {
                if (BlobFiles.notOwnerOnly(file)) {
                    throw new ConfigurationException("pin.file: " + file
                            + " is readable by group or others; chmod 600 it");
                }
            } catch (IOException e) {
                throw new ConfigurationException("pin.file: " + file + " cannot be checked ("
                        + e.getClass().getSimpleName() + ")", e);
            }
            b.pinFile(file);
        }
        b.dataDir(path("data.dir", config.data_dir()));
        if (config.wrap_key_alias() == null || config.wrap_key_alias().isBlank()) {
            throw new ConfigurationException("wrap.key.alias: must not be blank");
        }
        b.wrapKeyAlias(config.wrap_key_alias());
        return b.build();
    }

    private static Path path(String property, String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigurationException(property + ": required");
        }
        try {
            return Path.of(value.trim());
        } catch (InvalidPathException e) {
            throw new ConfigurationException(property + ": '" + value + "' is not a path", e);
        }
    }
}
