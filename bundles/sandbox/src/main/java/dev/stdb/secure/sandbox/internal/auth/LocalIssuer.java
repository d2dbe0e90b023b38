package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import dev.stdb.secure.protocol.Identity;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.math.ec.ECPoint;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPublicKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The sandbox's own token issuer: an ES256 (P-256) key pair, like a standalone SpacetimeDB's {@code id_ecdsa} keys.
 * Mints anonymous identities ({@code POST /v1/identity}) and short-lived WebSocket tokens
 * ({@code POST /v1/identity/websocket-token}); serves its public key ({@code GET /v1/identity/public-key}).
 *
 * <p>Tokens are shaped like SpacetimeDB's: header {@code {"typ":"JWT","alg":"ES256"}} (no {@code kid}), claims
 * {@code hex_identity, sub, iss, aud, iat[, exp]} plus any extra claims carried over on re-sign. Thread-safe.
 */
public final class LocalIssuer {
    /** The issuer string of a standalone SpacetimeDB. */
    public static final String DEFAULT_ISSUER = "localhost";
    /** The placeholder audience SpacetimeDB puts in minted tokens. */
    public static final String AUDIENCE = "spacetimedb";
    /** The lifetime SpacetimeDB gives WebSocket tokens. */
    public static final Duration WEBSOCKET_TOKEN_TTL = Duration.ofSeconds(60);

    /** Claims that {@link #reSign} sets itself; every other claim of the caller is carried over. */
    private static final Set<String> OWN_CLAIMS = Set.of("hex_identity", "sub", "iss", "aud", "iat", "exp");

    private final String issuer;
    private final Clock clock;
    private final ECPrivateKey privateKey;
    private final ECPublicKey publicKey;
    private final ECDSASigner signer;
    private final String publicKeyPem;
    private final String fingerprint;

    private LocalIssuer(String issuer, Clock clock, ECPrivateKey privateKey, ECPublicKey publicKey) {
        this.issuer = requireIssuer(issuer);
        this.clock = Objects.requireNonNull(clock, "clock");
        this.privateKey = privateKey;
        this.publicKey = publicKey;
        if (Curve.forECParameterSpec(publicKey.getParams()) != Curve.P_256) {
            throw new IllegalArgumentException("the local issuer key must be a P-256 (secp256r1) key");
        }
        try {
            this.signer = new ECDSASigner(privateKey);
        } catch (JOSEException e) {
            throw new IllegalArgumentException("unusable EC private key: " + e.getMessage(), e);
        }
        byte[] spki = publicKey.getEncoded();
        this.publicKeyPem = pem("PUBLIC KEY", spki);
        this.fingerprint = "SHA256:" + Base64.getEncoder().encodeToString(sha256(spki));
    }

    /** A new random key pair, issuer {@code "localhost"}, system UTC clock. */
    public static LocalIssuer generate() {
        return generate(DEFAULT_ISSUER, Clock.systemUTC());
    }

