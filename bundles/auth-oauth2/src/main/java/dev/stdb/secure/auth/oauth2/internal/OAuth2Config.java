package dev.stdb.secure.auth.oauth2.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one OAuth 2.0 provider (factory PID {@code dev.stdb.secure.auth.oauth2}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure OAuth 2.0 / OIDC provider",
        description = "An AuthProvider that gets tokens from an OAuth 2.0 / OpenID Connect identity provider.")
public @interface OAuth2Config {

    @AttributeDefinition(name = "Provider id", description = "Registered as service property provider.id;"
            + " connections select it with auth.target=(provider.id=...).")
    String provider_id() default "oauth2";

    @AttributeDefinition(name = "Issuer", required = false,
            description = "OIDC discovery: <issuer>/.well-known/openid-configuration. Its issuer must match exactly.")
    String issuer() default "";

    @AttributeDefinition(name = "Token endpoint", required = false,
            description = "Overrides discovery; required when no issuer is set.")
    String token_endpoint() default "";

    @AttributeDefinition(name = "Revocation endpoint", required = false, description = "Overrides discovery.")
    String revocation_endpoint() default "";

    @AttributeDefinition(name = "Client id")
    String client_id();

    @AttributeDefinition(name = "Client authentication",
            description = "client_secret_basic, client_secret_post, private_key_jwt or tls_client_auth (RFC 8705:"
                    + " the client certificate of the TLS profile selected by tls.target, or of private.key.keystore).")
    String client_auth() default "client_secret_basic";

    @AttributeDefinition(name = "Environment variable holding the client secret", required = false,
            description = "The NAME of the variable, never the secret itself.")
    String client_secret_env() default "";

    @AttributeDefinition(name = "Credential-store key of the client secret", required = false,
            description = "Read from the bound CredentialStore (store.target) for each token request.")
    String client_secret_store_key() default "";

    @AttributeDefinition(name = "Private key (unencrypted PKCS#8 PEM file)", required = false)
    String private_key_pem() default "";

    @AttributeDefinition(name = "Key store holding the private key (PKCS12 or JKS)", required = false,
            description = "private_key_jwt: the signing key; tls_client_auth: the client certificate and its key.")
    String private_key_keystore() default "";

    @AttributeDefinition(name = "Key store type")
    String private_key_keystore_type() default "PKCS12";

    @AttributeDefinition(name = "Environment variable holding the key store password", required = false,
            description = "The NAME of the variable, never the password itself.")
    String private_key_keystore_password_env() default "";

    @AttributeDefinition(name = "Key alias", required = false,
            description = "In the key store, or in the bound KeyService (key.service.target) when no file is set.")
    String private_key_alias() default "";

    @AttributeDefinition(name = "Key id (kid) of the client assertion", required = false)
    String private_key_kid() default "";

    @AttributeDefinition(name = "JWS algorithm of the client assertion", required = false,
            description = "Default RS256 for RSA keys, ES256 for EC keys.")
    String private_key_algorithm() default "";

    @AttributeDefinition(name = "CA certificates for the identity provider (PEM file)", required = false,
            description = "tls_client_auth with private.key.keystore: the CAs trusted for the provider's server"
                    + " certificate; default the JVM's trust store. A TLS profile (tls.target) brings its own.")
    String tls_trust_pem() default "";

    @AttributeDefinition(name = "Scopes", required = false,
            description = "Default: none for client_credentials, openid for device_code and authorization_code.")
    String[] scope() default {};

    @AttributeDefinition(name = "Audiences", required = false, description = "Sent as audience parameters.")
    String[] audience() default {};

    @AttributeDefinition(name = "Grant", description = "client_credentials, device_code (RFC 8628: the user code is"
            + " shown through the bound MfaHandler, else on the console) or authorization_code (PKCE S256 with a"
            + " loopback redirect on 127.0.0.1). The interactive grants are public clients unless a secret or key"
            + " is configured, and default to scope openid.")
    String grant() default "client_credentials";

    @AttributeDefinition(name = "Loopback redirect port", min = "0", max = "65535",
            description = "authorization_code: port of http://127.0.0.1:<port>/callback; 0 picks a free one.")
    int redirect_port() default 0;

    @AttributeDefinition(name = "Browser timeout (s)", min = "1",
            description = "authorization_code: how long to wait for the browser's redirect.")
    int browser_timeout_seconds() default 300;

    @AttributeDefinition(name = "Re-acquire when the refresh token is refused",
            description = "false: fail with auth.relogin_required; true: make a new client credentials grant.")
    boolean reacquire_on_invalid_grant() default false;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "1")
    int connect_timeout_ms() default 5000;

    @AttributeDefinition(name = "Read timeout (ms)", min = "1")
    int read_timeout_ms() default 10000;

    @AttributeDefinition(name = "Discovery cache lifetime (s)", min = "1")
    int metadata_ttl_seconds() default 3600;

    @AttributeDefinition(name = "Credential store filter", required = false,
            description = "LDAP filter on store.id of the CredentialStore holding the client secret.")
    // No default on purpose: a default becomes a component property, and SCR takes an empty target as an invalid
    // filter that matches nothing. Unset, it reads as null and means "any CredentialStore".
    String store_target();

    @AttributeDefinition(name = "KeyService filter", required = false,
            description = "LDAP filter selecting the KeyService that signs client assertions.")
    // No default, for the same reason.
    String key_service_target();

    @AttributeDefinition(name = "TLS profile filter", required = false,
            description = "tls_client_auth: LDAP filter on tls.profile selecting the TlsContextProvider whose client"
                    + " certificate, trust anchors and pins are used towards the identity provider,"
                    + " e.g. (tls.profile=idp-mtls).")
    // No default, for the same reason; with tls_client_auth and no private.key.keystore it is required.
    String tls_target();

    @AttributeDefinition(name = "MfaHandler filter", required = false,
            description = "LDAP filter selecting the MfaHandler that shows device codes; none bound: the console.")
    // No default, for the same reason.
    String mfa_target();
}
