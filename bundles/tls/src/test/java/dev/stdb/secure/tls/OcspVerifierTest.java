package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.tls.internal.OcspVerifier;
import dev.stdb.secure.tls.internal.RevocationStatus;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLReason;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The OCSP response verifier on responses made with Bouncy Castle: only a verified, current answer is an answer. */
class OcspVerifierTest {

    private static Pki.Issued ca;
    private static Pki.Issued leaf;
    private static Pki.Issued otherLeaf;
    private static Pki.Issued otherCa;
    private static final Instant NOW = Instant.now();

    @BeforeAll
    static void pki() throws Exception {
        ca = Pki.root("Verifier CA");
        leaf = Pki.leaf(ca, "db.example.com");
        otherLeaf = Pki.leaf(ca, "other.example.com");
        otherCa = Pki.root("Verifier CA");
    }

    /** A response about {@code about}, signed by {@code key}, carrying {@code certs}. */
    private static byte[] response(X509Certificate about, CertificateStatus status, Instant thisUpdate,
            Instant nextUpdate, PrivateKey key, X509Certificate... certs) throws Exception {
        CertificateID id = new CertificateID(new JcaDigestCalculatorProviderBuilder().build()
                .get(CertificateID.HASH_SHA1), new JcaX509CertificateHolder(ca.cert()), about.getSerialNumber());
        BasicOCSPRespBuilder b = new BasicOCSPRespBuilder(new RespID(new X500Name("CN=responder")));
        b.addResponse(id, status, Date.from(thisUpdate), nextUpdate == null ? null : Date.from(nextUpdate), null);
        X509CertificateHolder[] chain = new X509CertificateHolder[certs.length];
        for (int i = 0; i < certs.length; i++) {
            chain[i] = new JcaX509CertificateHolder(certs[i]);
        }
        BasicOCSPResp basic = b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key), chain,
                Date.from(thisUpdate));
        return new OCSPRespBuilder().build(OCSPRespBuilder.SUCCESSFUL, basic).getEncoded();
    }

    private static byte[] good(PrivateKey key, X509Certificate... certs) throws Exception {
        return response(leaf.cert(), CertificateStatus.GOOD, NOW.minusSeconds(60), NOW.plusSeconds(3600), key, certs);
    }

    private static RevocationStatus verify(byte[] der) {
        return OcspVerifier.verify(der, leaf.cert(), ca.cert(), NOW, "test");
    }

    private static void assertUnknown(RevocationStatus s, String why) {
        assertEquals(RevocationStatus.Kind.UNKNOWN, s.kind(), s.toString());
        assertTrue(s.detail().contains(why), s.toString());
    }

    @Test
    void goodSignedByTheIssuerIsGood() throws Exception {
        RevocationStatus s = verify(good(ca.keys().getPrivate()));
        assertEquals(RevocationStatus.Kind.GOOD, s.kind(), s.toString());
        assertTrue(s.validUntil().isAfter(NOW));
    }

    @Test
    void revokedCarriesTimeAndReason() throws Exception {
        Instant when = NOW.minus(Duration.ofDays(2));
        RevocationStatus s = verify(response(leaf.cert(), new RevokedStatus(Date.from(when), CRLReason.keyCompromise),
                NOW.minusSeconds(60), NOW.plusSeconds(3600), ca.keys().getPrivate()));
        assertEquals(RevocationStatus.Kind.REVOKED, s.kind(), s.toString());
        assertEquals(when.getEpochSecond(), s.revokedAt().getEpochSecond());
        assertEquals("keyCompromise", s.reason());
    }

    @Test
    void wrongSignerIsUnknown() throws Exception {
        // another CA with the same name: its key signs, its certificate is attached
        assertUnknown(verify(good(otherCa.keys().getPrivate(), otherCa.cert())), "not signed by the issuer");
    }

    @Test
    void delegatedResponderNeedsTheIssuersSignatureAndOcspSigning() throws Exception {
        Pki.Issued delegated = Pki.ocspSigner(ca, "Delegated", true);
        assertEquals(RevocationStatus.Kind.GOOD, verify(good(delegated.keys().getPrivate(), delegated.cert())).kind());
        Pki.Issued noEku = Pki.ocspSigner(ca, "No EKU", false);
        assertUnknown(verify(good(noEku.keys().getPrivate(), noEku.cert())), "not signed by the issuer");
        Pki.Issued foreign = Pki.ocspSigner(otherCa, "Foreign", true);
        assertUnknown(verify(good(foreign.keys().getPrivate(), foreign.cert())), "not signed by the issuer");
        // a delegated signature without its certificate cannot be verified
        assertUnknown(verify(good(delegated.keys().getPrivate())), "not signed by the issuer");
    }

    @Test
    void staleResponseIsUnknown() throws Exception {
        assertUnknown(verify(response(leaf.cert(), CertificateStatus.GOOD, NOW.minus(Duration.ofDays(2)),
                NOW.minus(Duration.ofHours(1)), ca.keys().getPrivate())), "stale");
        // within the 5 minutes of skew it still counts
        assertEquals(RevocationStatus.Kind.GOOD, verify(response(leaf.cert(), CertificateStatus.GOOD,
                NOW.minus(Duration.ofHours(1)), NOW.minus(Duration.ofMinutes(2)), ca.keys().getPrivate())).kind());
    }

    @Test
    void responseFromTheFutureIsUnknown() throws Exception {
        assertUnknown(verify(response(leaf.cert(), CertificateStatus.GOOD, NOW.plus(Duration.ofHours(1)),
                NOW.plus(Duration.ofHours(2)), ca.keys().getPrivate())), "in the future");
    }

    @Test
    void certIdOfAnotherCertificateIsUnknown() throws Exception {
        assertUnknown(verify(response(otherLeaf.cert(), CertificateStatus.GOOD, NOW.minusSeconds(60),
                NOW.plusSeconds(3600), ca.keys().getPrivate())), "CertID");
    }

    @Test
    void unknownStatusAndErrorsAreUnknown() throws Exception {
        assertUnknown(verify(response(leaf.cert(), new UnknownStatus(), NOW.minusSeconds(60), NOW.plusSeconds(3600),
                ca.keys().getPrivate())), "does not know");
        assertUnknown(verify(new OCSPRespBuilder().build(OCSPResp.TRY_LATER, null).getEncoded()), "tryLater");
        assertUnknown(verify(new byte[] {0x30, 0x03, 0x0a, 0x01}), "malformed");
        assertUnknown(verify(new byte[0]), "empty");
    }
}
