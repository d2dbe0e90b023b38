/**
 * TLS profiles: {@link dev.stdb.secure.tls.TlsProfile} is a {@link dev.stdb.secure.api.tls.TlsContextProvider} with
 * configurable trust anchors (system store, PEM bundle, JKS/PKCS12 file), certificate pinning with mandatory backup
 * pins ({@link dev.stdb.secure.tls.PinSet}) and a protocol / cipher-suite policy ({@link dev.stdb.secure.tls.TlsPolicy}).
 * In OSGi the same profile is configured through the factory PID {@code dev.stdb.secure.tls}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.2.0")
package dev.stdb.secure.tls;
