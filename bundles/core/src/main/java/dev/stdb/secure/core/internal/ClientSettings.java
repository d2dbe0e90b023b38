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

/** Everything a connection is configured with; built by {@code SpacetimeClient.Builder}. */
public record ClientSettings(URI uri, String database, AuthProvider authProvider, CredentialStore store,
                             TlsContextProvider tls, Compression compression, ReconnectPolicy reconnect,
                             SecurityEventSink events, Clock clock, Duration timeout) {
}
