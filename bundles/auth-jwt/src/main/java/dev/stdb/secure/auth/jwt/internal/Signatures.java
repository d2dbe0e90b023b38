package dev.stdb.secure.auth.jwt.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Set;

/**
 * Which key may check which algorithm, and the check itself. The header's {@code alg} must belong to the key's type:
 * RS/PS with an RSA key, ES with an EC key of the algorithm's curve, EdDSA/Ed25519 with an Ed25519 key. There is no
 * path from an HMAC algorithm to any key. Ed25519 is verified with the JDK's own EdDSA (Nimbus needs Tink for it).
 */
public final class Signatures {

    /** Asymmetric algorithms a key set can check; everything else (HMAC, none) is refused before any key is used. */
    public static final Set<JWSAlgorithm> SUPPORTED = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA, JWSAlgorithm.Ed25519);

    /** DER prefix of an X.509 SubjectPublicKeyInfo for Ed25519 (OID 1.3.101.112), before the 32 key bytes. */
    private static final byte[] ED25519_SPKI_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03,
        0x21, 0x00};

    private Signatures() {
    }

    /** Whether {@code key} is of the type {@code alg} needs, is meant for signatures and does not name another alg. */
    public static boolean fits(JWSAlgorithm alg, JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return false;
        }
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
            return false;
        }
        if (JWSAlgorithm.Family.RSA.contains(alg)) {
            return key instanceof RSAKey;
        }
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            return key instanceof ECKey && Curve.forJWSAlgorithm(alg).contains(((ECKey) key).getCurve());
        }
        if (JWSAlgorithm.EdDSA.equals(alg) || JWSAlgorithm.Ed25519.equals(alg)) {
            return key instanceof OctetKeyPair && Curve.Ed25519.equals(((OctetKeyPair) key).getCurve());
        }
        return false;
    }

    /** Whether the signature of {@code jwt} verifies with {@code key} (which {@link #fits} the header's alg). */
    public static boolean verify(SignedJWT jwt, JWK key) throws JOSEException {
        if (key instanceof RSAKey) {
            return jwt.verify(new RSASSAVerifier((RSAKey) key));
        }
        if (key instanceof ECKey) {
            return jwt.verify(new ECDSAVerifier((ECKey) key));
        }
        if (key instanceof OctetKeyPair) {
            return verifyEd25519(jwt, ((OctetKeyPair) key).getDecodedX());
        }
        return false;
    }

    private static boolean verifyEd25519(SignedJWT jwt, byte[] x) throws JOSEException {
        if (x.length != 32) {
            return false;
        }
        byte[] spki = new byte[ED25519_SPKI_PREFIX.length + 32];
        System.arraycopy(ED25519_SPKI_PREFIX, 0, spki, 0, ED25519_SPKI_PREFIX.length);
        System.arraycopy(x, 0, spki, ED25519_SPKI_PREFIX.length, 32);
        try {
            PublicKey pub = KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(pub);
            s.update(jwt.getSigningInput());
            return s.verify(jwt.getSignature().decode());
        } catch (java.security.SignatureException bad) {
            return false;
        } catch (GeneralSecurityException e) {
            throw new JOSEException("Ed25519 verification is unavailable: " + e.getClass().getSimpleName());
        }
    }
}
