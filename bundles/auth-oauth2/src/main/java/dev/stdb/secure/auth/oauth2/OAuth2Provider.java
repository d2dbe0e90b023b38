package dev.stdb.secure.auth.oauth2;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.auth.oauth2.internal.ClientAuthenticator;
import dev.stdb.secure.auth.oauth2.internal.Grant;
import dev.stdb.secure.auth.oauth2.internal.IdTokenCheck;
import dev.stdb.secure.auth.oauth2.internal.Interactive;
import dev.stdb.secure.auth.oauth2.internal.Discovery;
import dev.stdb.secure.auth.oauth2.internal.Http;
import dev.stdb.secure.auth.oauth2.internal.MutualTls;
import dev.stdb.secure.auth.oauth2.internal.Pem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.net.ssl.SSLSocketFactory;

/**
 * An {@link AuthProvider} for OAuth 2.0 / OpenID Connect identity providers (Keycloak, Entra ID, Okta, Auth0, ...).
 *
 * <pre>{@code
 * OAuth2Provider idp = OAuth2Provider.clientCredentials("svc-secret")
 *         .issuer(URI.create("https://idp.example/realms/stdb"))       // OIDC discovery
 *         .clientSecretBasic(secret)                            // or clientSecretPost, privateKeyJwt, tlsClientAuth
 *         .build();
 * Connection db = SpacetimeClient.builder().uri(uri).database("quickstart").authProvider(idp).connect()...;
 * }</pre>
 *
 * <ul>
 * <li><b>Discovery</b>: the issuer's {@code /.well-known/openid-configuration} is fetched on first use and cached for
 * {@link Builder#metadataTtl(Duration)}; its {@code issuer} must equal the configured one. An explicit
 * {@link Builder#tokenEndpoint(URI)} (and {@link Builder#revocationEndpoint(URI)}) overrides discovery.</li>
 * <li><b>acquire</b>: the client credentials grant ({@link #clientCredentials}), the device authorization grant
 * ({@link #deviceCode}: the user code goes to {@link AuthContext#mfa()}, else {@link Builder#mfaHandler}, else a
 * {@link ConsoleMfaHandler}; the token endpoint is polled on the provider's timer) or the authorization code grant
 * with PKCE S256 and a one-shot loopback listener ({@link #authorizationCode}, the browser opened by a
 * {@link BrowserLauncher}). With {@code openid} in scope (the interactive grants' default) the ID token is validated
 * first. A refresh token in the answer is written to {@link AuthContext#store()} under {@link #storeKey()} before the
 * credential is handed out.</li>
 * <li><b>refresh</b>: the refresh token grant when the credential has a refresh token, else a new client credentials
 * grant. One request per credential however many callers refresh it at once; they share the answer. The rotated
 * refresh token is stored before the new credential is returned. An {@code invalid_grant} answer re-reads the store
 * once (another process may have rotated the token) and retries with a newer token found there; otherwise the stage
 * fails with {@link ReasonCode#RELOGIN_REQUIRED} (or, with {@link Builder#reacquireOnInvalidGrant(boolean)}, a new
 * client credentials grant is made).</li>
 * <li><b>revoke</b>: RFC 7009 at the revocation endpoint, the refresh token first, then the access token.</li>
 * <li><b>tls_client_auth</b> (RFC 8705, {@link Builder#tlsClientAuth(TlsContextProvider)}): token and revocation
 * requests go over TLS presenting the client certificate, to the {@code mtls_endpoint_aliases} when discovery names
 * them; the IdP may bind the access token to the certificate ({@code cnf.x5t#S256}).</li>
 * </ul>
 *
 * <p>Every method returns at once: requests run on the provider's own threads, which {@link #close()} stops.
 * Failures are {@link OAuth2Exception}s ({@link ReasonCode#IDP_UNREACHABLE}, {@link ReasonCode#INVALID_CREDENTIALS},
 * {@link ReasonCode#RELOGIN_REQUIRED}, {@link ReasonCode#REFRESH_FAILED}) or {@link ConfigurationException}s (unknown
 * issuer, discovery mismatch), and are reported as {@code AUTH_FAILURE} events with the provider's error code.
 * Secrets travel only as {@link Secret}s; no message, log line or event carries one.
 */
public final class OAuth2Provider implements AuthProvider, AutoCloseable {

    /** The {@code source} of this bundle's security events. */
    public static final String SOURCE = "dev.stdb.secure.auth.oauth2";

    private static final Logger LOG = Logger.getLogger(OAuth2Provider.class.getName());
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final String id;
    private final String clientId;
    private final String issuer;
    private final URI tokenEndpoint;
    private final URI revocationEndpoint;
    private final ClientAuthenticator authenticator;
    private final Scope scope;
    private final List<String> audience;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final boolean reacquireOnInvalidGrant;
    private final Clock clock;
    private final Discovery discovery;
    private final ThreadPoolExecutor executor;
    private final String storeKey;
    private final ConcurrentHashMap<Credential, CompletableFuture<Credential>> refreshing = new ConcurrentHashMap<>();
    private final AtomicInteger tokenRequests = new AtomicInteger();
    private volatile AuthContext lastContext;
    private final SecurityEventSink defaultEvents;
    private final Grant grant;
    private final Supplier<MfaHandler> mfaHandler;
    private final MfaHandler consoleHandler = new ConsoleMfaHandler();
    private final BrowserLauncher browserLauncher;
    private final int redirectPort;
    private final Duration browserTimeout;
    private final java.util.concurrent.ScheduledThreadPoolExecutor scheduler;
    private final Interactive interactive;
    private volatile IdTokenCheck idTokens;

