package dev.stdb.secure.store.file.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.file.EncryptedFileStore;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One encrypted file store per factory configuration {@code dev.stdb.secure.store.file~<name>}. The configuration
 * is checked at activation (a bad value or a passphrase variable that is not set fails it with a
 * {@link ConfigurationException} naming the property, logged by SCR, and SCR then hands out no service object); the
 * store itself is opened on first use, so Argon2id never runs in {@code @Activate}. With {@code key.source=keyservice}
 * the store opens with the KeyService bound at that moment and is opened again when that KeyService is replaced; with
 * {@code key.source=keyring} likewise with the CredentialStore ({@code keyring.target}) holding the key-encryption key
 * in entry {@code keyring.entry} (default {@code stdb-file-store-kek/<store.id>}).
 *
 * <p>The component emits no CREDENTIAL_READ/WRITTEN/DELETED events: the core emits them around its store calls.
 * Tampering, wrong keys and permission refusals are logged ({@code System.Logger dev.stdb.secure.store.file}) as
 * STORE_FAILURE events, and reach the core as exceptions with their reason codes.
 */
@Designate(ocd = FileStoreConfig.class, factory = true)
// Immediate: activation is cheap (it only checks the configuration), and a configuration it rejects then leaves no
// registered service behind for a connection to bind to and get null from.
@Component(configurationPid = FileStoreComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = CredentialStore.class, property = CredentialStore.STORE_ID + "=file", immediate = true)
public final class FileStoreComponent implements CredentialStore {

    public static final String PID = "dev.stdb.secure.store.file";
    private static final System.Logger LOG = System.getLogger("dev.stdb.secure.store.file");

    private final FileStoreConfig config;
    private final Function<String, String> env;
    private final SecurityEventSink events;
    private final Path path;
    private final String source;
    private final String keyringEntry;

    /** The KeyService for key.source=keyservice, selected by {@code key.service.target}; may come and go. */
    @Reference(name = "key.service", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile KeyService keyService;

    /**
     * The store keeping the key-encryption key for key.source=keyring, selected by {@code keyring.target}; by default
     * any CredentialStore but a file store (never this one, whose key it holds).
     */
    @Reference(name = "keyring", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY, target = "(!(component.name=" + COMPONENT_NAME + "))")
    volatile CredentialStore keyringStore;

    static final String COMPONENT_NAME = "dev.stdb.secure.store.file.internal.FileStoreComponent";

    private EncryptedFileStore store;
    private Object storeKeyHolder;

    @Activate
    public FileStoreComponent(FileStoreConfig config) {
        this(config, System::getenv, FileStoreComponent::log);
    }

    /** For tests: the environment and the event sink are injected. */
    FileStoreComponent(FileStoreConfig config, Function<String, String> env, SecurityEventSink events) {
        this.config = config;
        this.env = env;
        this.events = events;
        if (config.store_id() == null || config.store_id().isBlank()) {
            throw new ConfigurationException("store.id: must not be empty");
        }
        String p = config.path() == null ? "" : config.path().trim();
        if (p.isEmpty()) {
            throw new ConfigurationException("path: required (the absolute path of the store directory)");
        }
        try {
            this.path = Path.of(p);
        } catch (InvalidPathException e) {
            throw new ConfigurationException("path: '" + p + "' is not a valid path", e);
        }
        if (!path.isAbsolute()) {
            throw new ConfigurationException("path: '" + p + "' must be absolute");
        }
        String source = config.key_source() == null ? "" : config.key_source().trim().toLowerCase(Locale.ROOT);
        String entry = null;
        switch (source) {
            case "passphrase":
                passphraseVariable();
                break;
            case "keyservice":
                if (config.keyservice_alias() == null || config.keyservice_alias().isBlank()) {
                    throw new ConfigurationException("keyservice.alias: required with key.source=keyservice");
                }
                break;
            case "keyring":
                entry = config.keyring_entry() == null || config.keyring_entry().isBlank()
                        ? "stdb-file-store-kek/" + config.store_id().trim() : config.keyring_entry().trim();
                if (entry.chars().anyMatch(ch -> ch == 0 || ch == '\n' || ch == '\r')) {
                    throw new ConfigurationException("keyring.entry: must not contain NUL or line breaks");
                }
                break;
            default:
                throw new ConfigurationException("key.source: '" + config.key_source()
                        + "' is not passphrase, keyservice or keyring");
        }
        this.source = source;
        this.keyringEntry = entry;
        argon2Check("argon2.parallelism", config.argon2_parallelism(), 1, StoreFormat.MAX_PARALLELISM);
        argon2Check("argon2.iterations", config.argon2_iterations(), 1, StoreFormat.MAX_ITERATIONS);
        argon2Check("argon2.memory.kib", config.argon2_memory_kib(), 8 * config.argon2_parallelism(),
                StoreFormat.MAX_MEMORY_KIB);
    }

    private static void argon2Check(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new ConfigurationException(property + ": must be " + min + ".." + max + ", got " + value);
        }
    }

