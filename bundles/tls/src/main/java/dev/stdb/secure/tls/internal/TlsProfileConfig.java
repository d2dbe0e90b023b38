package dev.stdb.secure.tls.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one TLS profile (factory PID {@code dev.stdb.secure.tls}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure TLS profile",
        description = "Trust anchors, certificate pins and protocol policy of one TlsContextProvider.")
public @interface TlsProfileConfig {

    @AttributeDefinition(name = "Profile name", description = "Registered as service property tls.profile.")
    String tls_profile() default "default";

    @AttributeDefinition(name = "Trust the system store")
    boolean trust_system() default true;

    @AttributeDefinition(name = "PEM bundle of trusted CAs", required = false)
    String trust_pem() default "";

    @AttributeDefinition(name = "JKS or PKCS12 trust store", required = false)
    String trust_keystore() default "";

    @AttributeDefinition(name = "Trust store type")
    String trust_keystore_type() default "PKCS12";

    @AttributeDefinition(name = "Environment variable holding the trust store password", required = false,
            description = "The name of the variable, never the password itself.")
    String trust_keystore_password_env() default "";

    @AttributeDefinition(name = "Pins", required = false,
            description = "host-pattern|pin1,pin2[|expires=YYYY-MM-DD][|mode=report-only]; pins are sha256/<base64>"
                    + " of the SPKI or cert-sha256/<base64>; at least two per host. In a .cfg file separate pin sets with ';'.")
    String[] pins() default {};

    @AttributeDefinition(name = "Days of PIN_EXPIRING warnings before a pin set expires", min = "0")
    int pin_expiry_warning_days() default 30;

    @AttributeDefinition(name = "Allowed TLS versions", description = "TLSv1.3 and/or TLSv1.2 (comma-separated in a .cfg file).")
    String[] protocols() default {"TLSv1.3", "TLSv1.2"};

    @AttributeDefinition(name = "Allowed cipher suites", required = false,
            description = "Empty means the JDK's enabled suites; weak suites are refused.")
    String[] cipher_suites() default {};

    @AttributeDefinition(name = "Client certificate PKCS#12 file", required = false)
    String client_pkcs12() default "";

    @AttributeDefinition(name = "Environment variable holding the PKCS#12 password", required = false,
            description = "The name of the variable, never the password itself.")
    String client_pkcs12_password_env() default "";

    @AttributeDefinition(name = "Client private key (PKCS#8 PEM)", required = false)
    String client_pem_key() default "";

    @AttributeDefinition(name = "Client certificate chain (PEM)", required = false)
    String client_pem_chain() default "";

    @AttributeDefinition(name = "Environment variable holding the PEM key password", required = false,
            description = "Only for an encrypted PKCS#8 key; the name of the variable, never the password.")
    String client_pem_key_password_env() default "";

    @AttributeDefinition(name = "Client key alias", required = false,
            description = "The alias presented when client.aliases is empty; with no file source, the KeyService alias.")
    String client_key_alias() default "";

    @AttributeDefinition(name = "Client aliases per host", required = false,
            description = "host-pattern|alias (';' between entries in a .cfg file); hosts matching none get no certificate.")
    String[] client_aliases() default {};

    @AttributeDefinition(name = "JSSE provider", required = false,
            description = "jdk (default) or BCJSSE for Bouncy Castle's JSSE (bctls must be installed).")
    String jsse_provider() default "jdk";

    @AttributeDefinition(name = "KeyService filter", required = false,
            description = "LDAP filter selecting the KeyService that holds the client key, e.g. (id=pkcs11-softhsm).")
    String key_service_target() default "";

    @AttributeDefinition(name = "Revocation mode",
            description = "off, soft-fail (revoked certificates refused, undeterminable status reported and tolerated;"
                    + " certificates naming no OCSP URL nor CRL distribution point pass silently) or hard-fail"
                    + " (undeterminable status refused too).")
    String revocation_mode() default "soft-fail";

    @AttributeDefinition(name = "Revocation sources", description = "ocsp and/or crl, in preference order"
            + " (comma-separated in a .cfg file). A stapled OCSP response is always used first.")
    String[] revocation_sources() default {"ocsp", "crl"};

    @AttributeDefinition(name = "Check intermediates",
            description = "Check every certificate of the validated path except the trust anchor, not only the leaf.")
    boolean revocation_check_intermediates() default true;

    @AttributeDefinition(name = "Revocation cache seconds", min = "0",
            description = "Longest time a result is kept (never beyond the response's nextUpdate); 0 disables it.")
    long revocation_cache_seconds() default 3600;

    @AttributeDefinition(name = "Revocation network timeout (ms)", min = "1")
    int revocation_timeout_millis() default 5000;

    @AttributeDefinition(name = "OCSP responder override", required = false,
            description = "An http URL asked for every certificate instead of the one in its AIA extension.")
    String revocation_ocsp_responder() default "";
}
