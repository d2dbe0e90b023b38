package dev.stdb.secure.store.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one encrypted file store (factory PID {@code dev.stdb.secure.store.file}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure encrypted file store",
        description = "A CredentialStore in an owner-only directory, encrypted with AES-256-GCM under a key from a"
                + " passphrase (Argon2id), wrapped by a KeyService, or wrapped under a key kept in the OS keyring.")
public @interface FileStoreConfig {

    @AttributeDefinition(name = "Store id", description = "Registered as service property store.id;"
            + " connections select a store with store.target.")
    String store_id() default "file";

    @AttributeDefinition(name = "Store directory", description = "Absolute path of the store's directory, created"
            + " with mode 0700 if missing.")
    String path() default "";

    @AttributeDefinition(name = "Key source", description = "passphrase, keyservice or keyring.")
    String key_source() default "passphrase";

    @AttributeDefinition(name = "Environment variable holding the passphrase", required = false,
            description = "The name of the variable, never the passphrase itself.")
    String passphrase_env() default "";

    @AttributeDefinition(name = "KeyService key alias", required = false,
            description = "With key.source=keyservice: the key that wraps the store's data key.")
    String keyservice_alias() default "";

    @AttributeDefinition(name = "KeyService filter", required = false,
            description = "LDAP filter selecting the KeyService, e.g. (id=pkcs11-softhsm).")
    // No default on purpose: a default becomes a component property, and SCR takes an empty target as an invalid
    // filter that matches nothing. Unset, it reads as null and means "any KeyService".
    String key_service_target();

    @AttributeDefinition(name = "Keyring entry", required = false,
            description = "With key.source=keyring: the entry of the keyring store holding the key-encryption key;"
                    + " empty means stdb-file-store-kek/<store.id>.")
    String keyring_entry() default "";

    @AttributeDefinition(name = "Keyring store filter", required = false,
            description = "With key.source=keyring: LDAP filter selecting the CredentialStore that keeps the"
                    + " key-encryption key, e.g. (store.id=keyring).")
    // No default, as key.service.target: unset, the reference's own target applies (any store but a file store).
    String keyring_target();

    @AttributeDefinition(name = "Argon2id memory (KiB)", description = "For new stores and rotations; an existing"
            + " store opens with the parameters in its header.")
    int argon2_memory_kib() default 65536;

    @AttributeDefinition(name = "Argon2id iterations")
    int argon2_iterations() default 3;

    @AttributeDefinition(name = "Argon2id parallelism")
    int argon2_parallelism() default 1;

    @AttributeDefinition(name = "Accept a file system without POSIX permissions",
            description = "Only where the directory's ACL already limits access to its owner.")
    boolean allow_non_posix() default false;

    @AttributeDefinition(name = "Service ranking", description = "Higher is preferred; the core falls back along"
            + " the ranking order.")
    int service_ranking() default 0;
}
