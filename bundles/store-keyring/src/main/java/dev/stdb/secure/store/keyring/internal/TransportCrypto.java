package dev.stdb.secure.store.keyring.internal;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.interfaces.DHPublicKey;
import javax.crypto.spec.DHParameterSpec;
import javax.crypto.spec.DHPublicKeySpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The Secret Service's {@code dh-ietf1024-sha256-aes128-cbc-pkcs7} session: secrets cross the bus AES-encrypted under a
 * key agreed with Diffie-Hellman over the second Oakley group (RFC 2409) and derived with HKDF-SHA256 (no salt, no
 * info), as the Secret Service specification's "Transfer of Secrets" chapter defines. Without it anything that can
 * monitor the session bus would see the plaintext.
 */
final class TransportCrypto {

    static final String ALGORITHM = "dh-ietf1024-sha256-aes128-cbc-pkcs7";

    /** RFC 2409 section 6.2, the second Oakley group: the 1024-bit MODP prime, generator 2. */
    private static final BigInteger PRIME = new BigInteger(
            "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
            + "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
            + "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE65381FFFFFFFFFFFFFFFF", 16);
    private static final BigInteger GENERATOR = BigInteger.TWO;
    private static final DHParameterSpec GROUP = new DHParameterSpec(PRIME, GENERATOR);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final KeyPair keyPair;
    private volatile SecretKeySpec key;

    TransportCrypto() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("DH");
            generator.initialize(GROUP, RANDOM);
            keyPair = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make Diffie-Hellman keys: " + e.getMessage(), e);
        }
    }

    /** Our public value as an unsigned big-endian integer, as the specification wants it. */
    byte[] publicValue() {
        return unsigned(((DHPublicKey) keyPair.getPublic()).getY());
    }

    /** Derives the session key from the service's public value. */
    void agree(byte[] peerPublicValue) throws GeneralSecurityException {
        DHPublicKey peer = (DHPublicKey) KeyFactory.getInstance("DH")
                .generatePublic(new DHPublicKeySpec(new BigInteger(1, peerPublicValue), PRIME, GENERATOR));
        KeyAgreement agreement = KeyAgreement.getInstance("DH");
        agreement.init(keyPair.getPrivate());
        agreement.doPhase(peer, true);
        byte[] shared = agreement.generateSecret();
        byte[] prk = null;
        byte[] okm = null;
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(new byte[32], "HmacSHA256")); // HKDF-Extract with no salt: HashLen zeros
            prk = mac.doFinal(shared);
            mac.init(new SecretKeySpec(prk, "HmacSHA256")); // HKDF-Expand, empty info, one block
            okm = mac.doFinal(new byte[] {1});
            key = new SecretKeySpec(okm, 0, 16, "AES");
        } finally {
            Arrays.fill(shared, (byte) 0);
            if (prk != null) {
                Arrays.fill(prk, (byte) 0);
            }
            if (okm != null) {
                Arrays.fill(okm, (byte) 0);
            }
        }
    }

    /** A fresh 16-byte IV and the ciphertext of {@code plain}. */
    byte[][] encrypt(byte[] plain) throws GeneralSecurityException {
        byte[] iv = new byte[16];
        RANDOM.nextBytes(iv);
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.ENCRYPT_MODE, key(), new IvParameterSpec(iv));
        return new byte[][] {iv, cipher.doFinal(plain)};
    }

    /** The plaintext; the caller zeroes it. */
    byte[] decrypt(byte[] iv, byte[] ciphertext) throws GeneralSecurityException {
        Cipher cipher = Cipher.getInstance("AES/CBC/PKCS5Padding");
        cipher.init(Cipher.DECRYPT_MODE, key(), new IvParameterSpec(iv));
        return cipher.doFinal(ciphertext);
    }

    private SecretKeySpec key() {
        SecretKeySpec k = key;
        if (k == null) {
            throw new IllegalStateException("transport session key not agreed yet");
        }
        return k;
    }

    private static byte[] unsigned(BigInteger value) {
        byte[] bytes = value.toByteArray();
        return bytes.length > 1 && bytes[0] == 0 ? Arrays.copyOfRange(bytes, 1, bytes.length) : bytes;
    }
}
