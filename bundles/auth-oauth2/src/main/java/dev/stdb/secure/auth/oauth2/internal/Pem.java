package dev.stdb.secure.auth.oauth2.internal;

import dev.stdb.secure.api.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;

/** Reads client private keys: unencrypted PKCS#8 PEM, or an entry of a PKCS#12/JKS key store. */
public final class Pem {
    private static final String BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String END = "-----END PRIVATE KEY-----";

    private Pem() {
    }

    /** The RSA or EC key in PKCS#8 PEM text (no password). The message never quotes key material. */
    public static PrivateKey privateKey(String pem, String what) {
        int b = pem.indexOf(BEGIN);
        int e = pem.indexOf(END);
        if (b < 0 || e < b) {
            throw new ConfigurationException(what + ": not an unencrypted PKCS#8 PEM key (expected " + BEGIN + ")");
        }
        String body = pem.substring(b + BEGIN.length(), e).replaceAll("\\s", "");
        byte[] der;
        try {
            der = Base64.getDecoder().decode(body);
        } catch (IllegalArgumentException bad) {
            throw new ConfigurationException(what + ": the PEM body is not base64");
        }
        try {
            for (String alg : new String[] {"RSA", "EC"}) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
                } catch (GeneralSecurityException notThis) {
                    // try the next algorithm
                }
            }
            throw new ConfigurationException(what + ": neither an RSA nor an EC PKCS#8 key");
        } finally {
            Arrays.fill(der, (byte) 0);
        }
    }

    /** The key in PKCS#8 PEM file {@code file}. */
    public static PrivateKey privateKey(Path file, String what) {
        try {
            return privateKey(new String(Files.readAllBytes(file), StandardCharsets.US_ASCII), what);
        } catch (IOException e) {
            throw new ConfigurationException(what + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    /** The private key {@code alias} of key store {@code file}; {@code password} is used for store and key. */
    public static PrivateKey keyStoreKey(Path file, String type, char[] password, String alias, String what) {
        try (var in = Files.newInputStream(file)) {
            KeyStore ks = KeyStore.getInstance(type);
            ks.load(in, password);
            String a = alias == null || alias.isBlank() ? firstKeyAlias(ks) : alias;
            var key = a == null ? null : ks.getKey(a, password);
            if (!(key instanceof PrivateKey)) {
                throw new ConfigurationException(what + ": no private key " + (a == null ? "" : "'" + a + "' ")
                        + "in " + file);
            }
            return (PrivateKey) key;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException(what + ": cannot read key store " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    /** The first alias holding a private key, or null. */
    static String firstKeyAlias(KeyStore ks) throws GeneralSecurityException {
        for (var aliases = ks.aliases(); aliases.hasMoreElements();) {
            String a = aliases.nextElement();
            if (ks.isKeyEntry(a)) {
                return a;
            }
        }
        return null;
    }
}
