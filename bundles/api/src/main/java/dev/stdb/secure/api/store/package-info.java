/**
 * Secret storage contracts: a {@link dev.stdb.secure.api.store.CredentialStore} keeps tokens and keys between runs
 * (OS keyring, encrypted file, HSM), and a {@link dev.stdb.secure.api.store.KeyService} uses keys that never leave
 * their device. Stores are ordered by service ranking; the core falls back along that order.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.api.store;
