package dev.stdb.secure.core.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One connection, from a factory configuration of PID {@value ConnectionComponent#PID}. */
@ObjectClassDefinition(name = "SpacetimeDB connection",
        description = "A connection to one SpacetimeDB database, composed from the bound providers.")
public @interface ConnectionConfig {

    @AttributeDefinition(name = "Name", description = "Names the connection; its Connection service carries it as 'name'.")
    String name() default "default";

    @AttributeDefinition(name = "Server URI", description = "ws://, wss://, http:// or https://, with an optional path prefix.")
    String uri();

    @AttributeDefinition(name = "Database", description = "The database name or identity.")
    String database();

    @AttributeDefinition(name = "Auth provider", description = "LDAP filter on provider.id, e.g. (provider.id=oauth2-svc). "
            + "Empty: connect anonymously and keep the minted token in the credential store.")
    String auth_target() default "";

    @AttributeDefinition(name = "TLS profile", description = "LDAP filter on tls.profile. Empty: the JDK's defaults for wss.")
    String tls_target() default "";

    @AttributeDefinition(name = "Credential stores", description = "LDAP filter on store.id; stores are used in ranking order.")
    String store_target() default "";

    @AttributeDefinition(name = "Compression", description = "What the server compresses frames with: None, Gzip or Brotli.")
    String compression() default "Gzip";

    @AttributeDefinition(name = "Reconnect", description = "Reconnect automatically after a drop.")
    boolean reconnect_enabled() default true;

    @AttributeDefinition(name = "Reconnect base delay (ms)")
    long reconnect_base_millis() default 500;

    @AttributeDefinition(name = "Reconnect maximum delay (ms)")
    long reconnect_cap_millis() default 30_000;

    @AttributeDefinition(name = "Reconnect attempts", description = "0: keep trying.")
    int reconnect_max_attempts() default 0;

    @AttributeDefinition(name = "Token exchange", description = "Send a 60-second token in the upgrade URL instead of the "
            + "Authorization header; only for proxies that strip that header.")
    boolean token_exchange() default false;

    @AttributeDefinition(name = "Timeout (ms)", description = "HTTP requests and the WebSocket handshake.")
    long timeout_millis() default 10_000;
}
