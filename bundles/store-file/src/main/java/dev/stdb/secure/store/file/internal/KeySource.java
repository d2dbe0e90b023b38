package dev.stdb.secure.store.file.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a store's data key comes from: wrapped under a key derived from a passphrase (Argon2id), wrapped by a
 * {@link KeyService} key, or wrapped under a random key-encryption key kept as an entry of another
 * {@link CredentialStore} (the OS keyring). Each keeps the wrapped data key in the header; none keeps key material of
 * its own in the store file.
 */
public abstract class KeySource {

    /** The message of a key that does not open the store: the same words for every key source. */
    public static final String WRONG_KEY = "wrong passphrase or key";

    private KeySource() {
    }

    /** A header for a new data key {@code dataKey}; its MAC is made with that key. {@code where} names the store. */
    public abstract StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec, String where)
            throws CredentialStoreException;

    /**
     * The data key of {@code header}, which the caller zeroes.
     *
     * @throws CredentialStoreException {@link ReasonCode#STORE_LOCKED} if this key does not open the header
     */
    public abstract byte[] unwrap(StoreFormat.Header header, String where) throws CredentialStoreException;

    public static KeySource passphrase(Supplier<Secret> passphrase, StoreFormat.Argon2 argon2) {
        return new Passphrase(passphrase, argon2);
    }

    public static KeySource keyService(KeyService service, String alias) {
        return new Wrapped(service, alias);
    }

    public static KeySource keyStore(CredentialStore store, String entry) {
        return new Keyring(store, entry);
    }

    /** How the data key of {@code header} is protected, for messages. */
    static String protectedBy(StoreFormat.Header header) {
        switch (header.source()) {
            case StoreFormat.SOURCE_PASSPHRASE:
                return "protected by a passphrase";
            case StoreFormat.SOURCE_KEY_SERVICE:
                return "wrapped by KeyService alias '" + header.alias() + "'";
            default:
                return "wrapped under the key-encryption key in keyring entry '" + header.alias() + "'";
        }
    }

    /** The store was made with another key source than the one given: STORE_LOCKED naming both. */
    static CredentialStoreException wrongSource(StoreFormat.Header header, String where, String given) {
        return new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY + " (the store's data"
                + " key is " + protectedBy(header) + ", but " + given + " was given; open it with the key source it"
                + " was made with, then rotate to another)");
    }

    /** The message of {@code e} without its {@code [reason.code] } prefix, to be wrapped again. */
    public static String message(CredentialStoreException e) {
        String m = e.getMessage();
        String prefix = "[" + e.reason().code() + "] ";
        return m != null && m.startsWith(prefix) ? m.substring(prefix.length()) : m;
    }

    static byte[][] macWith(SecretKeySpec key, byte[] data) {
        return Crypto.mac(key, data);
    }

    private static final class Passphrase extends KeySource {
        private final Supplier<Secret> passphrase;
        private final StoreFormat.Argon2 argon2;

        Passphrase(Supplier<Secret> passphrase, StoreFormat.Argon2 argon2) {
            this.passphrase = Objects.requireNonNull(passphrase, "passphrase");
            this.argon2 = Objects.requireNonNull(argon2, "argon2");
        }

        private byte[] kek(byte[] salt, StoreFormat.Argon2 params) throws CredentialStoreException {
            Secret secret = passphrase.get();
            if (secret == null) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, "no passphrase is available");
            }
            try (secret) {
                return secret.withBytes(p -> Crypto.argon2id(p, salt, params));
            }
        }

        @Override
        public StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec, String where)
                throws CredentialStoreException {
            byte[] salt = Crypto.random(StoreFormat.SALT);
            byte[] aad = StoreFormat.prefix(StoreFormat.SOURCE_PASSPHRASE, argon2, salt, null);
            byte[] kek = kek(salt, argon2);
            byte[][] sealed;
            try {
                sealed = Crypto.seal(Crypto.aesKey(kek), dataKey, aad);
            } finally {
                Crypto.zero(kek);
            }
            byte[] wrapped = new byte[StoreFormat.NONCE + sealed[1].length];
            System.arraycopy(sealed[0], 0, wrapped, 0, StoreFormat.NONCE);
            System.arraycopy(sealed[1], 0, wrapped, StoreFormat.NONCE, sealed[1].length);
            return StoreFormat.header(StoreFormat.SOURCE_PASSPHRASE, argon2, salt, null, wrapped,
                    data -> macWith(dataKeySpec, data));
        }

        @Override
        public byte[] unwrap(StoreFormat.Header header, String where) throws CredentialStoreException {
            if (header.source() != StoreFormat.SOURCE_PASSPHRASE) {
                throw wrongSource(header, where, "a passphrase");
            }
            byte[] wrapped = header.wrappedKey();
            if (wrapped.length <= StoreFormat.NONCE + StoreFormat.TAG) {
                throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, where + ": the wrapped data key is too short");
            }
            byte[] nonce = java.util.Arrays.copyOf(wrapped, StoreFormat.NONCE);
            byte[] ct = java.util.Arrays.copyOfRange(wrapped, StoreFormat.NONCE, wrapped.length);
            byte[] kek = kek(header.salt(), header.argon2());
            try {
                return Crypto.open(Crypto.aesKey(kek), nonce, ct, header.wrapAad());
            } catch (Crypto.BadTag e) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                        + " (the passphrase does not open the data key)");
            } finally {
                Crypto.zero(kek);
            }
        }

        @Override
        public String toString() {
            return "passphrase " + argon2;
        }
    }

    private static final class Wrapped extends KeySource {
        private final KeyService service;
        private final String alias;

        Wrapped(KeyService service, String alias) {
            this.service = Objects.requireNonNull(service, "keyService");
            this.alias = Objects.requireNonNull(alias, "alias");
        }

        @Override
        public StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec, String where)
                throws CredentialStoreException {
            byte[] wrapped;
            try (Secret dk = Secret.ofBytes(dataKey)) {
                wrapped = service.wrap(alias, dk);
            }
            return StoreFormat.header(StoreFormat.SOURCE_KEY_SERVICE, null, null, alias, wrapped,
                    data -> macWith(dataKeySpec, data));
        }

        @Override
        public byte[] unwrap(StoreFormat.Header header, String where) throws CredentialStoreException {
            if (header.source() != StoreFormat.SOURCE_KEY_SERVICE) {
                throw wrongSource(header, where, "a KeyService");
            }
            Secret dk;
            try {
                dk = service.unwrap(header.alias(), header.wrappedKey());
            } catch (CredentialStoreException e) {
                if (e.reason() == ReasonCode.STORE_TAMPERED) {
                    throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                            + " (KeyService '" + service.id() + "' key '" + header.alias()
                            + "' does not open the data key)", e);
                }
                throw new CredentialStoreException(e.reason(), where + ": KeyService '" + service.id()
                        + "' cannot unwrap the data key with key '" + header.alias() + "': " + message(e), e);
            }
            try (dk) {
                byte[] key = dk.bytesCopy();
                if (key.length != Crypto.KEY) {
                    Crypto.zero(key);
                    throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                            + " (KeyService '" + service.id() + "' returned no 256-bit data key)");
                }
                return key;
            }
        }

        @Override
        public String toString() {
            return "KeyService '" + service.id() + "' key '" + alias + "'";
        }
    }
    /**
     * The data key wrapped (AES-256-GCM, associated data {@link StoreFormat#keyringAad()}) under a random 256-bit
     * key-encryption key kept, base64-encoded, as entry {@code entry} of {@code store}. The entry is created the first
     * time a header is made with it and reused after that; it is only ever read, never replaced or deleted, so a
     * failed write of the store file cannot lose the key of the file that stays.
     */
    private static final class Keyring extends KeySource {
        private final CredentialStore store;
        private final String entry;

        Keyring(CredentialStore store, String entry) {
            this.store = Objects.requireNonNull(store, "keyStore");
            this.entry = Objects.requireNonNull(entry, "entry");
        }

        private String describe() {
            return "keyring entry '" + entry + "' of store '" + store.id() + "'";
        }

        /** The key-encryption key, or null if the entry does not exist; the caller zeroes it. */
        private byte[] read(String where) throws CredentialStoreException {
            Optional<Secret> value;
            try {
                value = store.read(entry);
            } catch (CredentialStoreException e) {
                throw new CredentialStoreException(e.reason(), where + ": cannot read the key-encryption key from "
                        + describe() + ": " + message(e), e);
            } catch (RuntimeException e) {
                throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, where + ": cannot read the"
                        + " key-encryption key from " + describe() + ": " + e.getClass().getSimpleName(), e);
            }
            if (value.isEmpty()) {
                return null;
            }
            try (Secret s = value.get()) {
                byte[] text = s.bytesCopy();
                byte[] kek = null;
                try {
                    kek = Base64.getDecoder().decode(text);
                } catch (IllegalArgumentException e) {
                    kek = null;
                } finally {
                    Crypto.zero(text);
                }
                if (kek == null || kek.length != Crypto.KEY) {
                    if (kek != null) {
                        Crypto.zero(kek);
                    }
                    throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY + " ("
                            + describe() + " does not hold a 256-bit key-encryption key)");
                }
                return kek;
            }
        }

        @Override
        public StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec, String where)
                throws CredentialStoreException {
            byte[] kek = read(where);
            try {
                if (kek == null) {
                    kek = Crypto.random(Crypto.KEY);
                    byte[] text = Base64.getEncoder().encode(kek);
                    try (Secret s = Secret.ofBytes(text)) {
                        store.write(entry, s);
                    } catch (CredentialStoreException e) {
                        throw new CredentialStoreException(e.reason(), where
                                + ": cannot create the key-encryption key in " + describe() + ": " + message(e), e);
                    } finally {
                        Crypto.zero(text);
                    }
                    // read it back: a store that silently drops or alters values must not leave an unopenable file
                    byte[] back = read(where);
                    try {
                        if (back == null || !java.security.MessageDigest.isEqual(back, kek)) {
                            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, where
                                    + ": the key-encryption key written to " + describe() + " does not read back");
                        }
                    } finally {
                        if (back != null) {
                            Crypto.zero(back);
                        }
                    }
                }
                byte[][] sealed = Crypto.seal(Crypto.aesKey(kek), dataKey, StoreFormat.keyringAad());
                byte[] wrapped = new byte[StoreFormat.NONCE + sealed[1].length];
                System.arraycopy(sealed[0], 0, wrapped, 0, StoreFormat.NONCE);
                System.arraycopy(sealed[1], 0, wrapped, StoreFormat.NONCE, sealed[1].length);
                return StoreFormat.header(StoreFormat.SOURCE_KEYRING, null, null, entry, wrapped,
                        data -> macWith(dataKeySpec, data));
            } finally {
                if (kek != null) {
                    Crypto.zero(kek);
                }
            }
        }

        @Override
        public byte[] unwrap(StoreFormat.Header header, String where) throws CredentialStoreException {
            if (header.source() != StoreFormat.SOURCE_KEYRING) {
                throw wrongSource(header, where, "a keyring (key store '" + store.id() + "')");
            }
            if (!header.alias().equals(entry)) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY + " (the store's"
                        + " data key is wrapped under keyring entry '" + header.alias() + "', but entry '" + entry
                        + "' was given)");
            }
            byte[] wrapped = header.wrappedKey();
            if (wrapped.length <= StoreFormat.NONCE + StoreFormat.TAG) {
                throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, where + ": the wrapped data key is too short");
            }
            byte[] kek = read(where);
            if (kek == null) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": the key-encryption key is"
                        + " missing: " + describe() + " does not exist (deleted, or another keyring); the store cannot"
                        + " be opened without it");
            }
            byte[] nonce = java.util.Arrays.copyOf(wrapped, StoreFormat.NONCE);
            byte[] ct = java.util.Arrays.copyOfRange(wrapped, StoreFormat.NONCE, wrapped.length);
            try {
                return Crypto.open(Crypto.aesKey(kek), nonce, ct, StoreFormat.keyringAad());
            } catch (Crypto.BadTag e) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                        + " (the key-encryption key in " + describe() + " does not open the data key)");
            } finally {
                Crypto.zero(kek);
            }
        }

        @Override
        public String toString() {
            return "keyring entry '" + entry + "' of store '" + store.id() + "'";
        }
    }
}
