package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.impl.ECDSA;
import com.nimbusds.jose.jca.JCAContext;
import com.nimbusds.jose.util.Base64URL;
import dev.stdb.secure.api.store.KeyService;
import java.util.Map;
import java.util.Set;

/** Signs client assertions with a key that stays inside a {@link KeyService} (an HSM, a platform key store). */
public final class KeyServiceSigner implements JWSSigner {
    private static final Map<JWSAlgorithm, String> JCA = Map.of(
            JWSAlgorithm.RS256, "SHA256withRSA", JWSAlgorithm.RS384, "SHA384withRSA",
            JWSAlgorithm.RS512, "SHA512withRSA", JWSAlgorithm.ES256, "SHA256withECDSA",
            JWSAlgorithm.ES384, "SHA384withECDSA", JWSAlgorithm.ES512, "SHA512withECDSA");

    private final KeyService keys;
    private final String alias;
    private final JCAContext jca = new JCAContext();

    public KeyServiceSigner(KeyService keys, String alias) {
        this.keys = keys;
        this.alias = alias;
    }

    /** Whether {@code alg} can be signed through a KeyService. */
    public static boolean supports(JWSAlgorithm alg) {
        return JCA.containsKey(alg);
    }

    @Override
    public Base64URL sign(JWSHeader header, byte[] signingInput) throws JOSEException {
        JWSAlgorithm alg = header.getAlgorithm();
        String jcaName = JCA.get(alg);
        if (jcaName == null) {
            throw new JOSEException("algorithm " + alg + " cannot be signed through a KeyService");
        }
        byte[] signature = keys.sign(alias, jcaName, signingInput);
        if (JWSAlgorithm.Family.EC.contains(alg)) {
            signature = ECDSA.transcodeSignatureToConcat(signature, ECDSA.getSignatureByteArrayLength(alg));
        }
        return Base64URL.encode(signature);
    }

    @Override
    public Set<JWSAlgorithm> supportedJWSAlgorithms() {
        return JCA.keySet();
    }

    @Override
    public JCAContext getJCAContext() {
        return jca;
    }
}
