package dev.stdb.secure.auth.apikey.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one API key provider (factory PID {@code dev.stdb.secure.auth.apikey}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure API key provider",
        description = "An API key from the connection's credential store, sent as bearer or exchanged for a JWT.")
public @interface ApiKeyConfig {

    @AttributeDefinition(name = "Provider id", description = "Registered as service property provider.id.")
    String provider_id();

    @AttributeDefinition(name = "Key name",
            description = "The credential store entry holding the key; during a rotation the new key is <name>.next.")
    String key_name();

    @AttributeDefinition(name = "Mode", description = "bearer, client-credentials or token-exchange.")
    String mode() default "bearer";

    @AttributeDefinition(name = "Token endpoint", required = false,
            description = "https (http only on loopback); required unless mode=bearer.")
    String token_endpoint() default "";

    @AttributeDefinition(name = "Client id", required = false,
            description = "client-credentials: the client whose secret the key is; token-exchange: this client.")
    String client_id() default "";

    @AttributeDefinition(name = "Environment variable holding the client secret", required = false,
            description = "token-exchange only; the name of the variable, never the secret itself.")
    String client_secret_env() default "";

    @AttributeDefinition(name = "Client authentication",
            description = "client_secret_post (default: the secret in the form body, zeroed after the request) or"
                    + " client_secret_basic (an Authorization header: a String that stays on the heap until collected;"
                    + " only for an IdP that refuses client_secret_post).")
    String client_auth() default "client_secret_post";

    @AttributeDefinition(name = "Scope", required = false)
    String scope() default "";

    @AttributeDefinition(name = "Audience", required = false)
    String audience() default "";

    @AttributeDefinition(name = "Subject token type", description = "token-exchange: the RFC 8693 type of the key.")
    String subject_token_type() default TokenEndpoint.ACCESS_TOKEN_TYPE;

    @AttributeDefinition(name = "Timeout (seconds) of a token request", min = "1")
    int timeout_seconds() default 10;
}
