/**
 * Types every bundle shares: {@link dev.stdb.secure.api.Secret}, the one holder of secret values, and the
 * exception hierarchy rooted at {@link dev.stdb.secure.api.SecureClientException} with its stable
 * {@link dev.stdb.secure.api.ReasonCode}s.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.4.0")
package dev.stdb.secure.api;
