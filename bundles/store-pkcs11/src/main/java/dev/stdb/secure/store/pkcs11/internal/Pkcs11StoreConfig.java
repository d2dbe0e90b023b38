package dev.stdb.secure.store.pkcs11.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one PKCS#11 store (factory PID {@code dev.stdb.secure.store.pkcs11}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure PKCS#11 store",
        description = "A CredentialStore (HARDWARE) and KeyService on one PKCS#11 token through SunPKCS11.")
public @interface Pkcs11StoreConfig {

    @AttributeDefinition(name = "Store id", description = "Registered as service properties store.id and id.")
    String store_id() default "pkcs11";

    @AttributeDefinition(name = "PKCS#11 library", description = "Path of the token's PKCS#11 module,"
            + " e.g. /usr/lib/softhsm/libsofthsm2.so.")
    String library() default "";

    @AttributeDefinition(name = "Slot id", required = false, description = "PKCS#11 slot id; -1 when unused.")
    long slot() default -1;

    @AttributeDefinition(name = "Slot list index", required = false,
            description = "Position in the slot list (SunPKCS11 slotListIndex); -1 when unused. With no slot,"
                    + " slot.list.index nor token.label, index 0 is used.")
    int slot_list_index() default -1;

    @AttributeDefinition(name = "Token label", required = false, description = "Select the token by label (needs the"
            + " JVM option --add-exports jdk.crypto.cryptoki/sun.security.pkcs11.wrapper=ALL-UNNAMED).")
    String token_label() default "";

    @AttributeDefinition(name = "Environment variable holding the user PIN", required = false,
            description = "The name of the variable, never the PIN itself.")
    String pin_env() default "";

    @AttributeDefinition(name = "File holding the user PIN", required = false,
            description = "First line of an owner-only (0600) file.")
    String pin_file() default "";

    @AttributeDefinition(name = "Data directory", description = "Directory of the wrapped credential files"
            + " (created 0700).")
    String data_dir() default "";

    @AttributeDefinition(name = "Wrapping key alias", description = "AES-256 key on the token wrapping credentials;"
            + " generated on first write if absent.")
    String wrap_key_alias() default "stdb-wrap";

    @AttributeDefinition(name = "Service ranking", description = "Stores are tried in ranking order, highest first.")
    int service_ranking() default 300;
}
