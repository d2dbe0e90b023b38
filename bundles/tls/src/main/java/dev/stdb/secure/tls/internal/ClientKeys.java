package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.X509KeyManager;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Loads client keys for mTLS. Every failure is a {@link TlsException} with reason
 * {@link ReasonCode#CLIENT_CERT_UNAVAILABLE} whose message names the file or alias; messages never carry a password
 * or key material (the causes' messages are left out on purpose, only their class is named).
 */
public final class ClientKeys {

    /** The alias of a key read from PEM files. */
    public static final String PEM_ALIAS = "client";

    private ClientKeys() {
    }

    private static TlsException fail(String profile, String what, Throwable cause) {
        String why = cause == null ? "" : " (" + cause.getClass().getSimpleName() + ")";
        return new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + profile + "': " + what + why);
    }

    /** A key manager over the key entries of a PKCS#12 file. */
    public static X509KeyManager pkcs12(String profile, Path file, char[] password) throws TlsException {
        KeyStore ks;
        try (InputStream in = Files.newInputStream(file)) {
            ks = KeyStore.getInstance("PKCS12");
            ks.load(in, password);
        } catch (IOException e) {
            if (e.getCause() instanceof java.security.UnrecoverableKeyException || Files.isReadable(file)) {
                throw fail(profile, "cannot open client.pkcs12 " + file
                        + ": wrong password or not a PKCS#12 file", e);
            }
            throw fail(profile, "cannot read client.pkcs12 " + file, e);
        } catch (GeneralSecurityException e) {
            throw fail(profile, "cannot open client.pkcs12 " + file, e);
        }
        try {
            boolean any = false;
            for (String alias : Collections.list(ks.aliases())) {
                if (ks.isKeyEntry(alias)) {
                    any = true;
                    PrivateKey key = (PrivateKey) ks.getKey(alias, password);
                    java.security.cert.Certificate[] chain = ks.getCertificateChain(alias);
                    if (chain == null || chain.length == 0) {
                        throw fail(profile, "client.pkcs12 " + file + ": key '" + alias + "' has no certificate", null);
                    }
                    checkPair(profile, "client.pkcs12 " + file + " alias '" + alias + "'", key,
                            chain[0].getPublicKey());
                }
            }
            if (!any) {
                throw fail(profile, "client.pkcs12 " + file + " holds no private key", null);
            }
            return keyManager(ks, password);
        } catch (GeneralSecurityException e) {
            throw fail(profile, "cannot read the key of client.pkcs12 " + file, e);
        }
    }

    /** A key manager over one PKCS#8 PEM key (plain or encrypted) and its PEM certificate chain, alias {@value #PEM_ALIAS}. */
    public static X509KeyManager pem(String profile, Path keyFile, Path chainFile, char[] password)
            throws TlsException {
        PrivateKey key = readKey(profile, keyFile, password);
        List<X509Certificate> chain = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(chainFile, StandardCharsets.US_ASCII);
                PEMParser p = new PEMParser(r)) {
            JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder) {
                    chain.add(conv.getCertificate((X509CertificateHolder) o));
                }
            }
        } catch (IOException | GeneralSecurityException e) {
            throw fail(profile, "cannot read client.pem.chain " + chainFile, e);
        }
        if (chain.isEmpty()) {
            throw fail(profile, "client.pem.chain " + chainFile + " holds no certificate", null);
        }
        checkPair(profile, "client.pem.key " + keyFile + " and client.pem.chain " + chainFile, key,
                chain.get(0).getPublicKey());
        try {
            char[] storePassword = "in-memory".toCharArray();
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(PEM_ALIAS, key, storePassword, chain.toArray(new X509Certificate[0]));
            return keyManager(ks, storePassword);
        } catch (IOException | GeneralSecurityException e) {
            throw fail(profile, "cannot hold the key of client.pem.key " + keyFile, e);
        }
    }

    private static PrivateKey readKey(String profile, Path keyFile, char[] password) throws TlsException {
        Object o;
        try (Reader r = Files.newBufferedReader(keyFile, StandardCharsets.US_ASCII);
                PEMParser p = new PEMParser(r)) {
            o = p.readObject();
        } catch (IOException e) {
            throw fail(profile, "cannot read client.pem.key " + keyFile, e);
        }
        try {
            if (o instanceof PKCS8EncryptedPrivateKeyInfo) {
                if (password == null) {
                    throw fail(profile, "client.pem.key " + keyFile
                            + " is encrypted and no client.pem.key.password.env is set", null);
                }
                PrivateKeyInfo info = ((PKCS8EncryptedPrivateKeyInfo) o).decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(new BouncyCastleProvider())
                                .build(password));
                return jdkKey(info);
            }
            if (o instanceof PrivateKeyInfo) {
                return jdkKey((PrivateKeyInfo) o);
            }
            if (o instanceof PEMKeyPair) {
                return jdkKey(((PEMKeyPair) o).getPrivateKeyInfo());
            }
        } catch (TlsException e) {
            throw e;
        } catch (Exception e) {
            throw fail(profile, "cannot decrypt or decode client.pem.key " + keyFile
                    + ": wrong password or unsupported key", e);
        }
        throw fail(profile, "client.pem.key " + keyFile + " holds no PKCS#8 private key", null);
    }

    /**
     * The JDK's own key for a PKCS#8 structure. Bouncy Castle's converter asks the JVM-wide providers for an "ECDSA"
     * key factory, which only a registered BC has: when another bundle has registered one (Apache SSHD does), the key
     * would be BC's, named "ECDSA", which SunJSSE never offers for an "EC" certificate. A JDK provider is chosen
     * explicitly, so the outcome does not depend on what else is installed.
     */
    static PrivateKey jdkKey(PrivateKeyInfo info) throws IOException, GeneralSecurityException {
        ASN1ObjectIdentifier oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        String algorithm = X9ObjectIdentifiers.id_ecPublicKey.equals(oid) ? "EC"
                : PKCSObjectIdentifiers.rsaEncryption.equals(oid) ? "RSA"
                : PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid) ? "RSASSA-PSS"
                : EdECObjectIdentifiers.id_Ed25519.equals(oid) ? "Ed25519"
                : EdECObjectIdentifiers.id_Ed448.equals(oid) ? "Ed448" : null;
        if (algorithm == null) {
            throw new NoSuchAlgorithmException("unsupported key algorithm " + oid);
        }
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(info.getEncoded());
        for (Provider p : Security.getProviders("KeyFactory." + algorithm)) {
            if (p.getClass().getModule().isNamed() && p.getClass().getModule().getName().startsWith("jdk.")
                    || p.getClass().getClassLoader() == null) {
                return KeyFactory.getInstance(algorithm, p).generatePrivate(spec);
            }
        }
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
    }

    /** Signs and verifies a probe so a key and certificate that do not belong together are refused up front. */
    private static void checkPair(String profile, String what, PrivateKey key, PublicKey pub) throws TlsException {
        try {
            if (!key.getAlgorithm().equals(pub.getAlgorithm())) {
                throw fail(profile, what + ": the private key does not match the certificate", null);
            }
            String alg = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA"
                    : "RSA".equals(key.getAlgorithm()) ? "SHA256withRSA" : null;
            if (alg == null) {
                return;
            }
            byte[] probe = "stdb-secure client key check".getBytes(StandardCharsets.US_ASCII);
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(probe);
            byte[] sig = s.sign();
            Signature v = Signature.getInstance(alg);
            v.initVerify(pub);
            v.update(probe);
            if (!v.verify(sig)) {
                throw fail(profile, what + ": the private key does not match the certificate", null);
            }
        } catch (GeneralSecurityException e) {
            throw fail(profile, what + ": cannot check that the key matches the certificate", e);
        }
    }

    private static X509KeyManager keyManager(KeyStore ks, char[] password) throws GeneralSecurityException {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance("SunX509");
        kmf.init(ks, password);
        for (KeyManager km : kmf.getKeyManagers()) {
            if (km instanceof X509KeyManager) {
                return (X509KeyManager) km;
            }
        }
        throw new GeneralSecurityException("no X509KeyManager");
    }

    /** One key manager per alias (from a KeyService), seen as one. */
    public static X509KeyManager perAlias(Map<String, X509KeyManager> byAlias) {
        Map<String, X509KeyManager> m = Map.copyOf(byAlias);
        return new X509KeyManager() {
            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return m.keySet().toArray(new String[0]);
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return null;
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return null;
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                X509KeyManager km = alias == null ? null : m.get(alias);
                return km == null ? null : km.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                X509KeyManager km = alias == null ? null : m.get(alias);
                return km == null ? null : km.getPrivateKey(alias);
            }
        };
    }
}
