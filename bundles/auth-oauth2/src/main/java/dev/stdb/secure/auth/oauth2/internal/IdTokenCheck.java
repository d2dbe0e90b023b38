package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.InvalidHashException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.net.MalformedURLException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.Set;
import javax.net.ssl.SSLSocketFactory;

/**
 * Validates ID tokens (OIDC Core 3.1.3.7) of one issuer and client: the signature against the issuer's JWKS (fetched
 * and cached by Nimbus), {@code iss}, {@code aud}, {@code exp}, {@code iat}, {@code nonce} when one was sent,
 * {@code azp} when present, and {@code at_hash} when present. Failures are {@link OAuth2Exception}s:
 * {@link ReasonCode#TOKEN_FORGED} when the signature does not verify against the issuer's keys,
 * {@link ReasonCode#TOKEN_INVALID} for claims, {@link ReasonCode#IDP_UNREACHABLE} when the JWKS cannot be fetched.
 * Messages never carry the token, the nonce or a claim value.
 */
public final class IdTokenCheck {
    private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256, JWSAlgorithm.RS384,
            JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.PS384, JWSAlgorithm.PS512, JWSAlgorithm.ES256,
            JWSAlgorithm.ES384, JWSAlgorithm.ES512, JWSAlgorithm.EdDSA);

    private final String clientId;
    private final IDTokenValidator validator;

    /**
     * @param jwks the issuer's {@code jwks_uri} (from discovery)
     * @param tls  the TLS for an https {@code jwks_uri} (the TLS profile a tls_client_auth client already uses for
     *             the issuer, so its CAs are trusted here too), or null for the JVM's defaults
     */
    public IdTokenCheck(String issuer, String clientId, URI jwks, Duration connectTimeout, Duration readTimeout,
            SSLSocketFactory tls) {
        this.clientId = clientId;
        JWKSource<SecurityContext> keys;
        try {
            keys = JWKSourceBuilder.create(jwks.toURL(), new DefaultResourceRetriever((int) connectTimeout.toMillis(),
                    (int) readTimeout.toMillis(), 512 * 1024, true, tls)).build();
        } catch (MalformedURLException e) {
            throw new dev.stdb.secure.api.ConfigurationException("issuer: jwks_uri " + jwks + " is not a URL");
        }
        this.validator = new IDTokenValidator(new Issuer(issuer), new ClientID(clientId),
                new JWSVerificationKeySelector<>(ALGORITHMS, keys), null);
        this.validator.setMaxClockSkew(60);
    }

    /**
     * Validates {@code idToken}.
     *
     * @param expectedNonce the nonce sent in the authorization request, or null when none was sent
     * @param accessToken   the access token issued with it, checked against {@code at_hash} when that is present
     * @return the validated claims
     */
    public IDTokenClaimsSet validate(String idToken, String expectedNonce, String accessToken) {
        JWT jwt;
        try {
            jwt = JWTParser.parse(idToken);
        } catch (ParseException e) {
            throw invalid(ReasonCode.TOKEN_INVALID, "is not a JWT");
        }
        IDTokenClaimsSet claims;
        try {
            claims = validator.validate(jwt, expectedNonce == null ? null : new Nonce(expectedNonce));
        } catch (BadJWTException e) {
            throw invalid(ReasonCode.TOKEN_INVALID, "has wrong claims (" + withoutValue(e.getMessage()) + ")");
        } catch (BadJOSEException e) {
            throw invalid(ReasonCode.TOKEN_FORGED, "does not verify against the issuer's keys ("
                    + withoutValue(e.getMessage()) + ")");
        } catch (KeySourceException e) {
            throw new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "the issuer's JWKS cannot be fetched to validate"
                    + " the ID token (" + e.getClass().getSimpleName() + ")", null, 0, e);
        } catch (JOSEException e) {
            throw invalid(ReasonCode.TOKEN_INVALID, "cannot be verified (" + e.getClass().getSimpleName() + ")");
        }
        String azp = claims.getStringClaim("azp");
        if (azp != null && !clientId.equals(azp)) {
            throw invalid(ReasonCode.TOKEN_INVALID, "names another authorized party (azp)");
        }
        if (claims.getAccessTokenHash() != null) {
            if (accessToken == null || !(jwt instanceof SignedJWT)) {
                throw invalid(ReasonCode.TOKEN_INVALID, "has an at_hash but no access token came with it");
            }
            try {
                AccessTokenValidator.validate(new BearerAccessToken(accessToken),
                        ((SignedJWT) jwt).getHeader().getAlgorithm(), claims.getAccessTokenHash());
            } catch (InvalidHashException e) {
                throw invalid(ReasonCode.TOKEN_INVALID, "has an at_hash that does not match the access token");
            }
        }
        return claims;
    }

    private static OAuth2Exception invalid(ReasonCode reason, String what) {
        return new OAuth2Exception(reason, "the ID token " + what + "; it is refused", null, 0, null);
    }

    /** Nimbus messages end with the offending value ("Unexpected JWT nonce (nonce) claim: ..."): keep the name. */
    private static String withoutValue(String message) {
        if (message == null) {
            return "unknown";
        }
        int colon = message.indexOf(':');
        return colon < 0 ? message : message.substring(0, colon);
    }
}
