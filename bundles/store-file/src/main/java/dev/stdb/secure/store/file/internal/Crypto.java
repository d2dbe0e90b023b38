package dev.stdb.secure.store.file.internal;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * AES-256-GCM with 96-bit random nonces and 128-bit tags (the JDK's provider), and Argon2id (Bouncy Castle).
 *
 * <p>The JDK's key objects keep a copy of the key that Java 17 cannot zero; the raw arrays this class is handed are
 * zeroed by their owners.
 */
public final class Crypto {

    public static final int KEY = 32;
    private static final SecureRandom RANDOM = new SecureRandom();

    private Crypto() {
    }

    /** Thrown when a tag does not verify. */
    public static final class BadTag extends Exception {
        private static final long serialVersionUID = 1L;

        BadTag() {
            super("authentication tag does not verify", null, false, false);
        }
    }

    public static byte[] random(int length) {
        byte[] b = new byte[length];
        RANDOM.nextBytes(b);
        return b;
    }

    public static SecretKeySpec aesKey(byte[] key) {
        return new SecretKeySpec(key, "AES");
    }

    /** Encrypts with a fresh nonce; returns {nonce, ciphertext with tag}. */
    public static byte[][] seal(SecretKeySpec key, byte[] plaintext, byte[] aad) {
        byte[] nonce = random(StoreFormat.NONCE);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(StoreFormat.TAG * 8, nonce));
            c.updateAAD(aad);
            return new byte[][] {nonce, c.doFinal(plaintext)};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Decrypts and verifies; the caller zeroes the result. */
    public static byte[] open(SecretKeySpec key, byte[] nonce, byte[] ciphertext, byte[] aad) throws BadTag {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(StoreFormat.TAG * 8, nonce));
            c.updateAAD(aad);
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new BadTag();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available: " + e.getClass().getSimpleName(), e);
        }
    }

    /** A MAC (GMAC: GCM over an empty plaintext) of {@code data}: {nonce, tag}. */
    public static byte[][] mac(SecretKeySpec key, byte[] data) {
        return seal(key, new byte[0], data);
    }

    public static boolean verifyMac(SecretKeySpec key, byte[] nonce, byte[] tag, byte[] data) {
        try {
            open(key, nonce, tag, data);
            return true;
        } catch (BadTag e) {
            return false;
        }
    }

    /** Argon2id (version 1.3) of {@code passphrase} into a 256-bit key the caller zeroes. */
    public static byte[] argon2id(byte[] passphrase, byte[] salt, StoreFormat.Argon2 p) {
        Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13).withSalt(salt).withIterations(p.iterations())
                .withMemoryAsKB(p.memoryKib()).withParallelism(p.parallelism()).build();
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(params);
        byte[] out = new byte[KEY];
        generator.generateBytes(passphrase, out);
        params.clear();
        return out;
    }

    public static void zero(byte[] b) {
        if (b != null) {
            Arrays.fill(b, (byte) 0);
        }
    }
}
