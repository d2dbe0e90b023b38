/**
 * A {@link dev.stdb.secure.api.store.CredentialStore} and {@link dev.stdb.secure.api.store.KeyService} on an HSM or
 * token over PKCS#11 (the JDK's SunPKCS11 provider): {@link dev.stdb.secure.store.pkcs11.Pkcs11Store}. Keys are
 * generated on the token and are never extractable; stored credentials are AES-GCM encrypted inside the token and kept
 * as owner-only files. In OSGi the same store is configured through the factory PID
 * {@code dev.stdb.secure.store.pkcs11}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.store.pkcs11;
