package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PKITLSClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.auth.oauth2.ClientAuth;
import java.net.URI;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLSocketFactory;

/**
 * Makes the client authentication for one request to {@code endpoint}. A client secret is fetched from its supplier
 * for each request and held as a Nimbus secret only while the request is built; a client assertion (RFC 7523) is
 * signed fresh for each request, with a private key or through a {@link KeyService}; a TLS client certificate
 * (RFC 8705) is presented by the TLS context fetched for each request.
 */
public abstract class ClientAuthenticator {
    private final ClientAuth method;
    final ClientID clientId;

    private ClientAuthenticator(ClientAuth method, String clientId) {
        this.method = method;
        this.clientId = new ClientID(clientId);
    }

    /** The method, or null for a public client. */
    public ClientAuth method() {
        return method;
    }

    /**
     * The authentication for a request to {@code endpoint} (the assertion's audience); null for a public client,
     * which sends only its {@link #clientId()}.
     */
    public abstract ClientAuthentication authenticate(URI endpoint);

    /** The client id, as Nimbus wants it. */
    public ClientID clientId() {
        return clientId;
    }

    /**
     * The TLS for requests to {@code endpoint} when this client authenticates with it (tls_client_auth), else null
     * (the JVM's defaults).
     */
    public SSLSocketFactory tls(URI endpoint) {
        return null;
    }

    /** Whether this is a public client ({@code none}): no secret, no key. */
    public boolean isPublic() {
        return method == null;
    }

    /** A public client (token_endpoint_auth_method {@code none}), as native apps and devices are (RFC 8252 8.4). */
    public static ClientAuthenticator none(String clientId) {
        return new ClientAuthenticator(null, clientId) {
            @Override
            public ClientAuthentication authenticate(URI endpoint) {
                return null;
            }
        };
    }

    /** client_secret_basic or client_secret_post; {@code secret} returns a new Secret per call, destroyed here. */
    public static ClientAuthenticator secret(ClientAuth method, String clientId, Supplier<Secret> secret) {
        if (method == ClientAuth.PRIVATE_KEY_JWT) {
            throw new IllegalArgumentException("private_key_jwt needs a key, not a secret");
        }
        return new ClientAuthenticator(method, clientId) {
            @Override
            public ClientAuthentication authenticate(URI endpoint) {
                Secret s = secret.get();
                if (s == null) {
                    throw new SecureClientException(ReasonCode.INVALID_CREDENTIALS,
                            "no client secret is available for client " + clientId);
                }
                try (s) {
                    com.nimbusds.oauth2.sdk.auth.Secret value = new com.nimbusds.oauth2.sdk.auth.Secret(
                            s.withChars(String::new));
                    return method == ClientAuth.CLIENT_SECRET_BASIC ? new ClientSecretBasic(this.clientId, value)
                            : new ClientSecretPost(this.clientId, value);
                }
            }
        };
    }

    /**
     * tls_client_auth (RFC 8705 2.1): the request goes over TLS made by {@code tls} for the endpoint, looked up per
     * request so a rotated certificate takes effect at the next one; the body carries {@code client_id} only.
     * {@code tls} throws a {@link SecureClientException} when it has no context (no TLS profile bound, say).
     */
    public static ClientAuthenticator tls(String clientId, Function<URI, TlsContext> tls) {
        return new ClientAuthenticator(ClientAuth.TLS_CLIENT_AUTH, clientId) {
            @Override
            public ClientAuthentication authenticate(URI endpoint) {
                return new PKITLSClientAuthentication(this.clientId, tls(endpoint));
            }

            @Override
            public SSLSocketFactory tls(URI endpoint) {
                if (!"https".equalsIgnoreCase(endpoint.getScheme())) {
                    // Over plain HTTP no certificate could be presented: the provider would see an unauthenticated
                    // request, so say what is wrong instead.
                    throw new ConfigurationException("client.auth: tls_client_auth needs https, and " + endpoint
                            + " is not; configure the issuer (or token.endpoint) with its https URL");
                }
                return MutualTls.socketFactory(tls.apply(endpoint));
            }
        };
    }

    /** private_key_jwt with a key in memory; {@code alg} null picks RS256 for RSA and ES256 for EC keys. */
    public static ClientAuthenticator privateKey(String clientId, PrivateKey key, String kid, JWSAlgorithm alg) {
        JWSAlgorithm a = alg != null ? alg : key instanceof ECPrivateKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
        return new ClientAuthenticator(ClientAuth.PRIVATE_KEY_JWT, clientId) {
            @Override
            public ClientAuthentication authenticate(URI endpoint) {
                try {
                    return new PrivateKeyJWT(new JWTAuthenticationClaimsSet(this.clientId, new Audience(endpoint)),
                            a, key, kid, null);
                } catch (JOSEException e) {
                    throw new ConfigurationException("private key of client " + clientId + " cannot sign " + a
                            + " client assertions (" + e.getClass().getSimpleName() + ")");
                }
            }
        };
    }

    /** private_key_jwt signed by {@code keys} (looked up per request, so it may be swapped) with key {@code alias}. */
    public static ClientAuthenticator keyService(String clientId, Supplier<KeyService> keys, String alias, String kid,
            JWSAlgorithm alg) {
        JWSAlgorithm a = alg != null ? alg : JWSAlgorithm.RS256;
        if (!KeyServiceSigner.supports(a)) {
            throw new ConfigurationException("private.key.algorithm: " + a + " cannot be signed through a KeyService"
                    + " (RS256/384/512, ES256/384/512)");
        }
        return new ClientAuthenticator(ClientAuth.PRIVATE_KEY_JWT, clientId) {
            @Override
            public ClientAuthentication authenticate(URI endpoint) {
                KeyService ks = keys.get();
                if (ks == null) {
                    throw new dev.stdb.secure.api.ProviderUnavailableException(
                            "no KeyService is bound for the private_key_jwt key '" + alias + "' of client " + clientId);
                }
                JWTAuthenticationClaimsSet claims = new JWTAuthenticationClaimsSet(this.clientId, new Audience(endpoint));
                JWSHeader.Builder header = new JWSHeader.Builder(a).type(JOSEObjectType.JWT);
                if (kid != null && !kid.isBlank()) {
                    header.keyID(kid);
                }
                try {
                    SignedJWT jwt = new SignedJWT(header.build(), claims.toJWTClaimsSet());
                    jwt.sign(new KeyServiceSigner(ks, alias));
                    return new PrivateKeyJWT(jwt);
                } catch (JOSEException | IllegalArgumentException e) {
                    throw new SecureClientException(ReasonCode.KEY_UNAVAILABLE, "KeyService " + ks.id()
                            + " cannot sign the client assertion with key '" + alias + "' ("
                            + e.getClass().getSimpleName() + ")");
                }
            }
        };
    }
}
