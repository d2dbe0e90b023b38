package dev.stdb.secure.testing.keycloak;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The test PKI of Keycloak's HTTPS port, made fresh per JVM (EC P-256, a second or less): one CA that issued the
 * server certificate (IP SAN 127.0.0.1) and the client certificates, and that Keycloak trusts for client certificates
 * ({@code --truststore-paths}); a client certificate with subject {@value #CLIENT_DN}, the {@code x509.subjectdn} of
 * realm client {@value Keycloak#SVC_MTLS}; one of the same CA with subject {@value #OTHER_DN}; and one issued by a CA
 * Keycloak does not trust. Client keys are in PKCS#12 files protected by {@link #password()}; the CA in a PEM file.
 */
public final class MtlsPki {

    /** Subject of the client certificate Keycloak accepts for {@value Keycloak#SVC_MTLS}. */
    public static final String CLIENT_DN = "CN=svc-mtls,OU=stdb-tests,O=stdb";
    /** Subject of a certificate of the same CA that is not {@value Keycloak#SVC_MTLS}'s. */
    public static final String OTHER_DN = "CN=svc-other,OU=stdb-tests,O=stdb";
    /** Alias of the key entry in every client PKCS#12 file. */
    public static final String ALIAS = "client";

    private static final String PASSWORD = "pki-test-password";
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private final Path dir;
    private final X509Certificate ca;
    private final X509Certificate client;

    private MtlsPki(Path dir, X509Certificate ca, X509Certificate client) {
        this.dir = dir;
        this.ca = ca;
        this.client = client;
    }

    /** Makes the CA, the server and the client certificates, and writes them to a new temporary folder. */
    static MtlsPki create() {
        try {
            Path dir = Files.createTempDirectory("stdb-keycloak-pki-");
            Instant now = Instant.now();
            KeyPair caKeys = keys();
            X509Certificate ca = caCert("CN=stdb test CA,O=stdb", caKeys, now);
            KeyPair serverKeys = keys();
            X509Certificate server = leaf(ca, caKeys, "CN=127.0.0.1,O=stdb", serverKeys, now, true);
            writePem(dir.resolve("ca.pem"), ca);
            writePem(dir.resolve("server.pem"), server, ca);
            writePem(dir.resolve("server-key.pem"), new JcaPKCS8Generator(serverKeys.getPrivate(), null));

            KeyPair clientKeys = keys();
            X509Certificate client = leaf(ca, caKeys, CLIENT_DN, clientKeys, now, false);
            writePkcs12(dir.resolve("client.p12"), clientKeys, client, ca);
            KeyPair otherKeys = keys();
            writePkcs12(dir.resolve("other.p12"), otherKeys, leaf(ca, caKeys, OTHER_DN, otherKeys, now, false), ca);
            KeyPair strangerCaKeys = keys();
            X509Certificate strangerCa = caCert("CN=stranger CA,O=elsewhere", strangerCaKeys, now);
            KeyPair strangerKeys = keys();
            writePkcs12(dir.resolve("stranger.p12"), strangerKeys,
                    leaf(strangerCa, strangerCaKeys, CLIENT_DN, strangerKeys, now, false), strangerCa);
            return new MtlsPki(dir, ca, client);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the test PKI", e);
        } catch (Exception e) {
            throw new IllegalStateException("cannot make the test PKI", e);
        }
    }

    /** Deletes the files (at JVM exit, after Keycloak stopped: it reloads certificate files while it runs). */
    void delete() {
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            System.err.println("cannot delete the test PKI in " + dir + ": " + e);
        }
    }

    /** The folder of the files. */
    public Path dir() {
        return dir;
    }

    /** PEM of the CA: trust it for Keycloak's HTTPS port; Keycloak trusts it for client certificates. */
    public Path caPem() {
        return dir.resolve("ca.pem");
    }

    public X509Certificate ca() {
        return ca;
    }

    /** Server certificate chain (PEM) of Keycloak's HTTPS port. */
    Path serverPem() {
        return dir.resolve("server.pem");
    }

    /** Unencrypted PKCS#8 key of the server certificate. */
    Path serverKeyPem() {
        return dir.resolve("server-key.pem");
    }

    /** PKCS#12 with key and chain of {@value #CLIENT_DN} (alias {@value #ALIAS}). */
    public Path clientPkcs12() {
        return dir.resolve("client.p12");
    }

    /** PKCS#12 of {@value #OTHER_DN}, issued by the same CA. */
    public Path otherPkcs12() {
        return dir.resolve("other.p12");
    }

    /** PKCS#12 of a certificate with subject {@value #CLIENT_DN} issued by a CA Keycloak does not trust. */
    public Path strangerPkcs12() {
        return dir.resolve("stranger.p12");
    }

    /** The password of the PKCS#12 files and their keys (a new array each time; test material). */
    public char[] password() {
        return PASSWORD.toCharArray();
    }

    /** The client certificate of {@value #CLIENT_DN}. */
    public X509Certificate client() {
        return client;
    }

    /** RFC 8705 3.1 thumbprint of {@code cert}: base64url (no padding) of the SHA-256 of its DER encoding. */
    public static String x5tS256(X509Certificate cert) {
        try {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static X509Certificate caCert(String dn, KeyPair kp, Instant now) throws Exception {
        X509v3CertificateBuilder b = builder(new X500Principal(dn), new X500Principal(dn), kp, now);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        return sign(b, kp);
    }

    private static X509Certificate leaf(X509Certificate issuer, KeyPair issuerKeys, String dn, KeyPair kp,
            Instant now, boolean server) throws Exception {
        X509v3CertificateBuilder b = builder(issuer.getSubjectX500Principal(), new X500Principal(dn), kp, now);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        if (server) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName,
                        "localhost")}));
        }
        return sign(b, issuerKeys);
    }

    /** Names encoded as the JDK does (RFC 2253 strings list the last RDN first), so Keycloak's DN check matches. */
    private static X509v3CertificateBuilder builder(X500Principal issuer, X500Principal subject, KeyPair kp,
            Instant now) {
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofDays(1))), Date.from(now.plus(Duration.ofDays(30))), subject,
                kp.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws Exception {
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
    }

    private static void writePem(Path file, Object... objects) throws IOException {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            for (Object o : objects) {
                w.writeObject(o instanceof JcaPKCS8Generator ? ((JcaPKCS8Generator) o).generate() : o);
            }
        }
        Files.writeString(file, s.toString(), StandardCharsets.US_ASCII);
    }

    private static void writePkcs12(Path file, KeyPair kp, X509Certificate cert, X509Certificate ca)
            throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry(ALIAS, kp.getPrivate(), PASSWORD.toCharArray(), new Certificate[] {cert, ca});
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, PASSWORD.toCharArray());
        }
    }
}
