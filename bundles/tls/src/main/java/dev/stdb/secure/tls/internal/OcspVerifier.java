package dev.stdb.secure.tls.internal;

import java.io.IOException;
import java.math.BigInteger;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.ocsp.BasicOCSPResp;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPException;
import org.bouncycastle.cert.ocsp.OCSPReqBuilder;
import org.bouncycastle.cert.ocsp.OCSPResp;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.cert.ocsp.SingleResp;
import org.bouncycastle.cert.ocsp.UnknownStatus;
import org.bouncycastle.operator.ContentVerifierProvider;
import org.bouncycastle.operator.DigestCalculatorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;

/**
 * OCSP requests and the verification of responses (RFC 6960, profiled by RFC 5019), fetched or stapled alike. A
 * response counts only when: its status is {@code successful}; it is a basic response signed by the issuer, or by a
 * responder certificate the issuer signed with {@code id-kp-OCSPSigning} and valid now; it has a single response for
 * this certificate's CertID (issuer name and key hashes, serial); its {@code thisUpdate} is not in the future and its
 * {@code nextUpdate} not passed, with {@link #SKEW} of tolerance. Anything else is an {@code UNKNOWN} status that says
 * why, never {@code GOOD}. A signed {@code revoked} answer stands even when it is stale: revocation is final.
 */
public final class OcspVerifier {

    /** Tolerated clock difference with the responder. */
    public static final Duration SKEW = Duration.ofMinutes(5);

    private OcspVerifier() {
    }

    private static DigestCalculatorProvider digests() throws OperatorCreationException {
        return new JcaDigestCalculatorProviderBuilder().build();
    }

    /** A DER request for {@code cert}, CertID with SHA-1 (what RFC 5019 responders index on), no nonce. */
    public static byte[] request(X509Certificate cert, X509Certificate issuer) throws IOException {
        try {
            CertificateID id = new CertificateID(digests().get(CertificateID.HASH_SHA1),
                    new JcaX509CertificateHolder(issuer), cert.getSerialNumber());
            return new OCSPReqBuilder().addRequest(id).build().getEncoded();
        } catch (OperatorCreationException | OCSPException | CertificateEncodingException e) {
            throw new IOException("cannot build the OCSP request: " + e.getMessage(), e);
        }
    }

    /** The status {@code der} gives for {@code cert}, verified as described above; {@code source} names its origin. */
    public static RevocationStatus verify(byte[] der, X509Certificate cert, X509Certificate issuer, Instant now,
            String source) {
        if (der == null || der.length == 0) {
            return RevocationStatus.unknown(source, "empty response");
        }
        BasicOCSPResp basic;
        try {
            OCSPResp resp = new OCSPResp(der);
            if (resp.getStatus() != OCSPResp.SUCCESSFUL) {
                return RevocationStatus.unknown(source, "responder status " + statusName(resp.getStatus()));
            }
            Object o = resp.getResponseObject();
            if (!(o instanceof BasicOCSPResp)) {
                return RevocationStatus.unknown(source, "not a basic OCSP response");
            }
            basic = (BasicOCSPResp) o;
        } catch (IOException | OCSPException | RuntimeException e) {
            return RevocationStatus.unknown(source, "malformed response (" + e.getClass().getSimpleName() + ")");
        }
        X509CertificateHolder issuerHolder;
        try {
            issuerHolder = new JcaX509CertificateHolder(issuer);
        } catch (CertificateEncodingException e) {
            return RevocationStatus.unknown(source, "cannot encode the issuer certificate");
        }
        String signer = signer(basic, issuer, issuerHolder, now);
        if (signer == null) {
            return RevocationStatus.unknown(source, "response not signed by the issuer "
                    + issuer.getSubjectX500Principal().getName() + " or a responder it authorized (id-kp-OCSPSigning)");
        }
        SingleResp single = null;
        BigInteger serial = cert.getSerialNumber();
        try {
            DigestCalculatorProvider digests = digests();
            for (SingleResp r : basic.getResponses()) {
                CertificateID id = r.getCertID();
                if (id.getSerialNumber().equals(serial) && id.matchesIssuer(issuerHolder, digests)) {
                    single = r;
                    break;
                }
            }
        } catch (OperatorCreationException | OCSPException | RuntimeException e) {
            return RevocationStatus.unknown(source, "cannot compare CertIDs (" + e.getClass().getSimpleName() + ")");
        }
        if (single == null) {
            return RevocationStatus.unknown(source, "no response for this certificate's CertID (serial "
                    + serial.toString(16).toUpperCase(java.util.Locale.ROOT) + ")");
        }
        Instant thisUpdate = single.getThisUpdate().toInstant();
        Date next = single.getNextUpdate();
        Instant nextUpdate = next == null ? null : next.toInstant();
        CertificateStatus status = single.getCertStatus();
        if (status instanceof RevokedStatus) {
            RevokedStatus r = (RevokedStatus) status;
            String reason = r.hasRevocationReason() ? RevocationStatus.reasonName(r.getRevocationReason())
                    : "unspecified";
            return RevocationStatus.revoked(source, r.getRevocationTime().toInstant(), reason, nextUpdate);
        }
        if (thisUpdate.isAfter(now.plus(SKEW))) {
            return RevocationStatus.unknown(source, "thisUpdate " + thisUpdate + " is in the future");
        }
        if (nextUpdate != null && nextUpdate.isBefore(now.minus(SKEW))) {
            return RevocationStatus.unknown(source, "stale response: nextUpdate " + nextUpdate + " has passed");
        }
        if (status instanceof UnknownStatus || status != CertificateStatus.GOOD) {
            return RevocationStatus.unknown(source, "the responder does not know this certificate");
        }
        return RevocationStatus.good(source, nextUpdate);
    }

    /** Who signed the response: "issuer", the delegated responder's subject, or null when no one acceptable did. */
    private static String signer(BasicOCSPResp basic, X509Certificate issuer, X509CertificateHolder issuerHolder,
            Instant now) {
        ContentVerifierProvider byIssuer;
        try {
            byIssuer = new JcaContentVerifierProviderBuilder().build(issuer.getPublicKey());
            if (basic.isSignatureValid(byIssuer)) {
                return "issuer";
            }
        } catch (OperatorCreationException | OCSPException | RuntimeException e) {
            return null;
        }
        for (X509CertificateHolder rc : basic.getCerts()) {
            try {
                if (!rc.getIssuer().equals(issuerHolder.getSubject()) || !rc.isSignatureValid(byIssuer)
                        || !rc.isValidOn(Date.from(now))) {
                    continue;
                }
                ExtendedKeyUsage eku = ExtendedKeyUsage.fromExtensions(rc.getExtensions());
                if (eku == null || !eku.hasKeyPurposeId(KeyPurposeId.id_kp_OCSPSigning)) {
                    continue;
                }
                if (basic.isSignatureValid(new JcaContentVerifierProviderBuilder().build(rc))) {
                    return rc.getSubject().toString();
                }
            } catch (Exception e) {
                // an unusable candidate: try the next one
            }
        }
        return null;
    }

    private static String statusName(int status) {
        switch (status) {
            case OCSPResp.MALFORMED_REQUEST:
                return "malformedRequest";
            case OCSPResp.INTERNAL_ERROR:
                return "internalError";
            case OCSPResp.TRY_LATER:
                return "tryLater";
            case OCSPResp.SIG_REQUIRED:
                return "sigRequired";
            case OCSPResp.UNAUTHORIZED:
                return "unauthorized";
            default:
                return String.valueOf(status);
        }
    }
}
