package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.protocol.frame.Compression;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * Everything a connection is configured with. Providers are suppliers, read at every (re)connect, so the OSGi
 * component can swap them while the connection lives.
 *
 * @param auth         the current auth provider, or null
 * @param authRequired whether a token is required (then a missing provider means WAITING_FOR_PROVIDER); without it
 *                     the connection is anonymous
 * @param tls          the current TLS provider, or null for the JDK's defaults
 * @param tlsRequired  whether {@code wss} must wait for a TLS provider instead of using the JDK's defaults
 * @param tokenExchange whether to trade the token for a short-lived one in the URL (for proxies that strip headers)
 * @param lockouts     the THROTTLE and BLOCK findings in force, checked before a credential goes to its provider
 * @param statsPeriod  how often a live connection reports its reducer-call count as a {@code CONNECTION_STATS}
 *                     event; zero disables
 * @param retryFirstConnect whether a first connect that fails for a reason other than the network (TLS refused,
 *                     token rejected, upgrade refused) is retried with the reconnect backoff, as a reconnect is; the
 *                     OSGi component does, since an operator can fix the configuration while it waits. Without it
 *                     (the plain-Java builder) the first such failure fails {@code connect()} and closes.
 */
public record ClientSettings(URI uri, String database, Supplier<AuthProvider> auth, boolean authRequired,
                             CredentialStore store, Supplier<TlsContextProvider> tls, boolean tlsRequired,
                             Compression compression, ReconnectPolicy reconnect, SecurityEventSink events, Clock clock,
                             Duration timeout, boolean tokenExchange, Lockouts lockouts,
                             Duration statsPeriod, boolean retryFirstConnect) {
}
