/**
 * A {@link dev.stdb.secure.api.store.CredentialStore} in the operating system's keyring
 * ({@link dev.stdb.secure.api.store.Protection#OS}): the Secret Service over D-Bus on Linux (GNOME Keyring, KeePassXC,
 * KWallet's Secret Service), the Keychain on macOS and the Credential Manager on Windows.
 * {@link dev.stdb.secure.store.keyring.KeyringCredentialStore#builder(String)} builds one in plain Java; in OSGi the
 * same store is configured through the factory PID {@code dev.stdb.secure.store.keyring}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.store.keyring;