    private OAuth2Provider(Builder b) {
        this.id = b.id;
        this.clientId = b.clientId;
        this.issuer = b.issuer;
        this.tokenEndpoint = b.tokenEndpoint;
        this.revocationEndpoint = b.revocationEndpoint;
        this.authenticator = b.authenticator;
        this.scope = b.scope.isEmpty() ? null : new Scope(b.scope.toArray(new String[0]));
        this.audience = List.copyOf(b.audience);
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.reacquireOnInvalidGrant = b.reacquireOnInvalidGrant;
        this.clock = b.clock;
        this.discovery = issuer == null ? null
                : new Discovery(issuer, b.metadataTtl, connectTimeout, readTimeout, clock,
                        authenticator.method() == ClientAuth.TLS_CLIENT_AUTH ? authenticator::tls : null);
        this.defaultEvents = b.events;
        this.storeKey = "oauth2/" + (issuer != null ? issuer : tokenEndpoint.toString()) + "/" + clientId + "/refresh";
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "stdb-oauth2-" + id + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
        this.grant = b.grant;
        this.mfaHandler = b.mfaHandler;
        this.browserLauncher = b.browserLauncher;
        this.redirectPort = b.redirectPort;
        this.browserTimeout = b.browserTimeout;
        // Timers only (device-code polls, the browser timeout): the work they start runs on the executor.
        this.scheduler = new java.util.concurrent.ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "stdb-oauth2-" + id + "-timer-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.scheduler.setRemoveOnCancelPolicy(true);
        this.interactive = grant.interactive() ? new Interactive(new Interactive.Host() {
            @Override
            public String providerId() {
                return id;
            }

            @Override
            public String clientId() {
                return clientId;
            }

            @Override
            public Scope scope() {
                return scope;
            }

            @Override
            public Discovery.Endpoints endpoints() {
                return OAuth2Provider.this.endpoints();
            }

            @Override
            public ClientAuthenticator authenticator() {
                return authenticator;
            }

            @Override
            public Duration connectTimeout() {
                return connectTimeout;
            }

            @Override
            public Duration readTimeout() {
                return readTimeout;
            }

            @Override
            public Clock clock() {
                return clock;
            }

            @Override
            public java.util.concurrent.Executor executor() {
                return executor;
            }

            @Override
            public java.util.concurrent.ScheduledExecutorService scheduler() {
                return scheduler;
            }

            @Override
            public MfaHandler mfa(AuthContext context) {
                return OAuth2Provider.this.mfa(context);
            }

            @Override
            public BrowserLauncher launcher() {
                return browserLauncher;
            }

            @Override
            public int redirectPort() {
                return redirectPort;
            }

            @Override
            public Duration browserTimeout() {
                return browserTimeout;
            }

            @Override
            public Credential exchange(AuthorizationGrant authorizationGrant, AuthContext context,
                    SecurityEventType type, String expectedNonce, boolean idTokenRequired) {
                return OAuth2Provider.this.exchange(tokenRequest(tokenEndpoint(), authorizationGrant).build(),
                        context, type, authorizationGrant.getType().getValue(), null, ReasonCode.MFA_FAILED,
                        expectedNonce, idTokenRequired);
            }

            @Override
            public OAuth2Exception refused(ErrorObject error, String what, ReasonCode reason) {
                return OAuth2Provider.this.refused(error, what, reason);
            }

            @Override
            public void failed(AuthContext context, RuntimeException e) {
                OAuth2Provider.this.failed(context, "acquire", e);
            }

            @Override
            public void emit(AuthContext context, SecurityEvent.Builder event) {
                OAuth2Provider.this.emit(context, event);
            }
        }) : null;
    }

    /** Starts a provider that signs in with the client credentials grant as {@code clientId}. */
    public static Builder clientCredentials(String clientId) {
        return new Builder(clientId, Grant.CLIENT_CREDENTIALS);
    }

    /**
     * Starts a provider that signs a person in with the device authorization grant (RFC 8628) as {@code clientId}
     * (a public client unless a secret or key is set): the user code and verification URI are shown through the
     * {@link dev.stdb.secure.api.auth.MfaHandler}; the provider polls the token endpoint until the person approved.
     */
    public static Builder deviceCode(String clientId) {
        return new Builder(clientId, Grant.DEVICE_CODE);
    }

    /**
     * Starts a provider that signs a person in with the authorization code grant, PKCE S256 and a loopback redirect
     * (RFC 8252) as {@code clientId}: a one-shot listener on {@code http://127.0.0.1:<port>/callback} receives the
     * code, which is exchanged with the PKCE verifier; the ID token is validated when {@code openid} is in scope.
     */
    public static Builder authorizationCode(String clientId) {
        return new Builder(clientId, Grant.AUTHORIZATION_CODE);
    }

    @Override
    public String id() {
        return id;
    }

    /** The client id. */
    public String clientId() {
        return clientId;
    }

    /** The configured issuer, or null when only a token endpoint is configured. */
    public String issuer() {
        return issuer;
    }

