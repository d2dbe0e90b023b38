/**
 * Externally supplied JWTs: {@link dev.stdb.secure.auth.jwt.JwtProvider} is a
 * {@link dev.stdb.secure.api.auth.AuthProvider} that reads a token from a file, an environment variable, a
 * credential store entry or a callback and validates it with a {@link dev.stdb.secure.auth.jwt.JwtValidator} before
 * every use: algorithm allow-list (never {@code none}, never HMAC), signature against the issuer's JWKS (OIDC
 * discovery or a configured URL), {@code iss} and {@code aud} always, {@code exp}/{@code nbf}/{@code iat} with a
 * clock skew, required claims. Refusals are {@link dev.stdb.secure.auth.jwt.JwtRefusedException}s naming the check.
 * In OSGi the same provider is configured through the factory PID {@code dev.stdb.secure.auth.jwt}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.auth.jwt;
