package dev.stdb.secure.store.file;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.KeyService;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.net.ssl.X509KeyManager;

/** A KeyService over JDK AES keys, standing in for an HSM: wrap is AES-GCM with a random nonce in front. */
final class AesKeyService implements KeyService {
    private final String id;
    private final Map<String, SecretKey> keys;

    AesKeyService(String id, String... aliases) {
        this.id = id;
        java.util.HashMap<String, SecretKey> k = new java.util.HashMap<>();
        try {
            KeyGenerator g = KeyGenerator.getInstance("AES");
            g.init(256);
            for (String a : aliases) {
                k.put(a, g.generateKey());
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.keys = k;
    }

    @Override public String id() { return id; }
    @Override public Set<String> aliases() { return keys.keySet(); }
    @Override public byte[] sign(String alias, String algorithm, byte[] data) { throw new UnsupportedOperationException(); }
    @Override public Optional<X509KeyManager> keyManager(String alias) { return Optional.empty(); }
    @Override public Optional<PublicKey> publicKey(String alias) { return Optional.empty(); }

    private SecretKey key(String alias) {
        SecretKey k = keys.get(alias);
        if (k == null) {
            throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, "no key '" + alias + "'");
        }
        return k;
    }

    @Override
    public byte[] wrap(String alias, Secret plaintext) {
        byte[] nonce = new byte[12];
        new SecureRandom().nextBytes(nonce);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key(alias), new GCMParameterSpec(128, nonce));
            byte[] ct = plaintext.withBytes(p -> {
                try {
                    return c.doFinal(p);
                } catch (GeneralSecurityException e) {
                    throw new IllegalStateException(e);
                }
            });
            byte[] out = Arrays.copyOf(nonce, 12 + ct.length);
            System.arraycopy(ct, 0, out, 12, ct.length);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Secret unwrap(String alias, byte[] wrapped) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key(alias), new GCMParameterSpec(128, wrapped, 0, 12));
            byte[] p = c.doFinal(wrapped, 12, wrapped.length - 12);
            try {
                return Secret.ofBytes(p);
            } finally {
                Arrays.fill(p, (byte) 0);
            }
        } catch (AEADBadTagException e) {
            throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, "tag does not verify for key '" + alias + "'");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
