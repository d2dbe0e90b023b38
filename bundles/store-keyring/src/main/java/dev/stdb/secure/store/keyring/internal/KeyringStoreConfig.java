package dev.stdb.secure.store.keyring.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one keyring store (factory PID {@code dev.stdb.secure.store.keyring}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure OS keyring store",
        description = "A CredentialStore in the OS keyring: Secret Service (Linux), Keychain (macOS),"
                + " Credential Manager (Windows).")
public @interface KeyringStoreConfig {

    @AttributeDefinition(name = "Store id", description = "Registered as service property store.id; connections"
            + " select a store with store.target, e.g. (store.id=keyring).")
    String store_id() default "keyring";

    @AttributeDefinition(name = "Service name prefix", description = "Items carry the service name"
            + " <prefix>/<store.id>, e.g. dev.stdb.secure/keyring, and the key as account.")
    String service_name() default "dev.stdb.secure";

    @AttributeDefinition(name = "Service ranking", description = "Stores are tried highest first; the core falls"
            + " back to the next one when this keyring is locked or unavailable.")
    int service_ranking() default 100;

    @AttributeDefinition(name = "Platform", description = "auto, secret-service, macos-keychain or"
            + " windows-credential-manager.")
    String platform() default "auto";

    @AttributeDefinition(name = "D-Bus address", required = false, description = "Secret Service only: the session"
            + " bus address; empty means DBUS_SESSION_BUS_ADDRESS of the JVM.")
    String dbus_address() default "";

    @AttributeDefinition(name = "Call timeout (ms)", min = "1")
    int timeout_millis() default 10000;
}
