/**
 * OAuth 2.0 / OpenID Connect sign-in for SpacetimeDB connections: {@link dev.stdb.secure.auth.oauth2.OAuth2Provider}
 * is an {@link dev.stdb.secure.api.auth.AuthProvider} that gets tokens with the client credentials grant
 * (client_secret_basic, client_secret_post, private_key_jwt, the key optionally held by a
 * {@link dev.stdb.secure.api.store.KeyService}, or RFC 8705 tls_client_auth with the client certificate of a
 * {@link dev.stdb.secure.api.tls.TlsContextProvider}), the device authorization grant (the user code shown through an
 * {@link dev.stdb.secure.api.auth.MfaHandler}, by default {@link dev.stdb.secure.auth.oauth2.ConsoleMfaHandler}) or
 * the authorization code grant with PKCE S256 and a loopback redirect (the browser opened by a
 * {@link dev.stdb.secure.auth.oauth2.BrowserLauncher}), refreshes them with rotating refresh tokens kept in the
 * {@link dev.stdb.secure.api.store.CredentialStore}, and revokes them (RFC 7009). In OSGi the same provider is
 * configured through the factory PID {@code dev.stdb.secure.auth.oauth2}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.3.0")
package dev.stdb.secure.auth.oauth2;
