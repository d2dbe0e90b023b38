/**
 * API keys as credentials: {@link dev.stdb.secure.auth.apikey.ApiKeyProvider} reads the key from the connection's
 * {@link dev.stdb.secure.api.store.CredentialStore} and sends it as the bearer token, or exchanges it for a JWT at a
 * token endpoint (RFC 8693 token exchange, or client credentials with the key as the client secret). During a
 * rotation two keys are active; the old one is dropped when the new one is accepted. In OSGi the same provider is
 * configured through the factory PID {@code dev.stdb.secure.auth.apikey}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.auth.apikey;
