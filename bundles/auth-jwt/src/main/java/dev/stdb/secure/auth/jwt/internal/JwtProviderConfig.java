package dev.stdb.secure.auth.jwt.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one JWT provider (factory PID {@code dev.stdb.secure.auth.jwt}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure JWT provider",
        description = "An AuthProvider for externally supplied JWTs, validated against the issuer's JWKS before every use.")
public @interface JwtProviderConfig {

    @AttributeDefinition(name = "Provider id", description = "Registered as service property provider.id;"
            + " connections select it with auth.target=(provider.id=...).")
    String provider_id();

    @AttributeDefinition(name = "Token file", required = false,
            description = "A file holding the token, read at every use (a sidecar may rotate it).")
    String token_file() default "";

    @AttributeDefinition(name = "Token environment variable", required = false,
            description = "The NAME of the variable holding the token, never the token itself.")
    String token_env() default "";

    @AttributeDefinition(name = "Token credential store key", required = false,
            description = "The key of the token in the bound CredentialStore (store.target), else the connection's.")
    String token_store_key() default "";

    @AttributeDefinition(name = "CredentialStore filter", required = false,
            description = "LDAP filter selecting the store that holds token.store.key, e.g. (store.id=keyring).")
    // No default on purpose: SCR takes an empty target as an invalid filter. Unset means any CredentialStore.
    String store_target();

    @AttributeDefinition(name = "Issuer", description = "The exact iss of accepted tokens; discovery reads"
            + " <issuer>/.well-known/openid-configuration unless jwks.uri is set.")
    String issuer();

    @AttributeDefinition(name = "Audience", description = "Accepted aud values; a token must name at least one"
            + " (comma-separated in a .cfg file).")
    String[] audience();

    @AttributeDefinition(name = "JWKS URL", required = false,
            description = "The issuer's JWK set; empty: found by OIDC discovery. https, or http on loopback only.")
    String jwks_uri() default "";

    @AttributeDefinition(name = "Allowed algorithms", description = "JWS alg allow-list (comma-separated in a .cfg"
            + " file); HMAC and none are never accepted.")
    String[] algorithms() default {"RS256", "ES256", "PS256", "EdDSA"};

    @AttributeDefinition(name = "Clock skew (seconds)", min = "0",
            description = "Tolerance for exp, nbf and iat; iss and aud are checked whatever it is.")
    long clock_skew_seconds() default 60;

    @AttributeDefinition(name = "Required claims", required = false,
            description = "Claims every token must carry besides iss, aud and exp (comma-separated in a .cfg file).")
    String[] required_claims() default {"sub"};

    @AttributeDefinition(name = "Least seconds between JWKS fetches", min = "0",
            description = "An unknown kid triggers a refetch at most this often.")
    long jwks_refetch_min_interval_seconds() default 60;

    @AttributeDefinition(name = "Expiry warning (seconds)", min = "0",
            description = "A TOKEN_EXPIRING event is reported this long before the token in use expires.")
    long expiry_warning_seconds() default 300;
}
