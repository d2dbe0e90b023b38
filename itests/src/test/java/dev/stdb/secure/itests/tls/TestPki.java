package dev.stdb.secure.itests.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Host side only: the test PKI, made with Bouncy Castle and written to a directory. A server chain (root CA,
 * intermediate CA, leaf for {@code localhost} only) and a client chain (client CA, client certificate):
 * <ul>
 *   <li>{@value #ROOT_PEM}: the server root, the profile's {@code trust.pem};</li>
 *   <li>{@value #SERVER_P12}: the leaf's key with the chain leaf + intermediate, for the sandbox;</li>
 *   <li>{@value #CLIENT_CA_PEM}: the CA the sandbox requires client certificates from;</li>
 *   <li>{@value #CLIENT_P12}: the client key and chain as PKCS#12; {@value #CLIENT_KEY} (PKCS#8 PEM, not encrypted)
 *       and {@value #CLIENT_CHAIN} (PEM): the same as PEM files.</li>
 * </ul>
 * Key stores are written with the JDK's PKCS12 implementation, which every side reads without Bouncy Castle.
 */
public final class TestPki {
    public static final String ROOT_PEM = "server-root.pem";
    public static final String SERVER_P12 = "server.p12";
    public static final String CLIENT_CA_PEM = "client-ca.pem";
    public static final String CLIENT_P12 = "client.p12";
    public static final String CLIENT_KEY = "client.key";
    public static final String CLIENT_CHAIN = "client-chain.pem";

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** The pins of the written PKI, as {@code sha256/<base64>}: the intermediate's SPKI and three that match nothing. */
    public record Pins(String intermediate, String backup, String wrong1, String wrong2) {
    }

    private TestPki() {
    }

    /**
     * Writes the PKI into {@code dir}: {@value #SERVER_P12} with {@code serverPassword}, {@value #CLIENT_P12} with
     * {@code clientPassword}. Returns its pins.
     */
    public static Pins write(Path dir, char[] serverPassword, char[] clientPassword) throws Exception {
        KeyPair rootKeys = keys();
        X509Certificate root = ca("CN=stdb itest Server Root", rootKeys, "CN=stdb itest Server Root", rootKeys, 1);
        KeyPair intermediateKeys = keys();
        X509Certificate intermediate = ca("CN=stdb itest Server Intermediate", intermediateKeys,
                "CN=stdb itest Server Root", rootKeys, 0);
        KeyPair leafKeys = keys();
        X509Certificate leaf = endEntity("CN=localhost", leafKeys, intermediate, intermediateKeys,
                KeyPurposeId.id_kp_serverAuth, "localhost");
        KeyPair clientCaKeys = keys();
        X509Certificate clientCa = ca("CN=stdb itest Client CA", clientCaKeys, "CN=stdb itest Client CA",
                clientCaKeys, 0);
        KeyPair clientKeys = keys();
        X509Certificate client = endEntity("CN=stdb-itest-client", clientKeys, clientCa, clientCaKeys,
                KeyPurposeId.id_kp_clientAuth, null);

        pem(dir.resolve(ROOT_PEM), root);
        pem(dir.resolve(CLIENT_CA_PEM), clientCa);
        pkcs12(dir.resolve(SERVER_P12), "server", leafKeys, serverPassword, leaf, intermediate);
        pkcs12(dir.resolve(CLIENT_P12), "client", clientKeys, clientPassword, client, clientCa);
        pem(dir.resolve(CLIENT_CHAIN), client, clientCa);
        StringWriter key = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(key)) {
            w.writeObject(new JcaPKCS8Generator(clientKeys.getPrivate(), null));
        }
        Files.writeString(dir.resolve(CLIENT_KEY), key.toString());

        return new Pins(spkiPin(intermediate), randomPin(), randomPin(), randomPin());
    }

    /** {@code sha256/<base64 of the SHA-256 of the certificate's SubjectPublicKeyInfo>}. */
    public static String spkiPin(X509Certificate cert) throws GeneralSecurityException {
        return "sha256/" + Base64.getEncoder().encodeToString(
                MessageDigest.getInstance("SHA-256").digest(cert.getPublicKey().getEncoded()));
    }

    private static String randomPin() {
        byte[] hash = new byte[32];
        new SecureRandom().nextBytes(hash);
        return "sha256/" + Base64.getEncoder().encodeToString(hash);
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate ca(String subject, KeyPair keys, String issuer, KeyPair issuerKeys, int pathLen)
            throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), new X500Name(subject), keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        return sign(b, issuerKeys);
    }

    private static X509Certificate endEntity(String subject, KeyPair keys, X509Certificate issuer,
            KeyPair issuerKeys, KeyPurposeId purpose, String dnsName) throws Exception {
        Instant now = Instant.now();
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(30))), new X500Name(subject), keys.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
        if (dnsName != null) {
            b.addExtension(Extension.subjectAlternativeName, false,
                    new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        }
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(keys.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        return sign(b, issuerKeys);
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuerKeys) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static void pem(Path file, X509Certificate... certs) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (X509Certificate c : certs) {
                w.writeObject(c);
            }
        }
        Files.writeString(file, out.toString());
    }

    private static void pkcs12(Path file, String alias, KeyPair keys, char[] password, Certificate... chain)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(alias, keys.getPrivate(), password, chain);
        try (OutputStream o = Files.newOutputStream(file)) {
            ks.store(o, password);
        }
    }
}