    /** The passphrase variable's name, after checking it is set; its value is never kept nor shown. */
    private String passphraseVariable() {
        String var = config.passphrase_env() == null ? "" : config.passphrase_env().trim();
        if (var.isEmpty()) {
            throw new ConfigurationException("passphrase.env: required with key.source=passphrase (the name of the"
                    + " environment variable holding the passphrase)");
        }
        String value = env.apply(var);
        if (value == null || value.isEmpty()) {
            throw new ConfigurationException("passphrase.env: environment variable '" + var + "' is not set");
        }
        return var;
    }

    private Secret passphrase() {
        String value = env.apply(passphraseVariable());
        return Secret.ofString(value);
    }

    private synchronized EncryptedFileStore store() {
        Object holder;
        switch (source) {
            case "keyservice":
                holder = keyService;
                break;
            case "keyring":
                CredentialStore k = keyringStore;
                holder = k == this || k instanceof FileStoreComponent ? null : k;
                break;
            default:
                holder = null;
        }
        if (store != null && holder == storeKeyHolder) {
            return store;
        }
        if (store != null) {
            store.close();
            store = null;
        }
        EncryptedFileStore.Builder b = EncryptedFileStore.builder(path).id(config.store_id().trim())
                .argon2(config.argon2_memory_kib(), config.argon2_iterations(), config.argon2_parallelism())
                .allowNonPosixFileSystem(config.allow_non_posix()).events(events);
        if (source.equals("keyservice")) {
            if (holder == null) {
                String target = config.key_service_target();
                throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "store '" + config.store_id()
                        + "': no KeyService bound for key '" + config.keyservice_alias().trim() + "'"
                        + (target == null || target.isBlank() ? "" : " (key.service.target " + target + ")"));
            }
            b.keyService((KeyService) holder, config.keyservice_alias().trim());
        } else if (source.equals("keyring")) {
            if (holder == null) {
                String target = config.keyring_target();
                throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "store '" + config.store_id()
                        + "' (" + path + "): no keyring CredentialStore bound for key-encryption key entry '"
                        + keyringEntry + "'" + (target == null || target.isBlank() ? "" : " (keyring.target "
                        + target + ")"));
            }
            b.keyStore((CredentialStore) holder, keyringEntry);
        } else {
            b.passphrase(this::passphrase);
        }
        store = b.open();
        storeKeyHolder = holder;
        return store;
    }

    @Deactivate
    synchronized void deactivate() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    public String id() {
        return config.store_id().trim();
    }

    @Override
    public Protection protection() {
        return Protection.ENCRYPTED_FILE;
    }

    @Override
    public Optional<Secret> read(String key) throws CredentialStoreException {
        return store().read(key);
    }

    @Override
    public void write(String key, Secret value) throws CredentialStoreException {
        store().write(key, value);
    }

    @Override
    public boolean delete(String key) throws CredentialStoreException {
        return store().delete(key);
    }

    @Override
    public Set<String> list() throws CredentialStoreException {
        return store().list();
    }

    @Override
    public String toString() {
        return "FileStoreComponent[id=" + id() + ", path=" + path + ", key.source=" + source
                + (keyringEntry == null ? "" : ", keyring.entry=" + keyringEntry) + "]";
    }

    private static void log(SecurityEvent event) {
        System.Logger.Level level = event.outcome() == Outcome.FAILURE ? System.Logger.Level.WARNING
                : System.Logger.Level.INFO;
        LOG.log(level, () -> event.type() + " " + event.outcome() + " " + event.details());
    }
}
