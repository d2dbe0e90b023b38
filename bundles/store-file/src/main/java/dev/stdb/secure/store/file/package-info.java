/**
 * An encrypted file {@link dev.stdb.secure.api.store.CredentialStore}: {@link dev.stdb.secure.store.file.EncryptedFileStore}
 * for plain Java, and one store per factory configuration {@code dev.stdb.secure.store.file} in OSGi.
 *
 * <h2>Threat model</h2>
 * The store protects secrets at rest from anyone who can read the files (a backup, a stolen disk, another account
 * that gets a copy) but not the passphrase, the KeyService key or the keyring entry holding the key-encryption key,
 * and detects any change to the files as tampering or a wrong key. It does not protect against code running as the same user while the store is open (it can read the
 * process memory or the passphrase's source), and it cannot detect a rollback of the whole store to an older copy
 * made with the same key.
 *
 * <h2>Files</h2>
 * The store is a directory (mode {@code 0700}) holding {@code store.sdbf} (mode {@code 0600}), the lock file
 * {@code store.lock} (mode {@code 0600}, locked with {@link java.nio.channels.FileChannel#lock()} around every
 * read-modify-write) and, only while a write is in progress, a temp file {@code store.sdbf.tmp-<random>} that is
 * renamed over {@code store.sdbf} atomically. Group or other permission bits on the directory or either file make the
 * store refuse to open or operate ({@code STORE_PERMISSIONS}, naming the path and the mode). On a file system without
 * POSIX permissions the store refuses unless the builder's {@code allowNonPosixFileSystem(true)} (configuration
 * {@code allow.non.posix}) says the directory's ACL is already owner-only; it does not inspect ACLs.
 *
 * <h2>Format of {@code store.sdbf} (version 1, integers big-endian)</h2>
 * <pre>
 * header:
 *   "SDBF"  version u8 = 1  key-source u8 (1 = passphrase, 2 = KeyService, 3 = keyring)
 *   source 1: argon2id memory KiB u32, iterations u32, parallelism u32, salt length u8, salt (16 random bytes)
 *   source 2: alias length u16, alias (UTF-8)
 *   source 3: entry length u16, entry (UTF-8): the keyring entry holding the key-encryption key
 *   wrapped data key: length u32, bytes
 *       source 1: nonce(12) || AES-256-GCM(key = Argon2id(passphrase, salt, parameters), data key,
 *                                          associated data = the header bytes before the length)
 *       source 2: KeyService.wrap(alias, data key), opaque
 *       source 3: nonce(12) || AES-256-GCM(key = KEK, data key, associated data = "SDBF" || version || "keyring"),
 *                 KEK = 256 random bits kept Base64-encoded as the entry of the bound keyring CredentialStore
 *   header MAC: nonce(12) tag(16) = GMAC under the data key over every header byte before it
 *   checksum: SHA-256 of every header byte before it (tells a damaged header from a wrong key)
 * body:
 *   entry count u32, then per entry:
 *     name length u16, name (UTF-8), nonce(12), length u32, AES-256-GCM ciphertext || tag(16)
 *       under the data key with associated data "SDBF" || version || 'E' || name
 * trailer:
 *   nonce(12) tag(16) = GMAC under the data key over every byte before it
 * </pre>
 * The data key is 256 random bits, new for each store and each rotation; every write uses a fresh random 96-bit
 * nonce. Opening checks, in order: the checksum (else {@code STORE_TAMPERED}, "header"), the wrapped data key (else
 * {@code STORE_LOCKED}, "wrong passphrase or key"), the header MAC (else {@code STORE_TAMPERED}, header replaced or
 * altered). Each entry is authenticated on its own together with its name, so a changed, damaged or swapped entry
 * fails alone ({@code STORE_TAMPERED} naming it) and the others stay readable; the trailer covers the file as a
 * whole, so removed, reordered, truncated or old entries put back are detected too. A store that fails the whole-file
 * check still serves the entries that verify on their own, and refuses every change until it is restored.
 * Rotation re-encrypts every entry under a new data key and replaces the file in one rename; it may also change the key
 * source (passphrase, KeyService, keyring). A store is only opened with the source its header records: another gives
 * {@code STORE_LOCKED} naming both. With source 3 the key-encryption key is created in the keyring when a header is
 * first made with that entry and only read after that; it never appears in the store's files. A locked or unreachable
 * keyring passes its {@code STORE_LOCKED} or {@code STORE_UNAVAILABLE} through (naming the store file and the entry),
 * a missing entry is {@code STORE_LOCKED}; nothing falls back to another source.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.store.file;