    /** The credential-store key of the refresh token: {@code oauth2/<issuer or token endpoint>/<client id>/refresh}. */
    public String storeKey() {
        return storeKey;
    }

    /** How many token requests this provider has sent (for tests and metrics). */
    public int tokenRequests() {
        return tokenRequests.get();
    }

    @Override
    public CompletionStage<Credential> acquire(AuthContext context) {
        Objects.requireNonNull(context, "context");
        lastContext = context;
        return newGrant(context, SecurityEventType.TOKEN_ISSUED);
    }

    /** The grant's sign-in: client credentials on the executor; the interactive grants through {@link Interactive}. */
    private CompletableFuture<Credential> newGrant(AuthContext context, SecurityEventType type) {
        switch (grant) {
            case DEVICE_CODE:
                return interactive.deviceCode(context, type);
            case AUTHORIZATION_CODE:
                return interactive.authorizationCode(context, type);
            default:
                return async(() -> clientCredentialsGrant(context, type), context, "acquire");
        }
    }

    /** The handler for {@code context}: its own, else the builder's (a bound service), else the console. */
    private MfaHandler mfa(AuthContext context) {
        if (context != null && context.mfa() != null) {
            return context.mfa();
        }
        MfaHandler h = mfaHandler == null ? null : mfaHandler.get();
        return h != null ? h : consoleHandler;
    }

