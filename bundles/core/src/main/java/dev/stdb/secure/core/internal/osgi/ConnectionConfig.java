package dev.stdb.secure.core.internal.osgi;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One connection, from a factory configuration of PID {@value ConnectionComponent#PID}. */
@ObjectClassDefinition(name = "SpacetimeDB connection",
        description = "A connection to one SpacetimeDB database, composed from the bound providers.")
public @interface ConnectionConfig {
    // The *.target attributes have no default on purpose: a default becomes a component property, and SCR takes an
    // empty target as an invalid filter that matches nothing. Unset, they read as null and mean "any provider".

    @AttributeDefinition(name = "Name", description = "Names the connection; its Connection service carries it as 'name'.")
    String name() default "default";

    @AttributeDefinition(name = "Server URI", description = "ws://, wss://, http:// or https://, with an optional path prefix.")
    String uri();

    @AttributeDefinition(name = "Database", description = "The database name or identity.")
    String database();

    @AttributeDefinition(name = "Auth provider", required = false,
            description = "LDAP filter on provider.id, e.g. (provider.id=oauth2-svc). "
            + "Unset: connect anonymously and keep the minted token in the credential store.")
    String auth_target();

    @AttributeDefinition(name = "TLS profile", required = false,
            description = "LDAP filter on tls.profile. Unset: the best TLS provider bound, else the JDK's defaults for wss.")
    String tls_target();

    @AttributeDefinition(name = "Credential stores", required = false,
            description = "LDAP filter on store.id; stores are used in ranking order. Unset: every store bound.")
    String store_target();

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

    @AttributeDefinition(name = "Stats period (s)", description = "How often the live connection reports its "
            + "reducer-call count as a CONNECTION_STATS security event (for the reducer-rate detector). 0: never.")
    int stats_period_seconds() default 60;
}
