package dev.stdb.secure.auth.oauth2;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AccessTokenResponse;
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
import dev.stdb.secure.auth.oauth2.internal.ClientAuthenticator;
import dev.stdb.secure.auth.oauth2.internal.Discovery;
import dev.stdb.secure.auth.oauth2.internal.Http;
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

/**
 * An {@link AuthProvider} for OAuth 2.0 / OpenID Connect identity providers (Keycloak, Entra ID, Okta, Auth0, ...).
 *
 * <pre>{@code
 * OAuth2Provider idp = OAuth2Provider.clientCredentials("svc-secret")
 *         .issuer(URI.create("https://idp.example/realms/stdb"))       // OIDC discovery
 *         .clientSecretBasic(secret)                                   // or clientSecretPost, privateKeyJwt
 *         .build();
 * Connection db = SpacetimeClient.builder().uri(uri).database("quickstart").authProvider(idp).connect()...;
 * }</pre>
 *
 * <ul>
 * <li><b>Discovery</b>: the issuer's {@code /.well-known/openid-configuration} is fetched on first use and cached for
 * {@link Builder#metadataTtl(Duration)}; its {@code issuer} must equal the configured one. An explicit
 * {@link Builder#tokenEndpoint(URI)} (and {@link Builder#revocationEndpoint(URI)}) overrides discovery.</li>
 * <li><b>acquire</b>: the client credentials grant. A refresh token in the answer is written to
 * {@link AuthContext#store()} under {@link #storeKey()} before the credential is handed out.</li>
 * <li><b>refresh</b>: the refresh token grant when the credential has a refresh token, else a new client credentials
 * grant. One request per credential however many callers refresh it at once; they share the answer. The rotated
 * refresh token is stored before the new credential is returned. An {@code invalid_grant} answer re-reads the store
 * once (another process may have rotated the token) and retries with a newer token found there; otherwise the stage
 * fails with {@link ReasonCode#RELOGIN_REQUIRED} (or, with {@link Builder#reacquireOnInvalidGrant(boolean)}, a new
 * client credentials grant is made).</li>
 * <li><b>revoke</b>: RFC 7009 at the revocation endpoint, the refresh token first, then the access token.</li>
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
                : new Discovery(issuer, b.metadataTtl, connectTimeout, readTimeout, clock);
        this.defaultEvents = b.events;
        this.storeKey = "oauth2/" + (issuer != null ? issuer : tokenEndpoint.toString()) + "/" + clientId + "/refresh";
        this.executor = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "stdb-oauth2-" + id + "-" + THREADS.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.executor.allowCoreThreadTimeOut(true);
    }

    /** Starts a provider that signs in with the client credentials grant as {@code clientId}. */
    public static Builder clientCredentials(String clientId) {
        return new Builder(clientId);
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
        return async(() -> clientCredentialsGrant(context, SecurityEventType.TOKEN_ISSUED), context, "acquire");
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
            async(() -> refreshNow(current, context), context, "refresh").whenComplete((fresh, error) -> {
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
        executor.shutdownNow();
    }

    // ------------------------------------------------------------------------------------------------------------

    private Credential refreshNow(Credential current, AuthContext context) {
        Optional<Secret> refreshToken = current.refreshToken().filter(s -> !s.isDestroyed());
        if (refreshToken.isEmpty()) {
            return clientCredentialsGrant(context, SecurityEventType.TOKEN_REFRESHED);
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
                return clientCredentialsGrant(context, SecurityEventType.TOKEN_REFRESHED);
            }
            newer.ifPresent(Secret::destroy);
            throw new OAuth2Exception(ReasonCode.RELOGIN_REQUIRED, "the identity provider refused the refresh token"
                    + " of client " + clientId + " (invalid_grant: the session ended or the token was revoked or"
                    + " already used) and the credential store holds no newer one; sign in again",
                    "invalid_grant", e.httpStatus(), null);
        }
    }

    private Credential clientCredentialsGrant(AuthContext context, SecurityEventType type) {
        URI endpoint = tokenEndpoint();
        TokenRequest.Builder request = new TokenRequest.Builder(endpoint, authenticator.authenticate(endpoint),
                new ClientCredentialsGrant());
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
        TokenRequest.Builder request = new TokenRequest.Builder(endpoint, authenticator.authenticate(endpoint),
                new RefreshTokenGrant(rt));
        return exchange(request.build(), context, SecurityEventType.TOKEN_REFRESHED, "refresh_token", refreshToken,
                ReasonCode.REFRESH_FAILED);
    }

    private Credential exchange(TokenRequest tokenRequest, AuthContext context, SecurityEventType type, String grant,
            Secret previousRefresh, ReasonCode refusedReason) {
        HTTPRequest http = tokenRequest.toHTTPRequest();
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

    private OAuth2Exception refused(ErrorObject error, String grant, ReasonCode refusedReason) {
        String code = error == null || error.getCode() == null ? "unknown_error" : error.getCode();
        int status = error == null ? 0 : error.getHTTPStatusCode();
        ReasonCode reason;
        String advice;
        if ("invalid_client".equals(code) || "unauthorized_client".equals(code)) {
            reason = ReasonCode.INVALID_CREDENTIALS;
            advice = "check the client id, the client secret or key, and the client authentication method ("
                    + authenticator.method().value() + ")";
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
            HTTPRequest http = new TokenRevocationRequest(endpoint, authenticator.authenticate(endpoint), token)
                    .toHTTPRequest();
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
        return tokenEndpoint != null ? tokenEndpoint : discovery.endpoints().token();
    }

    private URI revocationEndpoint() {
        if (revocationEndpoint != null) {
            return revocationEndpoint;
        }
        URI discovered = discovery == null ? null : discovery.endpoints().revocation();
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
                + tokenEndpoint + ", auth=" + authenticator.method().value() + "]";
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

        private Builder(String clientId) {
            if (clientId == null || clientId.isBlank()) {
                throw new ConfigurationException("client.id: required");
            }
            this.clientId = clientId.trim();
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
            if (issuer == null && tokenEndpoint == null) {
                throw new ConfigurationException("issuer or token.endpoint: one is required");
            }
            if (authenticator == null) {
                throw new ConfigurationException("client.auth: no client secret or private key is configured for"
                        + " client " + clientId);
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
