package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.as.AuthorizationServerEndpointMetadata;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderConfigurationRequest;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;
import java.util.logging.Level;
import javax.net.ssl.SSLSocketFactory;
import java.util.logging.Logger;

/**
 * OpenID Connect discovery of one issuer, cached: the document is used for {@code ttl}, then refetched; a failed
 * refetch keeps the stale copy; {@link #invalidate()} (after the token endpoint could not be reached) forces a
 * refetch next time. The document's {@code issuer} must equal the configured issuer exactly. RFC 8705
 * {@code mtls_endpoint_aliases} are kept beside the plain endpoints.
 */
public final class Discovery {
    private static final Logger LOG = Logger.getLogger(Discovery.class.getName());

    /**
     * What the provider uses of the metadata; all but {@code token} may be null when the provider announces none.
     *
     * @param deviceAuthorization RFC 8628 device authorization endpoint
     * @param authorization       the authorization endpoint (authorization code grant)
     * @param jwks                the issuer's JWKS, for ID token signatures
     * @param mtls                  the RFC 8705 5 {@code mtls_endpoint_aliases}: where clients authenticating with
     *                              TLS send their requests instead; null when the provider announces none
     */
    public record Endpoints(URI token, URI revocation, URI deviceAuthorization, URI authorization, URI jwks,
            Endpoints mtls) {
        /** Token and revocation endpoints only. */
        public Endpoints(URI token, URI revocation) {
            this(token, revocation, null, null, null, null);
        }

        /** The mTLS alias of the token endpoint, else the token endpoint. */
        public URI mtlsToken() {
            return mtls != null && mtls.token() != null ? mtls.token() : token;
        }

        /** The mTLS alias of the revocation endpoint, else the revocation endpoint (null if there is neither). */
        public URI mtlsRevocation() {
            return mtls != null && mtls.revocation() != null ? mtls.revocation() : revocation;
        }

        /** The mTLS alias of the device authorization endpoint, else that endpoint (null if there is neither). */
        public URI mtlsDeviceAuthorization() {
            return mtls != null && mtls.deviceAuthorization() != null ? mtls.deviceAuthorization()
                    : deviceAuthorization;
        }
    }

    private final String issuer;
    private final Duration ttl;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final Clock clock;
    private final Function<URI, SSLSocketFactory> tls;
    private Endpoints cached;
    private Instant fetchedAt;
    private int fetches;

    public Discovery(String issuer, Duration ttl, Duration connectTimeout, Duration readTimeout, Clock clock) {
        this(issuer, ttl, connectTimeout, readTimeout, clock, null);
    }

    /**
     * @param tls the TLS for an https issuer (a client using tls_client_auth fetches with its own TLS profile, whose
     *            trust anchors and pins then apply to discovery too); null: the JVM's defaults
     */
    public Discovery(String issuer, Duration ttl, Duration connectTimeout, Duration readTimeout, Clock clock,
            Function<URI, SSLSocketFactory> tls) {
        this.tls = tls;
        this.issuer = issuer;
        this.ttl = ttl;
        this.connectTimeout = connectTimeout;
        this.readTimeout = readTimeout;
        this.clock = clock;
    }

    /** The endpoints, from the cache while it is fresh. Blocks on I/O: call from the provider's executor. */
    public synchronized Endpoints endpoints() {
        if (cached != null && clock.instant().isBefore(fetchedAt.plus(ttl))) {
            return cached;
        }
        try {
            cached = fetch();
            fetchedAt = clock.instant();
        } catch (OAuth2Exception e) {
            if (cached == null || e.reason() != ReasonCode.IDP_UNREACHABLE) {
                throw e;
            }
            LOG.log(Level.WARNING, "OIDC discovery of {0} failed ({1}); using the copy fetched at {2}",
                    new Object[] {issuer, e.getMessage(), fetchedAt});
        }
        return cached;
    }

    /** Forgets the cached document. */
    public synchronized void invalidate() {
        cached = null;
        fetchedAt = null;
    }

    /** How many times the document was fetched. */
    public synchronized int fetches() {
        return fetches;
    }

    private Endpoints fetch() {
        fetches++;
        HTTPRequest request = new OIDCProviderConfigurationRequest(new Issuer(issuer)).toHTTPRequest();
        request.setConnectTimeout((int) connectTimeout.toMillis());
        request.setReadTimeout((int) readTimeout.toMillis());
        URI url = request.getURI();
        if (tls != null && "https".equalsIgnoreCase(url.getScheme())) {
            request.setSSLSocketFactory(tls.apply(url));
        }
        HTTPResponse response;
        try {
            response = request.send();
        } catch (IOException e) {
            throw Http.unreachable("OIDC discovery " + url, e);
        }
        if (response.getStatusCode() == 404) {
            throw new ConfigurationException("issuer: there is no OpenID provider configuration at " + url
                    + " (HTTP 404); check the issuer URL (for Keycloak: http(s)://host/realms/<realm>)");
        }
        if (response.getStatusCode() >= 500) {
            throw new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "OIDC discovery " + url + " answered HTTP "
                    + response.getStatusCode(), null, response.getStatusCode(), null);
        }
        if (response.getStatusCode() != 200) {
            throw new ConfigurationException("issuer: OIDC discovery " + url + " answered HTTP "
                    + response.getStatusCode() + "; check the issuer URL");
        }
        OIDCProviderMetadata metadata;
        try {
            metadata = OIDCProviderMetadata.parse(response.getBodyAsJSONObject());
        } catch (ParseException e) {
            throw new ConfigurationException("issuer: " + url + " is not an OpenID provider configuration ("
                    + e.getMessage() + ")");
        }
        String announced = metadata.getIssuer() == null ? null : metadata.getIssuer().getValue();
        if (!issuer.equals(announced)) {
            throw new ConfigurationException("issuer: the discovery document at " + url + " names issuer '"
                    + announced + "', not the configured '" + issuer + "'; configure the issuer exactly as the"
                    + " provider announces it (tokens would carry that iss)");
        }
        if (metadata.getTokenEndpointURI() == null) {
            throw new ConfigurationException("issuer: the discovery document at " + url + " has no token_endpoint");
        }
        AuthorizationServerEndpointMetadata aliases = metadata.getMtlsEndpointAliases();
        Endpoints mtls = aliases == null ? null : new Endpoints(aliases.getTokenEndpointURI(),
                aliases.getRevocationEndpointURI(), aliases.getDeviceAuthorizationEndpointURI(), null, null, null);
        return new Endpoints(metadata.getTokenEndpointURI(), metadata.getRevocationEndpointURI(),
                metadata.getDeviceAuthorizationEndpointURI(), metadata.getAuthorizationEndpointURI(),
                metadata.getJWKSetURI(), mtls);
    }
}
