package dev.stdb.secure.audit.syslog.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of one syslog audit sink (factory PID {@code dev.stdb.secure.audit.syslog}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure syslog audit sink",
        description = "Forwards security events as RFC 5424 messages to a syslog server over TCP or TLS.")
public @interface SyslogConfig {

    @AttributeDefinition(name = "Host", description = "Host name or address of the syslog server.")
    String host() default "";

    @AttributeDefinition(name = "Port", description = "TCP port; 514 is usual for tcp, 6514 for tls.")
    int port() default 6514;

    @AttributeDefinition(name = "Transport", description = "tcp (RFC 6587 octet counting) or tls (RFC 5425).")
    String transport() default "tls";

    @AttributeDefinition(name = "TLS profile filter", required = false,
            description = "With transport=tls: LDAP filter selecting the TlsContextProvider, e.g. (tls.profile=syslog).")
    // No default on purpose: a default becomes a component property, and SCR takes an empty target as an invalid
    // filter that matches nothing. Unset, it reads as null and means "any TlsContextProvider".
    String tls_target();

    @AttributeDefinition(name = "APP-NAME", description = "At most 48 printable ASCII characters.")
    String app_name() default "stdb-secure";

    @AttributeDefinition(name = "HOSTNAME", required = false,
            description = "Written in every message; empty means the local host name.")
    String hostname() default "";

    @AttributeDefinition(name = "Facility", description = "A name (authpriv, auth, local0..local7, ...) or 0..23.")
    String facility() default "authpriv";

    @AttributeDefinition(name = "Connect timeout (ms)", description = "For the TCP connect and the TLS handshake.")
    long connect_timeout_millis() default 5000;

    @AttributeDefinition(name = "Longest reconnect backoff (ms)",
            description = "Connection attempts after a failure are spaced from 100 ms doubling up to this.")
    long backoff_max_millis() default 30000;

    @AttributeDefinition(name = "Write timeout (ms)",
            description = "How long one message may take to write before the connection is given up and the event spooled.")
    long write_timeout_millis() default 10000;

    @AttributeDefinition(name = "Replay window (bytes)", description = "Recently written messages sent again after"
            + " a broken connection, so that what a stopping server had not read is not lost; 0 turns it off.")
    long replay_bytes() default 4194304;
}
