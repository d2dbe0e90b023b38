/**
 * Authentication contracts: an {@link dev.stdb.secure.api.auth.AuthProvider} turns configuration and stored secrets
 * into a {@link dev.stdb.secure.api.auth.Credential} for a connection, asking an
 * {@link dev.stdb.secure.api.auth.MfaHandler} when a second factor is needed. One bundle per protocol (OAuth 2.0,
 * JWT, SAML, API key) provides these services; the core picks one by {@code provider.id} and swaps it at runtime.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.stdb.secure.api.auth;
