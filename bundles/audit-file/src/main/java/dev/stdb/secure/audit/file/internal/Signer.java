package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.store.KeyService;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Objects;

/** Signs checkpoints (SHA256withECDSA): with a KeyService key, or a private key of a PKCS#12 keystore. */
public interface Signer {

    /** The key checkpoints are verified with. */
    PublicKey publicKey() throws Exception;

    byte[] sign(byte[] data) throws Exception;

    /** For messages: which key (never key material). */
    String describe();

    static Signer keyService(KeyService service, String alias) {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(alias, "alias");
        return new Signer() {
            @Override
            public PublicKey publicKey() {
                return service.publicKey(alias).orElseThrow(() -> new IllegalStateException("KeyService "
                        + service.id() + " has no public key for alias '" + alias + "'"));
            }

            @Override
            public byte[] sign(byte[] data) {
                return service.sign(alias, Codec.ALGORITHM, data);
            }

            @Override
            public String describe() {
                return "KeyService " + service.id() + " alias " + alias;
            }
        };
    }

    static Signer keys(PrivateKey privateKey, PublicKey publicKey) {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
        return new Signer() {
            @Override
            public PublicKey publicKey() {
                return publicKey;
            }

            @Override
            public byte[] sign(byte[] data) throws GeneralSecurityException {
                Signature s = Signature.getInstance(Codec.ALGORITHM);
                s.initSign(privateKey);
                s.update(data);
                return s.sign();
            }

            @Override
            public String describe() {
                return "key " + Codec.fingerprint(publicKey);
            }
        };
    }

    /** The private key and certificate {@code alias} of a PKCS#12 file. */
    static Signer pkcs12(Path path, char[] password, String alias) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(path)) {
            ks.load(in, password);
        }
        Key key = ks.getKey(alias, password);
        Certificate cert = ks.getCertificate(alias);
        if (!(key instanceof PrivateKey) || cert == null) {
            throw new GeneralSecurityException("keystore " + path + " has no private key and certificate under"
                    + " alias '" + alias + "'");
        }
        return keys((PrivateKey) key, cert.getPublicKey());
    }

    /** The public key of an X.509 certificate file (PEM or DER). */
    static PublicKey certificateKey(Path path) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(path)) {
            return CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey();
        }
    }
}
