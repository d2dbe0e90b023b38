package dev.stdb.secure.tls;

import dev.stdb.secure.tls.internal.PinningTrustManager;
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
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CRLConverter;
import org.bouncycastle.cert.jcajce.JcaX509v2CRLBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Test certificates made with Bouncy Castle: CAs, intermediates and leaves with SANs. */
final class Pki {

    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A key pair and its certificate. */
    record Issued(KeyPair keys, X509Certificate cert) {
        String spkiPin() {
            return PinSet.SPKI + PinningTrustManager.sha256(cert.getPublicKey().getEncoded());
        }
    }

    /** Where a certificate says its revocation status is published: an OCSP URL (AIA) and/or a CRL URL (CDP). */
    record Urls(String ocsp, String crl) {
        static final Urls NONE = new Urls(null, null);

        static Urls ocsp(Object url) {
            return new Urls(String.valueOf(url), null);
        }

        static Urls crl(Object url) {
            return new Urls(null, String.valueOf(url));
        }

        void addTo(X509v3CertificateBuilder b) throws IOException {
            if (ocsp != null) {
                b.addExtension(Extension.authorityInfoAccess, false, new AuthorityInformationAccess(
                        new AccessDescription(AccessDescription.id_ad_ocsp,
                                new GeneralName(GeneralName.uniformResourceIdentifier, ocsp))));
            }
            if (crl != null) {
                b.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
                    new DistributionPoint(new DistributionPointName(new GeneralNames(
                            new GeneralName(GeneralName.uniformResourceIdentifier, crl))), null, null)}));
            }
        }
    }

    private Pki() {
    }

    static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static Issued root(String cn) throws Exception {
        KeyPair kp = keys();
        return new Issued(kp, ca(cn, kp, cn, kp, 1, Urls.NONE));
    }

    static Issued intermediate(String cn, Issued issuer) throws Exception {
        return intermediate(cn, issuer, Urls.NONE);
    }

    /** An intermediate CA whose revocation status is published at {@code urls}. */
    static Issued intermediate(String cn, Issued issuer, Urls urls) throws Exception {
        KeyPair kp = keys();
        return new Issued(kp, ca(cn, kp, issuer.cert().getSubjectX500Principal().getName(), issuer.keys(), 0,
                urls));
    }

    /** A server certificate for {@code dnsOrIp} names ({@code 127.0.0.1} becomes an IP SAN). */
    static Issued leaf(Issued issuer, KeyPair kp, String... names) throws Exception {
        return leaf(issuer, kp, Urls.NONE, names);
    }

    /** A server certificate whose revocation status is published at {@code urls}. */
    static Issued leaf(Issued issuer, Urls urls, String... names) throws Exception {
        return leaf(issuer, keys(), urls, names);
    }

    /** A delegated OCSP responder certificate of {@code issuer}; with {@code ocspSigning} false it lacks the EKU. */
    static Issued ocspSigner(Issued issuer, String cn, boolean ocspSigning) throws Exception {
        KeyPair kp = keys();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = builder(issuer.cert().getSubjectX500Principal().getName(), "CN=" + cn,
                kp, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                ocspSigning ? KeyPurposeId.id_kp_OCSPSigning : KeyPurposeId.id_kp_serverAuth));
        return new Issued(kp, sign(b, issuer.keys()));
    }

    /** A DER CRL of {@code issuer}, current now and until {@code nextUpdate}, revoking {@code revoked}. */
    static byte[] crl(Issued issuer, Instant nextUpdate, X509Certificate... revoked) throws Exception {
        Instant now = Instant.now();
        X509v2CRLBuilder b = new JcaX509v2CRLBuilder(issuer.cert().getSubjectX500Principal(),
                Date.from(now.minus(Duration.ofMinutes(1))));
        b.setNextUpdate(Date.from(nextUpdate));
        for (X509Certificate c : revoked) {
            b.addCRLEntry(c.getSerialNumber(), Date.from(now.minus(Duration.ofHours(1))), CRLReason.keyCompromise);
        }
        return new JcaX509CRLConverter().getCRL(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.keys().getPrivate())))
                .getEncoded();
    }

    private static Issued leaf(Issued issuer, KeyPair kp, Urls urls, String... names) throws Exception {
        Instant now = Instant.now();
        return leaf(issuer, kp, urls, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)), names);
    }

    /** A server certificate valid from {@code notBefore} to {@code notAfter} (to make expired or future ones). */
    static Issued leaf(Issued issuer, Instant notBefore, Instant notAfter, String... names) throws Exception {
        return leaf(issuer, keys(), Urls.NONE, notBefore, notAfter, names);
    }

    /** A self-signed server certificate (no CA): trusted only if it is itself an anchor. */
    static Issued selfSigned(String... names) throws Exception {
        KeyPair kp = keys();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = builder("CN=" + names[0], "CN=" + names[0], kp, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(30)));
        serverExtensions(b, kp, kp.getPublic(), names);
        return new Issued(kp, sign(b, kp));
    }

    private static Issued leaf(Issued issuer, KeyPair kp, Urls urls, Instant notBefore, Instant notAfter,
            String... names) throws Exception {
        X509v3CertificateBuilder b = builder(issuer.cert().getSubjectX500Principal().getName(), "CN=" + names[0],
                kp, notBefore, notAfter);
        serverExtensions(b, kp, issuer.cert().getPublicKey(), names);
        urls.addTo(b);
        return new Issued(kp, sign(b, issuer.keys()));
    }

    private static void serverExtensions(X509v3CertificateBuilder b, KeyPair kp, PublicKey issuerKey,
            String... names) throws Exception {
        GeneralName[] sans = new GeneralName[names.length];
        for (int i = 0; i < names.length; i++) {
            sans[i] = Character.isDigit(names[i].charAt(0)) ? new GeneralName(GeneralName.iPAddress, names[i])
                    : new GeneralName(GeneralName.dNSName, names[i]);
        }
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuerKey));
    }

    /** A client certificate (extended key usage clientAuth) for {@code cn}. */
    static Issued client(Issued issuer, String cn) throws Exception {
        KeyPair kp = keys();
        Instant now = Instant.now();
        X509v3CertificateBuilder b = builder(issuer.cert().getSubjectX500Principal().getName(), "CN=" + cn,
                kp, now.minus(Duration.ofDays(1)), now.plus(Duration.ofDays(30)));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                ext.createAuthorityKeyIdentifier(issuer.cert().getPublicKey()));
        return new Issued(kp, sign(b, issuer.keys()));
    }

    static Issued leaf(Issued issuer, String... names) throws Exception {
        return leaf(issuer, keys(), names);
    }

    private static X509Certificate ca(String cn, KeyPair kp, String issuerDn, KeyPair issuerKeys, int pathLen,
            Urls urls) throws Exception {
        Instant now = Instant.now();
        String subject = cn.startsWith("CN=") ? cn : "CN=" + cn;
        String issuer = issuerDn.startsWith("CN=") ? issuerDn : "CN=" + issuerDn;
        X509v3CertificateBuilder b = builder(issuer, subject, kp, now.minus(Duration.ofDays(1)),
                now.plus(Duration.ofDays(365)));
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(pathLen));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        b.addExtension(Extension.authorityKeyIdentifier, false,
                ext.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
        urls.addTo(b);
        return sign(b, issuerKeys);
    }

    private static X509v3CertificateBuilder builder(String issuer, String subject, KeyPair kp, Instant from,
            Instant to) {
        return new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(from), Date.from(to), new X500Name(subject), kp.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair issuerKeys) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    /** A PKCS12 key store with {@code leaf}'s key and the chain the server sends. */
    static KeyStore serverKeyStore(char[] password, Issued leaf, X509Certificate... rest)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        Certificate[] chain = new Certificate[rest.length + 1];
        chain[0] = leaf.cert();
        System.arraycopy(rest, 0, chain, 1, rest.length);
        ks.setKeyEntry("server", leaf.keys().getPrivate(), password, chain);
        return ks;
    }

    static Path pem(Path file, X509Certificate... certs) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (X509Certificate c : certs) {
                w.writeObject(c);
            }
        }
        Files.writeString(file, out.toString());
        return file;
    }

    /** An unencrypted PKCS#8 PEM private key, as {@code openssl s_server -key} reads it. */
    static Path pemKey(Path file, PrivateKey key) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new JcaPKCS8Generator(key, null));
        }
        Files.writeString(file, out.toString());
        return file;
    }

    static Path trustStore(Path file, String type, char[] password, X509Certificate... certs)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(type);
        ks.load(null, null);
        for (int i = 0; i < certs.length; i++) {
            ks.setCertificateEntry("ca-" + i, certs[i]);
        }
        try (OutputStream o = Files.newOutputStream(file)) {
            ks.store(o, password);
        }
        return file;
    }
}