    @Override
    public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
        Objects.requireNonNull(context, "context");
        lastContext = context;
        if (current == null) {
            return acquire(context);
        }
        CompletableFuture<Credential>[] started = new CompletableFuture[1];
        CompletableFuture<Credential> shared = refreshing.computeIfAbsent(current, c -> {
            CompletableFuture<Credential> f = new CompletableFuture<>();
            started[0] = f;
            return f;
        });
        if (started[0] != null) {
            CompletableFuture<Credential> f = started[0];
            // refreshNow answers null when only a new sign-in helps (interactive grants without a usable refresh
            // token): that runs outside the executor, since it waits for a person.
            async(() -> refreshNow(current, context), context, "refresh")
                    .thenCompose(fresh -> fresh != null ? CompletableFuture.completedFuture(fresh)
                            : newGrant(context, SecurityEventType.TOKEN_REFRESHED))
                    .whenComplete((fresh, error) -> {
                refreshing.remove(current, f);
                if (error != null) {
                    f.completeExceptionally(unwrap(error));
                } else {
                    f.complete(fresh);
                }
            });
        }
        return shared.copy();
    }

    @Override
    public CompletionStage<Void> revoke(Credential credential) {
        Objects.requireNonNull(credential, "credential");
        AuthContext context = lastContext;
        return async(() -> {
            revokeNow(credential, context);
            return null;
        }, context, "revoke");
    }

    /** Stops the provider's threads; stages in progress complete exceptionally. */
    @Override
    public void close() {
        if (interactive != null) {
            interactive.close();
        }
        scheduler.shutdownNow();
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------------------

    private Credential refreshNow(Credential current, AuthContext context) {
        Optional<Secret> refreshToken = current.refreshToken().filter(s -> !s.isDestroyed());
        if (refreshToken.isEmpty()) {
            return grantAgain(context);
        }
        // A newer refresh token in the store (another process sharing it rotated ours) goes first: presenting the
        // rotated-out one would be a reuse, which providers may punish by ending the session.
        Optional<Secret> newer = readStored(context).filter(s -> {
            boolean differs = !s.contentEquals(refreshToken.get());
            if (!differs) {
                s.destroy();
            }
            return differs;
        });
        Secret used = newer.orElse(refreshToken.get());
        try {
            return refreshGrant(used, context);
        } catch (OAuth2Exception e) {
            if (!"invalid_grant".equals(e.error())) {
                throw e;
            }
            // Another process sharing the store may have rotated the token: try what the store holds, once.
            Optional<Secret> stored = readStored(context);
            try {
                if (stored.isPresent() && !stored.get().contentEquals(used)) {
                    LOG.fine(() -> "refresh token " + used.fingerprint() + " refused; retrying with the stored "
                            + stored.get().fingerprint());
                    try {
                        return refreshGrant(stored.get(), context);
                    } catch (OAuth2Exception again) {
                        if (!"invalid_grant".equals(again.error())) {
                            throw again;
                        }
                    }
                }
            } finally {
                stored.ifPresent(Secret::destroy);
            }
            if (reacquireOnInvalidGrant) {
                return grantAgain(context);
            }
            newer.ifPresent(Secret::destroy);
            throw new OAuth2Exception(ReasonCode.RELOGIN_REQUIRED, "the identity provider refused the refresh token"
                    + " of client " + clientId + " (invalid_grant: the session ended or the token was revoked or"
                    + " already used) and the credential store holds no newer one; sign in again",
                    "invalid_grant", e.httpStatus(), null);
        }
    }

    /** A new client credentials grant now, or null: an interactive grant must sign the person in again. */
    private Credential grantAgain(AuthContext context) {
        return grant == Grant.CLIENT_CREDENTIALS ? clientCredentialsGrant(context, SecurityEventType.TOKEN_REFRESHED)
                : null;
    }

    /** A token request authenticated as configured; a public client sends its client_id only. */
    private TokenRequest.Builder tokenRequest(URI endpoint, AuthorizationGrant authorizationGrant) {
        return authenticator.isPublic()
                ? new TokenRequest.Builder(endpoint, authenticator.clientId(), authorizationGrant)
                : new TokenRequest.Builder(endpoint, authenticator.authenticate(endpoint), authorizationGrant);
    }

    private Credential clientCredentialsGrant(AuthContext context, SecurityEventType type) {
        URI endpoint = tokenEndpoint();
        TokenRequest.Builder request = tokenRequest(endpoint, new ClientCredentialsGrant());
        if (scope != null) {
            request.scope(scope);
        }
        if (!audience.isEmpty()) {
            request.customParameter("audience", audience.toArray(new String[0]));
        }
        return exchange(request.build(), context, type, "client_credentials", null, ReasonCode.INVALID_CREDENTIALS);
    }

    private Credential refreshGrant(Secret refreshToken, AuthContext context) {
        URI endpoint = tokenEndpoint();
        RefreshToken rt = new RefreshToken(refreshToken.withChars(String::new));
        TokenRequest.Builder request = tokenRequest(endpoint, new RefreshTokenGrant(rt));
        return exchange(request.build(), context, SecurityEventType.TOKEN_REFRESHED, "refresh_token", refreshToken,
                ReasonCode.REFRESH_FAILED);
    }

    private Credential exchange(TokenRequest tokenRequest, AuthContext context, SecurityEventType type, String grant,
            Secret previousRefresh, ReasonCode refusedReason) {
        return exchange(tokenRequest, context, type, grant, previousRefresh, refusedReason, null, false);
    }

    /**
     * Sends {@code tokenRequest}. With {@code openid} in scope, an ID token in the answer is validated (nonce
     * {@code expectedNonce} when not null) before anything is stored or handed out; {@code idTokenRequired} makes
     * its absence an error.
     */
    private Credential exchange(TokenRequest tokenRequest, AuthContext context, SecurityEventType type, String grant,
            Secret previousRefresh, ReasonCode refusedReason, String expectedNonce, boolean idTokenRequired) {
        HTTPRequest http = Http.closing(tokenRequest.toHTTPRequest());
        http.setConnectTimeout((int) connectTimeout.toMillis());
        http.setReadTimeout((int) readTimeout.toMillis());
        tokenRequests.incrementAndGet();
        HTTPResponse response;
        try {
            response = http.send();
        } catch (IOException e) {
            if (discovery != null) {
                discovery.invalidate(); // the endpoint may have moved: rediscover next time
            }
            throw Http.unreachable("token request to " + http.getURI(), e);
        }
        TokenResponse parsed;
        try {
            parsed = TokenResponse.parse(response);
        } catch (ParseException e) {
            int status = response.getStatusCode();
            throw new OAuth2Exception(status >= 500 ? ReasonCode.IDP_UNREACHABLE : refusedReason,
                    "the token endpoint " + http.getURI() + " gave an answer that is not an OAuth 2.0 token response"
                            + " (HTTP " + status + ")", null, status, null);
        }
        if (!parsed.indicatesSuccess()) {
            ErrorObject error = parsed.toErrorResponse().getErrorObject();
            throw refused(error, grant, refusedReason);
        }
        AccessTokenResponse ok = parsed.toSuccessResponse();
        AccessToken accessToken = ok.getTokens().getAccessToken();
        RefreshToken rotated = ok.getTokens().getRefreshToken();
        if (grant.equals(Grant.AUTHORIZATION_CODE.value()) || grant.equals("urn:ietf:params:oauth:grant-type:device_code")) {
            checkIdToken(ok, accessToken, expectedNonce, idTokenRequired);
        }
        Secret refresh = rotated != null ? Secret.ofString(rotated.getValue())
                : previousRefresh != null ? copy(previousRefresh) : null;
        if (rotated != null) {
            store(context, refresh); // before anyone sees the new credential
        }
        Credential credential = credential(accessToken, refresh);
        emit(context, SecurityEvent.of(type, Outcome.SUCCESS).principal(credential.subject())
                .detail("grant", grant).detail("token", credential.token())
                .detail("refresh_token", refresh == null ? "none" : refresh.fingerprint()));
        return credential;
    }

    private void checkIdToken(AccessTokenResponse ok, AccessToken accessToken, String expectedNonce,
            boolean required) {
        if (scope == null || !scope.contains("openid")) {
            return;
        }
        Object idToken = ok.getCustomParameters().get("id_token");
        if (!(idToken instanceof String)) {
            if (required) {
                throw new OAuth2Exception(ReasonCode.TOKEN_INVALID, "the identity provider answered the openid sign-in"
                        + " of client " + clientId + " without an ID token", null, 0, null);
            }
            return;
        }
        idTokens().validate((String) idToken, expectedNonce, accessToken.getValue());
    }

    private IdTokenCheck idTokens() {
        IdTokenCheck check = idTokens;
        if (check == null) {
            URI jwks = discovery.endpoints().jwks();
            if (jwks == null) {
                throw new ConfigurationException("issuer: the discovery document of " + issuer + " has no jwks_uri;"
                        + " ID tokens cannot be validated (leave openid out of scope to skip them)");
            }
            // A tls_client_auth client reaches its issuer through a TLS profile; the keys are fetched the same way.
            SSLSocketFactory tls = authenticator.method() == ClientAuth.TLS_CLIENT_AUTH
                    && "https".equalsIgnoreCase(jwks.getScheme()) ? authenticator.tls(jwks) : null;
            check = new IdTokenCheck(issuer, clientId, jwks, connectTimeout, readTimeout, tls);
            idTokens = check;
        }
        return check;
    }

    private OAuth2Exception refused(ErrorObject error, String grant, ReasonCode refusedReason) {
        String code = error == null || error.getCode() == null ? "unknown_error" : error.getCode();
        int status = error == null ? 0 : error.getHTTPStatusCode();
        ReasonCode reason;
        String advice;
        if ("invalid_client".equals(code) || "unauthorized_client".equals(code)) {
            reason = ReasonCode.INVALID_CREDENTIALS;
            advice = "check the client id, the client secret or key, and the client authentication method ("
                    + authMethod() + ")";
        } else if (status >= 500 || "temporarily_unavailable".equals(code) || "server_error".equals(code)) {
            reason = ReasonCode.IDP_UNREACHABLE;
            advice = "the identity provider has a problem; the request is retried later";
        } else {
            reason = refusedReason;
            advice = "invalid_scope".equals(code) ? "check the configured scope" : "see the provider's error";
        }
        String description = error == null || error.getDescription() == null ? "" : ": " + error.getDescription();
        return new OAuth2Exception(reason, "the identity provider refused the " + grant + " grant of client "
                + clientId + " (" + code + description + ", HTTP " + status + "); " + advice, code, status, null);
    }

    private void revokeNow(Credential credential, AuthContext context) {
        URI endpoint = revocationEndpoint();
        Optional<Secret> refresh = credential.refreshToken().filter(s -> !s.isDestroyed());
        List<Token> tokens = new ArrayList<>();
        refresh.ifPresent(s -> tokens.add(new RefreshToken(s.withChars(String::new))));
        tokens.add(new BearerAccessToken(credential.token().withChars(String::new)));
        for (Token token : tokens) {
            HTTPRequest http = Http.closing((authenticator.isPublic()
                    ? new TokenRevocationRequest(endpoint, authenticator.clientId(), token)
                    : new TokenRevocationRequest(endpoint, authenticator.authenticate(endpoint), token))
                    .toHTTPRequest());
            http.setConnectTimeout((int) connectTimeout.toMillis());
            http.setReadTimeout((int) readTimeout.toMillis());
            HTTPResponse response;
            try {
                response = http.send();
            } catch (IOException e) {
                throw Http.unreachable("token revocation at " + endpoint, e);
            }
            if (response.getStatusCode() != 200) {
                ErrorObject error;
                try {
                    error = ErrorObject.parse(response);
                } catch (RuntimeException e) {
                    error = null;
                }
                throw refused(error != null ? error.setHTTPStatusCode(response.getStatusCode())
                        : new ErrorObject(null, null, response.getStatusCode()), "revocation",
                        ReasonCode.INVALID_CREDENTIALS);
            }
        }
        if (context != null && context.store() != null && refresh.isPresent()) {
            try {
                Optional<Secret> stored = context.store().read(storeKey);
                try {
                    if (stored.isPresent() && stored.get().contentEquals(refresh.get())) {
                        context.store().delete(storeKey);
                    }
                } finally {
                    stored.ifPresent(Secret::destroy);
                }
            } catch (SecureClientException e) {
                LOG.log(Level.WARNING, "cannot remove the revoked refresh token {0} from store {1}: {2}",
                        new Object[] {storeKey, context.store().id(), e.getMessage()});
            }
        }
        emit(context, SecurityEvent.of(SecurityEventType.TOKEN_REVOKED, Outcome.SUCCESS)
                .principal(credential.subject()).detail("token", credential.token())
                .detail("refresh_token", refresh.map(Secret::fingerprint).orElse("none")));
    }

    private URI tokenEndpoint() {
        return tokenEndpoint != null ? tokenEndpoint : endpoints().token();
    }

    /**
     * The discovered endpoints; for tls_client_auth the RFC 8705 5 mTLS aliases replace the endpoints they name
     * (providers may serve certificate authentication on another host or port).
     */
    private Discovery.Endpoints endpoints() {
        Discovery.Endpoints e = discovery.endpoints();
        if (authenticator.method() != ClientAuth.TLS_CLIENT_AUTH || e.mtls() == null) {
            return e;
        }
        return new Discovery.Endpoints(e.mtlsToken(), e.mtlsRevocation(), e.mtlsDeviceAuthorization(),
                e.authorization(), e.jwks(), e.mtls());
    }

    private URI revocationEndpoint() {
        if (revocationEndpoint != null) {
            return revocationEndpoint;
        }
        URI discovered = discovery == null ? null : endpoints().revocation();
        if (discovered == null) {
            throw new ConfigurationException("revocation.endpoint: the identity provider announces no"
                    + " revocation_endpoint; configure one to revoke tokens");
        }
        return discovered;
    }

    private Credential credential(AccessToken accessToken, Secret refresh) {
        String value = accessToken.getValue();
        Instant now = clock.instant();
        Instant issuedAt = now;
        Instant expiresAt = accessToken.getLifetime() > 0 ? now.plusSeconds(accessToken.getLifetime()) : null;
        String iss = issuer;
        String sub = null;
        Map<String, Object> claims = Map.of();
        try {
            JWT jwt = JWTParser.parse(value);
            JWTClaimsSet set = jwt.getJWTClaimsSet();
            claims = set.toJSONObject();
            iss = set.getIssuer() != null ? set.getIssuer() : iss;
            sub = set.getSubject();
            if (set.getIssueTime() != null) {
                issuedAt = set.getIssueTime().toInstant();
            }
            if (set.getExpirationTime() != null) {
                expiresAt = set.getExpirationTime().toInstant();
            }
        } catch (java.text.ParseException opaque) {
            // an opaque access token: what the token response says is all there is
        }
        if (expiresAt != null && expiresAt.isBefore(issuedAt)) {
            expiresAt = issuedAt;
        }
        return Credential.builder(Secret.ofString(value)).issuer(iss).subject(sub).issuedAt(issuedAt)
                .expiresAt(expiresAt).claims(claims).refreshToken(refresh).build();
    }

    private void store(AuthContext context, Secret refresh) {
        CredentialStore store = context == null ? null : context.store();
        if (store == null) {
            return;
        }
        try {
            store.write(storeKey, refresh);
            emit(context, SecurityEvent.of(SecurityEventType.CREDENTIAL_WRITTEN, Outcome.SUCCESS)
                    .detail("store", store.id()).detail("key", storeKey).detail("refresh_token", refresh));
        } catch (SecureClientException e) {
            // The old refresh token is spent: keep the new one in memory rather than lose it, and say so.
            emit(context, SecurityEvent.of(SecurityEventType.STORE_FAILURE, Outcome.WARNING)
                    .detail("store", store.id()).detail("key", storeKey).detail("reason", e.reason().code()));
        }
    }

    private Optional<Secret> readStored(AuthContext context) {
        CredentialStore store = context == null ? null : context.store();
        if (store == null) {
            return Optional.empty();
        }
        try {
            Optional<Secret> s = store.read(storeKey);
            s.ifPresent(v -> emit(context, SecurityEvent.of(SecurityEventType.CREDENTIAL_READ, Outcome.SUCCESS)
                    .detail("store", store.id()).detail("key", storeKey)));
            return s;
        } catch (SecureClientException e) {
            emit(context, SecurityEvent.of(SecurityEventType.STORE_FAILURE, Outcome.WARNING)
                    .detail("store", store.id()).detail("key", storeKey).detail("reason", e.reason().code()));
            return Optional.empty();
        }
    }

    private <T> CompletableFuture<T> async(Supplier<T> work, AuthContext context, String operation) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(work.get());
                } catch (RuntimeException e) {
                    failed(context, operation, e);
                    result.completeExceptionally(e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            result.completeExceptionally(new SecureClientException(ReasonCode.PROVIDER_MISSING,
                    "the OAuth 2.0 provider " + id + " is closed"));
        }
        return result;
    }

    private void failed(AuthContext context, String operation, RuntimeException e) {
        SecurityEvent.Builder event = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .detail("operation", operation);
        if (e instanceof SecureClientException) {
            event.detail("reason", ((SecureClientException) e).reason().code());
        }
        if (e instanceof OAuth2Exception && ((OAuth2Exception) e).error() != null) {
            event.detail("error", ((OAuth2Exception) e).error());
        }
        if (e instanceof OAuth2Exception && ((OAuth2Exception) e).httpStatus() != 0) {
            event.detail("http_status", String.valueOf(((OAuth2Exception) e).httpStatus()));
        }
        emit(context, event);
    }

    private void emit(AuthContext context, SecurityEvent.Builder event) {
        SecurityEventSink sink = context != null ? context.events() : defaultEvents;
        event.source(SOURCE).detail("provider", id).detail("client_id", clientId);
        if (issuer != null) {
            event.detail("issuer", issuer);
        }
        if (context != null) {
            event.connection(context.target() + "/" + context.database());
        }
        SecurityEvent built = event.build();
        if (sink != null) {
            try {
                sink.emit(built);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "event sink failed for {0}: {1}", new Object[] {built.type(), e.toString()});
            }
        } else {
            LOG.fine(() -> "security event " + built);
        }
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static Secret copy(Secret s) {
        return s.withBytes(Secret::ofBytes);
    }

    @Override
    public String toString() {
        return "OAuth2Provider[id=" + id + ", client=" + clientId + ", issuer=" + issuer + ", tokenEndpoint="
                + tokenEndpoint + ", grant=" + grant.value() + ", auth=" + authMethod() + "]";
    }

    private String authMethod() {
        return authenticator.isPublic() ? "none" : authenticator.method().value();
    }

    /** Collects the configuration of an {@link OAuth2Provider}. */
    public static final class Builder {
        private final String clientId;
        private String id = "oauth2";
        private String issuer;
        private URI tokenEndpoint;
        private URI revocationEndpoint;
        private ClientAuthenticator authenticator;
        private final List<String> scope = new ArrayList<>();
        private final List<String> audience = new ArrayList<>();
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration metadataTtl = Duration.ofHours(1);
        private boolean reacquireOnInvalidGrant;
        private Clock clock = Clock.systemUTC();
        private SecurityEventSink events;
        private final Grant grant;
        private Supplier<MfaHandler> mfaHandler;
        private BrowserLauncher browserLauncher;
        private int redirectPort;
        private Duration browserTimeout = Duration.ofMinutes(5);

        private Builder(String clientId, Grant grant) {
            if (clientId == null || clientId.isBlank()) {
                throw new ConfigurationException("client.id: required");
            }
            this.clientId = clientId.trim();
            this.grant = grant;
        }

        /**
         * Who shows device codes (and the sign-in URL when no browser opens) when the {@link AuthContext} brings no
         * {@link MfaHandler}: the core's connections bring none. Default: a {@link ConsoleMfaHandler} on System.err.
         */
        public Builder mfaHandler(MfaHandler handler) {
            Objects.requireNonNull(handler, "handler");
            this.mfaHandler = () -> handler;
            return this;
        }

        /** As {@link #mfaHandler(MfaHandler)}, looked up for each sign-in (a dynamic service); null answers mean none. */
        public Builder mfaHandler(Supplier<MfaHandler> handler) {
            this.mfaHandler = Objects.requireNonNull(handler, "handler");
            return this;
        }

        /** Opens the authorization URL (authorization code grant); default: the desktop browser, else the prompt. */
        public Builder browserLauncher(BrowserLauncher launcher) {
            this.browserLauncher = Objects.requireNonNull(launcher, "launcher");
            return this;
        }

        /** The loopback listener's port ({@code redirect.port}); 0, the default, picks a free one per sign-in. */
        public Builder redirectPort(int port) {
            if (port < 0 || port > 65535) {
                throw new ConfigurationException("redirect.port: " + port + " is not a port (0 picks a free one)");
            }
            this.redirectPort = port;
            return this;
        }

        /** How long the authorization code grant waits for the browser's redirect; default 5 min. */
        public Builder browserTimeout(Duration timeout) {
            this.browserTimeout = positive(timeout, "browserTimeout");
            return this;
        }

        /** The provider id ({@code provider.id}); default {@code oauth2}. */
        public Builder id(String id) {
            this.id = Objects.requireNonNull(id, "id");
            return this;
        }

        /** The issuer, for OIDC discovery ({@code <issuer>/.well-known/openid-configuration}). */
        public Builder issuer(URI issuer) {
            String s = Objects.requireNonNull(issuer, "issuer").toString();
            this.issuer = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
            return this;
        }

        /** The token endpoint; overrides discovery (needed when no issuer is configured). */
        public Builder tokenEndpoint(URI tokenEndpoint) {
            this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
            return this;
        }

        /** The RFC 7009 revocation endpoint; overrides discovery. */
        public Builder revocationEndpoint(URI revocationEndpoint) {
            this.revocationEndpoint = Objects.requireNonNull(revocationEndpoint, "revocationEndpoint");
            return this;
        }

        /** client_secret_basic with a copy of {@code secret} (the caller keeps and destroys its own). */
        public Builder clientSecretBasic(Secret secret) {
            return clientSecret(ClientAuth.CLIENT_SECRET_BASIC, fixed(secret));
        }

        /** client_secret_post with a copy of {@code secret}. */
        public Builder clientSecretPost(Secret secret) {
            return clientSecret(ClientAuth.CLIENT_SECRET_POST, fixed(secret));
        }

        /**
         * client_secret_basic or client_secret_post with a secret fetched for each request (from a credential store,
         * say): {@code secret} returns a new {@link Secret} (or null if there is none), which the provider destroys.
         */
        public Builder clientSecret(ClientAuth method, Supplier<Secret> secret) {
            Objects.requireNonNull(secret, "secret");
            this.authenticator = ClientAuthenticator.secret(method, clientId, secret);
            return this;
        }

        /** private_key_jwt with {@code key} (RS256 for RSA keys, ES256 for EC keys), {@code kid} optional. */
        public Builder privateKeyJwt(PrivateKey key, String kid) {
            return privateKeyJwt(key, kid, null);
        }

        /** private_key_jwt with {@code key}, signing with JWS algorithm {@code algorithm} (e.g. {@code PS256}). */
        public Builder privateKeyJwt(PrivateKey key, String kid, String algorithm) {
            Objects.requireNonNull(key, "key");
            this.authenticator = ClientAuthenticator.privateKey(clientId, key, kid,
                    algorithm == null || algorithm.isBlank() ? null : JWSAlgorithm.parse(algorithm.trim()));
            return this;
        }

        /** private_key_jwt with the unencrypted PKCS#8 PEM key in {@code pemFile}. */
        public Builder privateKeyJwt(Path pemFile, String kid) {
            return privateKeyJwt(Pem.privateKey(pemFile, "private.key.pem"), kid);
        }

        /**
         * private_key_jwt signed by {@code keys} with its key {@code alias}: the key never leaves the service.
         *
         * @param algorithm RS256 (default when null), RS384, RS512, ES256, ES384 or ES512
         */
        public Builder privateKeyJwt(KeyService keys, String alias, String kid, String algorithm) {
            Objects.requireNonNull(keys, "keys");
            return privateKeyJwt(() -> keys, alias, kid, algorithm);
        }

        /** As {@link #privateKeyJwt(KeyService, String, String, String)}, the service looked up per request. */
        public Builder privateKeyJwt(Supplier<KeyService> keys, String alias, String kid, String algorithm) {
            Objects.requireNonNull(alias, "alias");
            this.authenticator = ClientAuthenticator.keyService(clientId, keys, alias, kid,
                    algorithm == null || algorithm.isBlank() ? null : JWSAlgorithm.parse(algorithm.trim()));
            return this;
        }

        /**
         * tls_client_auth (RFC 8705 2.1): token (and revocation) requests go over TLS made by {@code tls} for the
         * endpoint, which presents the client certificate its profile holds (a PKCS#12 file, a KeyService or
         * PKCS#11 token) and checks the provider's certificate against its anchors and pins; discovery of an https
         * issuer uses it too. The mTLS endpoint aliases of discovery are used when the provider announces them.
         */
        public Builder tlsClientAuth(TlsContextProvider tls) {
            Objects.requireNonNull(tls, "tls");
            return tlsClientAuth(() -> tls);
        }

        /**
         * As {@link #tlsClientAuth(TlsContextProvider)}, the provider looked up per request (a dynamic service); a
         * null answer fails the request with {@link ReasonCode#PROVIDER_MISSING}.
         */
        public Builder tlsClientAuth(Supplier<TlsContextProvider> tls) {
            Objects.requireNonNull(tls, "tls");
            String client = clientId;
            this.authenticator = ClientAuthenticator.tls(clientId, endpoint -> {
                TlsContextProvider p = tls.get();
                if (p == null) {
                    throw new dev.stdb.secure.api.ProviderUnavailableException("no TLS profile (TlsContextProvider)"
                            + " is bound for the tls_client_auth certificate of client " + client);
                }
                return p.contextFor(endpoint);
            });
            return this;
        }

        /**
         * tls_client_auth with the key entry {@code alias} (null: the first key entry) of key store {@code keyStore}
         * (PKCS12 or JKS; {@code password} opens store and key and is not kept), trusting the CA certificates of PEM
         * file {@code trustPem} for the provider's certificate, or the JVM's trust store when null. For pins, a
         * PKCS#11 key or rotation without a restart use {@link #tlsClientAuth(TlsContextProvider)} with a TLS profile.
         */
        public Builder tlsClientAuth(Path keyStore, String type, char[] password, String alias, Path trustPem) {
            Objects.requireNonNull(keyStore, "keyStore");
            TlsContext tls = MutualTls.fromKeyStore(keyStore, type == null || type.isBlank() ? "PKCS12" : type.trim(),
                    password, alias == null || alias.isBlank() ? null : alias.trim(), trustPem);
            this.authenticator = ClientAuthenticator.tls(clientId, endpoint -> tls);
            return this;
        }

        /** Scopes to ask for; none by default (the provider's defaults). */
        public Builder scope(String... scopes) {
            for (String s : scopes) {
                if (s != null && !s.isBlank()) {
                    scope.add(s.trim());
                }
            }
            return this;
        }

        /** Audiences to ask for, sent as {@code audience} parameters (Auth0, Okta); none by default. */
        public Builder audience(String... audiences) {
            for (String a : audiences) {
                if (a != null && !a.isBlank()) {
                    audience.add(a.trim());
                }
            }
            return this;
        }

        /** How long to wait for a connection to the provider; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long to wait for the provider's answer; default 10 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = positive(timeout, "readTimeout");
            return this;
        }

        /** How long discovery metadata is used before it is fetched again; default 1 h. */
        public Builder metadataTtl(Duration ttl) {
            this.metadataTtl = positive(ttl, "metadataTtl");
            return this;
        }

        /**
         * When the refresh token is refused ({@code invalid_grant}) and the store holds no newer one: true makes a
         * new client credentials grant, false (the default) fails with {@link ReasonCode#RELOGIN_REQUIRED}.
         */
        public Builder reacquireOnInvalidGrant(boolean reacquire) {
            this.reacquireOnInvalidGrant = reacquire;
            return this;
        }

        /** The clock for expiry of opaque tokens and for the metadata cache; default the system UTC clock. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Where events go when no {@link AuthContext} was seen yet (a {@link #revoke} before any acquire). */
        public Builder events(SecurityEventSink events) {
            this.events = events;
            return this;
        }

        /** @throws ConfigurationException naming what is missing */
        public OAuth2Provider build() {
            if (grant.interactive()) {
                if (issuer == null) {
                    throw new ConfigurationException("issuer: required with grant=" + grant.value() + " (its"
                            + " discovery names the " + (grant == Grant.DEVICE_CODE ? "device authorization"
                            : "authorization") + " endpoint and the keys of its ID tokens)");
                }
                if (authenticator == null) {
                    authenticator = ClientAuthenticator.none(clientId); // a public client, as native apps are
                }
                if (scope.isEmpty()) {
                    scope.add("openid");
                }
            }
            if (issuer == null && tokenEndpoint == null) {
                throw new ConfigurationException("issuer or token.endpoint: one is required");
            }
            if (authenticator == null) {
                throw new ConfigurationException("client.auth: no client secret, private key or TLS client"
                        + " certificate is configured for client " + clientId);
            }
            return new OAuth2Provider(this);
        }

        private static Supplier<Secret> fixed(Secret secret) {
            Objects.requireNonNull(secret, "secret");
            Secret kept = copy(secret);
            return () -> copy(kept);
        }

        private static Duration positive(Duration d, String what) {
            Objects.requireNonNull(d, what);
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
