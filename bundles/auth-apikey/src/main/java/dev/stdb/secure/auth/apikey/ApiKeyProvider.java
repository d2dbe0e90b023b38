package dev.stdb.secure.auth.apikey;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.auth.apikey.internal.KeyClaims;
import dev.stdb.secure.auth.apikey.internal.TokenEndpoint;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * An {@link AuthProvider} for an API key kept in the connection's {@link CredentialStore} under {@code keyName}.
 *
 * <p>{@link Mode#BEARER} sends the key itself (a long-lived SpacetimeDB token is such a key).
 * {@link Mode#CLIENT_CREDENTIALS} and {@link Mode#TOKEN_EXCHANGE} trade it for a short-lived JWT at a token endpoint
 * and send that.
 *
 * <p><b>Rotation:</b> put the new key under {@code keyName + ".next"}. The provider then tries the new key first; when
 * the token endpoint accepts it, the new key replaces the old one under {@code keyName} and {@code .next} is deleted;
 * when it is refused, the old key is used and a warning event says so, both keys staying in place. In bearer mode the
 * provider cannot see the server's answer: it sends the new key and leaves both in place for the operator to finish.
 *
 * <p>Keys are never logged or put in events or messages; their {@link Secret#fingerprint()} is. A token request
 * sends the key and the client secret in the form body ({@link ClientAuth#CLIENT_SECRET_POST}, the default), built in
 * a byte array that is zeroed once the answer has arrived: no copy stays on the heap. {@link #close()} drops the HTTP
 * client with its connections.
 */
public final class ApiKeyProvider implements AuthProvider, AutoCloseable {

    /** How the key becomes the bearer token. */
    public enum Mode {
        /** The key is the bearer token. */
        BEARER,
        /** {@code grant_type=client_credentials}, the key as the client secret (see {@link ClientAuth}). */
        CLIENT_CREDENTIALS,
        /** RFC 8693 token exchange with the key as {@code subject_token}. */
        TOKEN_EXCHANGE
    }

    /** How this client authenticates at the token endpoint (client-credentials and confidential token exchange). */
    public enum ClientAuth {
        /**
         * {@code client_secret_post} (the default): {@code client_id} and {@code client_secret} in the form body, which
         * is built in a byte array of the provider's own and zeroed after the request.
         */
        CLIENT_SECRET_POST,
        /**
         * {@code client_secret_basic}: an {@code Authorization: Basic} header, for an IdP that refuses the body form.
         * The JDK's HTTP client takes headers only as {@link String}s: the header, which holds the secret in base64,
         * cannot be zeroed and stays on the heap until the garbage collector reclaims it.
         */
        CLIENT_SECRET_BASIC
    }

    /** Suffix of the store entry holding the new key during a rotation. */
    public static final String NEXT_SUFFIX = ".next";

    static final String SOURCE = "dev.stdb.secure.auth.apikey";

    private final String id;
    private final String keyName;
    private final Mode mode;
    private final TokenEndpoint endpoint;
    private final ExecutorService ownExecutor;
    private final Executor executor;

    private ApiKeyProvider(Builder b) {
        this.id = b.id;
        this.keyName = b.keyName;
        this.mode = b.mode;
        this.endpoint = b.mode == Mode.BEARER ? null : new TokenEndpoint(b.tokenEndpoint, b.mode == Mode.TOKEN_EXCHANGE,
                b.clientAuth == ClientAuth.CLIENT_SECRET_BASIC, b.clientId, b.clientSecret, b.scope, b.audience, b.subjectTokenType, b.timeout);
        if (b.executor == null) {
            this.ownExecutor = Executors.newFixedThreadPool(1, r -> {
                Thread t = new Thread(r, "stdb-apikey-" + b.id);
                t.setDaemon(true);
                return t;
            });
            this.executor = ownExecutor;
        } else {
            this.ownExecutor = null;
            this.executor = b.executor;
        }
    }

    /** A provider named {@code id} reading the key stored under {@code keyName}. */
    public static Builder builder(String id, String keyName) {
        return new Builder(id, keyName);
    }

    @Override
    public String id() {
        return id;
    }

    public Mode mode() {
        return mode;
    }

    @Override
    public CompletionStage<Credential> acquire(AuthContext context) {
        Objects.requireNonNull(context, "context");
        return CompletableFuture.supplyAsync(() -> {
            try {
                return obtain(context);
            } catch (SecureClientException e) {
                context.events().emit(event(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                        .detail("reason", e.reason().code()).detail("error", e.getMessage()).build());
                throw new CompletionException(e);
            }
        }, executor);
    }

    /** An API key has no refresh token: a refresh reads the store again and gets a new token. */
    @Override
    public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
        return acquire(context);
    }

    private Credential obtain(AuthContext context) {
        CredentialStore store = context.store();
        if (store == null) {
            throw new AuthenticationException(ReasonCode.INVALID_CREDENTIALS, "API key provider '" + id
                    + "': no credential store is bound, and the key lives in one (key '" + keyName + "')");
        }
        Optional<Secret> next = read(store, keyName + NEXT_SUFFIX);
        Optional<Secret> current = read(store, keyName);
        if (next.isEmpty() && current.isEmpty()) {
            throw new AuthenticationException(ReasonCode.INVALID_CREDENTIALS, "API key provider '" + id
                    + "': store '" + store.id() + "' has no key '" + keyName + "'");
        }
        if (mode == Mode.BEARER) {
            Secret key = next.orElseGet(current::get);
            next.filter(k -> k != key).ifPresent(Secret::destroy);
            current.filter(k -> k != key).ifPresent(Secret::destroy);
            context.events().emit(event(SecurityEventType.TOKEN_ISSUED, Outcome.SUCCESS)
                    .detail("key", next.isPresent() ? keyName + NEXT_SUFFIX : keyName)
                    .detail("fingerprint", key.fingerprint()).build());
            return KeyClaims.credential(key);
        }
        if (next.isPresent()) {
            try {
                Credential token = endpoint.exchange(next.get());
                promote(store, next.get(), context);
                current.ifPresent(Secret::destroy);
                return issued(token, keyName + NEXT_SUFFIX, context);
            } catch (AuthenticationException refused) {
                if (refused.reason() != ReasonCode.INVALID_CREDENTIALS || current.isEmpty()) {
                    throw refused;
                }
                context.events().emit(event(SecurityEventType.AUTH_FAILURE, Outcome.WARNING)
                        .detail("key", keyName + NEXT_SUFFIX).detail("fingerprint", next.get().fingerprint())
                        .detail("error", refused.getMessage())
                        .detail("action", "the new key was refused; still using the old one, both kept").build());
            } finally {
                next.get().destroy();
            }
        }
        try {
            return issued(endpoint.exchange(current.get()), keyName, context);
        } finally {
            current.get().destroy();
        }
    }

    /** The new key replaces the old one, then the rotation entry goes: a crash in between leaves both usable. */
    private void promote(CredentialStore store, Secret next, AuthContext context) {
        try {
            store.write(keyName, next);
            store.delete(keyName + NEXT_SUFFIX);
            context.events().emit(event(SecurityEventType.CREDENTIAL_WRITTEN, Outcome.SUCCESS)
                    .detail("key", keyName).detail("fingerprint", next.fingerprint())
                    .detail("action", "rotation finished: the new key replaced the old one").build());
        } catch (CredentialStoreException e) {
            // the token is good; the rotation is retried on the next acquire
            context.events().emit(event(SecurityEventType.STORE_FAILURE, Outcome.WARNING)
                    .detail("key", keyName).detail("reason", e.reason().code())
                    .detail("action", "rotation not finished; retried on the next token").build());
        }
    }

    private Credential issued(Credential token, String usedKey, AuthContext context) {
        context.events().emit(event(SecurityEventType.TOKEN_ISSUED, Outcome.SUCCESS).detail("key", usedKey)
                .detail("mode", mode.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'))
                .principal(token.subject()).build());
        return token;
    }

    private Optional<Secret> read(CredentialStore store, String key) {
        try {
            return store.read(key);
        } catch (CredentialStoreException e) {
            throw new AuthenticationException(ReasonCode.INVALID_CREDENTIALS, "API key provider '" + id
                    + "': cannot read key '" + key + "' from store '" + store.id() + "' (" + e.reason().code() + ")",
                    e);
        }
    }

    private SecurityEvent.Builder event(SecurityEventType type, Outcome outcome) {
        return SecurityEvent.of(type, outcome).source(SOURCE).detail("provider", id);
    }

    /**
     * Stops the provider's own executor, if it made one, and drops the HTTP client of the token endpoint (its
     * connections close once it is collected). Token requests fail afterwards.
     */
    @Override
    public void close() {
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
        if (endpoint != null) {
            endpoint.close();
        }
    }

    @Override
    public String toString() {
        return "ApiKeyProvider[" + id + ", key '" + keyName + "', " + mode + "]";
    }

    /** Collects an {@link ApiKeyProvider}. */
    public static final class Builder {
        private final String id;
        private final String keyName;
        private Mode mode = Mode.BEARER;
        private URI tokenEndpoint;
        private String clientId;
        private Supplier<Secret> clientSecret;
        private String scope;
        private String audience;
        private String subjectTokenType = TokenEndpoint.ACCESS_TOKEN_TYPE;
        private Duration timeout = Duration.ofSeconds(10);
        private ClientAuth clientAuth = ClientAuth.CLIENT_SECRET_POST;
        private Executor executor;

        private Builder(String id, String keyName) {
            if (id == null || id.isBlank()) {
                throw new ConfigurationException("provider.id: required");
            }
            if (keyName == null || keyName.isBlank()) {
                throw new ConfigurationException("key.name: required (the credential store entry of the API key)");
            }
            this.id = id.trim();
            this.keyName = keyName.trim();
        }

        /** Sends the key itself (the default). */
        public Builder bearer() {
            this.mode = Mode.BEARER;
            return this;
        }

        /** Trades the key for a token: {@code client_credentials} with the key as {@code clientId}'s secret. */
        public Builder clientCredentials(URI tokenEndpoint, String clientId) {
            this.mode = Mode.CLIENT_CREDENTIALS;
            this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
            this.clientId = requireText(clientId, "client.id");
            return this;
        }

        /**
         * Trades the key for a token by RFC 8693 token exchange; {@code clientId} and {@code clientSecret} authenticate
         * this client at the endpoint (see {@link ClientAuth}); {@code clientSecret} null for a public client (then
         * only {@code client_id} is sent, if not null).
         */
        public Builder tokenExchange(URI tokenEndpoint, String clientId, Supplier<Secret> clientSecret) {
            this.mode = Mode.TOKEN_EXCHANGE;
            this.tokenEndpoint = Objects.requireNonNull(tokenEndpoint, "tokenEndpoint");
            this.clientId = clientId;
            this.clientSecret = clientSecret;
            return this;
        }

        /** The {@code subject_token_type} of a token exchange (default: an access token). */
        public Builder subjectTokenType(String type) {
            this.subjectTokenType = requireText(type, "subject.token.type");
            return this;
        }

        public Builder scope(String scope) {
            this.scope = scope == null || scope.isBlank() ? null : scope.trim();
            return this;
        }

        public Builder audience(String audience) {
            this.audience = audience == null || audience.isBlank() ? null : audience.trim();
            return this;
        }

        /**
         * How the client secret (the key in client-credentials mode) reaches the token endpoint; default
         * {@link ClientAuth#CLIENT_SECRET_POST}. {@link ClientAuth#CLIENT_SECRET_BASIC} leaves a String on the heap.
         */
        public Builder clientAuth(ClientAuth clientAuth) {
            this.clientAuth = Objects.requireNonNull(clientAuth, "clientAuth");
            return this;
        }

        /** Connect and read timeout of a token request (default 10 s). */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new ConfigurationException("timeout: must be positive");
            }
            this.timeout = timeout;
            return this;
        }

        /** Where store reads and token requests run; by default a thread of the provider's own. */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        public ApiKeyProvider build() {
            if (mode != Mode.BEARER) {
                String scheme = tokenEndpoint.getScheme();
                boolean loopback = "http".equals(scheme) && TokenEndpoint.isLoopback(tokenEndpoint.getHost());
                if (!"https".equals(scheme) && !loopback) {
                    throw new ConfigurationException("token.endpoint: must be https (http only on the loopback"
                            + " interface), got " + tokenEndpoint);
                }
            }
            return new ApiKeyProvider(this);
        }

        private static String requireText(String value, String property) {
            if (value == null || value.isBlank()) {
                throw new ConfigurationException(property + ": required");
            }
            return value.trim();
        }
    }
}
