package dev.stdb.secure.audit.file.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one file audit trail (factory PID {@code dev.stdb.secure.audit.file}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure file audit trail",
        description = "Hash-chained JSON Lines segments with checkpoints signed by a KeyService key or a PKCS#12 key.")
public @interface FileAuditConfig {

    @AttributeDefinition(name = "Directory", description = "Absolute path of the directory holding the segments;"
            + " created if missing.")
    String directory() default "";

    @AttributeDefinition(name = "Segment size limit (bytes)", description = "Rotate before a segment would grow"
            + " past this; 0 for no limit.")
    long segment_max_bytes() default 16L * 1024 * 1024;

    @AttributeDefinition(name = "Segment age limit (seconds)", description = "Rotate once a segment is this old;"
            + " 0 for no limit.")
    long segment_max_seconds() default 86400;

    @AttributeDefinition(name = "Checkpoint every N event records", description = "0 for time-based only.")
    long checkpoint_every_records() default 1000;

    @AttributeDefinition(name = "Checkpoint every N seconds", description = "While events arrive; 0 for"
            + " count-based only.")
    long checkpoint_every_seconds() default 300;

    @AttributeDefinition(name = "KeyService filter", required = false,
            description = "LDAP filter selecting the KeyService that signs checkpoints, e.g. (id=pkcs11-softhsm).")
    // No default on purpose: a default becomes a component property, and SCR takes an empty target as an invalid
    // filter that matches nothing. Unset, it reads as null and means "any KeyService".
    String key_service_target();

    @AttributeDefinition(name = "KeyService signing key alias", required = false,
            description = "An EC key of the KeyService; checkpoints are signed with SHA256withECDSA.")
    String signing_alias() default "";

    @AttributeDefinition(name = "PKCS#12 keystore", required = false,
            description = "Instead of a KeyService: path of a PKCS#12 file holding an EC key and its certificate.")
    String keystore_path() default "";

    @AttributeDefinition(name = "Environment variable holding the keystore password", required = false,
            description = "The name of the variable, never the password itself.")
    String keystore_password_env() default "";

    @AttributeDefinition(name = "Keystore key alias", required = false)
    String keystore_alias() default "";

    @AttributeDefinition(name = "Verification certificate", required = false,
            description = "X.509 certificate (PEM or DER) whose key checkpoints must be signed with; by default the"
                    + " signing key's public key.")
    String certificate_path() default "";
}
