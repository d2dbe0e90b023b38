/**
 * TLS contracts: a {@link dev.stdb.secure.api.tls.TlsContextProvider} supplies the {@code SSLContext} and
 * {@code SSLParameters} for a target, so trust anchors, pins, client certificates and protocol policy live in one
 * replaceable service instead of in the transport.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.stdb.secure.api.tls;
