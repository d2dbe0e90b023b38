package dev.stdb.secure.store.file.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.KeyService;
import java.util.Objects;
import java.util.function.Supplier;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where a store's data key comes from: wrapped under a key derived from a passphrase (Argon2id), or wrapped by a
 * {@link KeyService} key. Both keep the wrapped data key in the header; neither keeps key material of its own.
 */
public abstract class KeySource {

    /** The message of a key that does not open the store: the same words for every key source. */
    public static final String WRONG_KEY = "wrong passphrase or key";

    private KeySource() {
    }

    /** A header for a new data key {@code dataKey}; its MAC is made with that key. */
    public abstract StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec)
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
        public StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec) throws CredentialStoreException {
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
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                        + " (the store's data key is wrapped by KeyService alias '" + header.alias()
                        + "', but a passphrase was given)");
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
        public StoreFormat.Header newHeader(byte[] dataKey, SecretKeySpec dataKeySpec) throws CredentialStoreException {
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
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, where + ": " + WRONG_KEY
                        + " (the store's data key is protected by a passphrase, but a KeyService was given)");
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
}