    /** A new random P-256 key pair. */
    public static LocalIssuer generate(String issuer, Clock clock) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair kp = gen.generateKeyPair();
            return new LocalIssuer(issuer, clock, (ECPrivateKey) kp.getPrivate(), (ECPublicKey) kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a P-256 key pair", e);
        }
    }

    /**
     * The key pair from a PEM private key: PKCS#8 ({@code -----BEGIN PRIVATE KEY-----}, what
     * {@link #privateKeyPkcs8Pem()} writes) or SEC1 ({@code -----BEGIN EC PRIVATE KEY-----}, openssl's default).
     * The public key is derived from the private scalar.
     *
     * @throws IllegalArgumentException if the PEM holds no P-256 private key
     */
    public static LocalIssuer fromPkcs8Pem(String pem, String issuer, Clock clock) {
        Objects.requireNonNull(pem, "pem");
        PrivateKey key;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object obj = parser.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (obj instanceof PrivateKeyInfo) {
                key = conv.getPrivateKey((PrivateKeyInfo) obj);
            } else if (obj instanceof PEMKeyPair) {
                key = conv.getPrivateKey(((PEMKeyPair) obj).getPrivateKeyInfo());
            } else {
                throw new IllegalArgumentException("no unencrypted private key found in the PEM text");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the PEM private key: " + e.getMessage(), e);
        }
        if (!(key instanceof ECPrivateKey)) {
            throw new IllegalArgumentException("the local issuer key must be an EC (P-256) key, got " + key.getAlgorithm());
        }
        ECPrivateKey ecPriv = (ECPrivateKey) key;
        if (Curve.forECParameterSpec(ecPriv.getParams()) != Curve.P_256) {
            throw new IllegalArgumentException("the local issuer key must be a P-256 (secp256r1) key");
        }
        try {
            X9ECParameters p256 = ECNamedCurveTable.getByName("secp256r1");
            ECPoint q = p256.getG().multiply(ecPriv.getS()).normalize();
            java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            ECPublicKey pub = (ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new ECPublicKeySpec(w, ecPriv.getParams()));
            return new LocalIssuer(issuer, clock, ecPriv, pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot derive the public key: " + e.getMessage(), e);
        }
    }

    /** The {@code iss} of every token this issuer mints. */
    public String issuer() {
        return issuer;
    }

    public Clock clock() {
        return clock;
    }

    public ECPublicKey publicKey() {
        return publicKey;
    }

    /** The public key as SubjectPublicKeyInfo PEM ({@code -----BEGIN PUBLIC KEY-----}), as {@code GET /v1/identity/public-key} serves it. */
    public String publicKeyPem() {
        return publicKeyPem;
    }

    /** {@code "SHA256:" + base64(SHA-256(DER SubjectPublicKeyInfo))} (standard base64 with padding), for the banner. */
    public String publicKeyFingerprint() {
        return fingerprint;
    }

    /** The private key as PKCS#8 PEM, so a sandbox can persist its key and keep identities valid across restarts. */
    public String privateKeyPkcs8Pem() {
        return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    /** A verifier for this issuer's signatures (ES256). */
    JWSVerifier verifier() {
        try {
            return new ECDSAVerifier(publicKey);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code POST /v1/identity}: a new anonymous identity with subject = random UUIDv4, audience
     * {@code ["spacetimedb"]}, {@code iat} = now and no {@code exp}.
     */
    public MintedToken mintAnonymous() {
        String subject = UUID.randomUUID().toString();
        Identity identity = IdentityDerivation.fromClaims(issuer, subject);
        String token = sign(claims(identity, subject, issuer, List.of(AUDIENCE), now(), null, Map.of()));
        return new MintedToken(identity, token);
    }

    /**
     * {@code POST /v1/identity/websocket-token}: the caller's claims re-signed with this key, {@code iat} = now and
     * {@code exp = now + ttl} (SpacetimeDB uses {@link #WEBSOCKET_TOKEN_TTL}). Keeps {@code iss} (even a foreign
     * OIDC issuer: the validator accepts anything signed by the local key), {@code sub}, {@code aud} and every extra
     * claim; {@code hex_identity} is the derived identity.
     */
    public String reSign(ValidatedToken caller, Duration ttl) {
        Objects.requireNonNull(caller, "caller");
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive");
        }
        Map<String, Object> extra = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : caller.claims().entrySet()) {
            if (!OWN_CLAIMS.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        long now = now();
        return sign(claims(caller.identity(), caller.subject(), caller.issuer(), caller.audience(),
                now, now + ttl.toSeconds(), extra));
    }

    /**
     * Signs arbitrary claims with the local key (header {@code {"typ":"JWT","alg":"ES256"}}). For tests and fault
     * injection; the validator checks the claims as for any other token.
     */
    public String sign(Map<String, ?> claims) {
        Objects.requireNonNull(claims, "claims");
        JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).build();
        JWSObject jws = new JWSObject(header, new Payload(new LinkedHashMap<String, Object>(claims)));
        try {
            jws.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a token: " + e.getMessage(), e);
        }
        return jws.serialize();
    }

    /** Claims in the order SpacetimeDB serializes them. */
    private static Map<String, Object> claims(Identity identity, String subject, String issuer, List<String> aud,
                                              long iat, Long exp, Map<String, Object> extra) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("hex_identity", identity.toHex());
        c.put("sub", subject);
        c.put("iss", issuer);
        c.put("aud", new ArrayList<>(aud));
        c.put("iat", iat);
        if (exp != null) {
            c.put("exp", exp);
        }
        c.putAll(extra);
        return c;
    }

    /**
     * Tokens minted from now on carry an {@code iat} no earlier than {@code instant} (whole seconds, rounded up): after
     * a fault expires every token issued before a cutoff, new tokens must not fall before it within the same second.
     */
    public void issueNoEarlierThan(Instant instant) {
        long seconds = instant.getEpochSecond() + (instant.getNano() > 0 ? 1 : 0);
        notBeforeSeconds = Math.max(notBeforeSeconds, seconds);
    }

    private volatile long notBeforeSeconds = Long.MIN_VALUE;

    private long now() {
        return Math.max(Instant.now(clock).getEpochSecond(), notBeforeSeconds);
    }

    private static String requireIssuer(String issuer) {
        Objects.requireNonNull(issuer, "issuer");
        int len = issuer.getBytes(StandardCharsets.UTF_8).length;
        if (len == 0 || len > TokenValidator.MAX_CLAIM_BYTES) {
            throw new IllegalArgumentException("the issuer must have 1.." + TokenValidator.MAX_CLAIM_BYTES + " UTF-8 bytes");
        }
        return issuer;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    @Override
    public String toString() {
        return "LocalIssuer[issuer=" + issuer + ", key=" + fingerprint + "]";
    }
}
