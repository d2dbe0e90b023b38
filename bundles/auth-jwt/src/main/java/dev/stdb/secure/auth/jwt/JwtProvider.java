package dev.stdb.secure.auth.jwt;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.auth.jwt.internal.TokenSources;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * An {@link AuthProvider} for tokens supplied from outside (a file a sidecar rotates, an environment variable, a
 * credential store entry, a callback). {@link #acquire} and {@link #refresh} both read the source afresh and
 * {@link JwtValidator#validate validate} the token before handing it out, on the provider's own thread; a refusal
 * completes the stage with a {@link JwtRefusedException} and reports an {@code AUTH_FAILURE} event (reason, check,
 * token fingerprint; never the token) to the context's sink.
 *
 * <p>Expiry is tracked: {@link Builder#expiryWarning(Duration) expiry.warning} before a handed-out token expires a
 * {@link SecurityEventType#TOKEN_EXPIRING} event goes to the sink of the context that got it, unless a newer token has
 * been handed out meanwhile; once expired the token is refused with {@link ReasonCode#TOKEN_EXPIRED}, naming when.
 *
 * <p>A refresh that reads back the very token it is asked to replace, when that token is already due for refresh,
 * reads the source once more after {@link Builder#unchangedRecheck(Duration) a short wait} (default 5 s) instead of
 * answering at once, so that a caller refreshing in a loop near the end of a token's life does not spin.
 *
 * <p>{@link #close()} stops the provider's thread.
 */
public final class JwtProvider implements AuthProvider, AutoCloseable {

    /** The {@code source} of the events this provider reports. */
    public static final String EVENT_SOURCE = "dev.stdb.secure.auth.jwt";
    public static final Duration DEFAULT_EXPIRY_WARNING = Duration.ofMinutes(5);
    public static final Duration DEFAULT_UNCHANGED_RECHECK = Duration.ofSeconds(5);

    private final String id;
    private final JwtValidator validator;
    private final TokenSources.Source source;
    private final String sourceName;
    private final Duration expiryWarning;
    private final Duration unchangedRecheck;
    private final ScheduledThreadPoolExecutor executor;

    private final Object lock = new Object();
    private String trackedFingerprint;
    private ScheduledFuture<?> pendingWarning;

    private JwtProvider(Builder b) {
        this.id = b.id;
        this.validator = b.validator;
        this.source = b.source;
        this.sourceName = b.sourceName;
        this.expiryWarning = b.expiryWarning;
        this.unchangedRecheck = b.unchangedRecheck;
        this.executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "stdb-auth-jwt-" + id);
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    /** The validator every token passes. */
    public JwtValidator validator() {
        return validator;
    }

    @Override
    public CompletionStage<Credential> acquire(AuthContext context) {
        Objects.requireNonNull(context, "context");
        CompletableFuture<Credential> result = new CompletableFuture<>();
        run(result, 0, () -> obtain(context));
        return result;
    }

    @Override
    public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
        Objects.requireNonNull(context, "context");
        CompletableFuture<Credential> result = new CompletableFuture<>();
        run(result, 0, () -> {
            Credential fresh = obtain(context);
            if (!sameToken(fresh, current)) {
                return fresh;
            }
            Instant now = validator.clock().instant();
            Instant due = current.refreshDueAt();
            if (due == null || now.isBefore(due)) {
                return fresh;
            }
            // The source still holds the token the caller wants replaced: look again shortly, not at once.
            long wait = Math.min(unchangedRecheck.toMillis(),
                    Math.max(0, Duration.between(now, fresh.expiresAt()).toMillis()));
            fresh.destroy();
            run(result, wait, () -> obtain(context));
            return null;
        });
        return result;
    }

    private void run(CompletableFuture<Credential> result, long delayMillis, Callable<Credential> task) {
        Runnable r = () -> {
            try {
                Credential c = task.call();
                if (c != null) {
                    result.complete(c);
                }
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        };
        try {
            if (delayMillis <= 0) {
                executor.execute(r);
            } else {
                executor.schedule(r, delayMillis, TimeUnit.MILLISECONDS);
            }
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(new JwtRefusedException(ReasonCode.TOKEN_MISSING,
                    JwtRefusedException.Check.SOURCE, "JWT provider '" + id + "' is closed"));
        }
    }

    private static boolean sameToken(Credential fresh, Credential current) {
        if (current == null) {
            return false;
        }
        try {
            return fresh.token().contentEquals(current.token());
        } catch (IllegalStateException destroyed) {
            return false;
        }
    }

    /** Reads the source, validates, tracks expiry; on refusal reports AUTH_FAILURE and throws. */
    private Credential obtain(AuthContext context) {
        Secret token = null;
        try {
            token = source.read(context);
            Credential credential = validator.validate(token);
            track(credential, context.events());
            return credential;
        } catch (SecureClientException e) {
            report(context.events(), e, token);
            if (token != null) {
                token.destroy();
            }
            throw e;
        } catch (RuntimeException e) {
            // Not one of ours: never pass its message on, it could quote the token.
            JwtRefusedException refusal = new JwtRefusedException(ReasonCode.TOKEN_INVALID,
                    JwtRefusedException.Check.FORMAT, "the token could not be validated ("
                    + e.getClass().getSimpleName() + ")");
            report(context.events(), refusal, token);
            if (token != null) {
                token.destroy();
            }
            throw refusal;
        }
    }

    private void report(SecurityEventSink events, SecureClientException e, Secret token) {
        SecurityEvent.Builder event = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                .source(EVENT_SOURCE).detail("provider", id).detail("reason", e.reason().code())
                .detail("issuer", validator.issuer()).detail("source", sourceName)
                .detail("message", e.getMessage());
        if (e instanceof JwtRefusedException) {
            event.detail("check", ((JwtRefusedException) e).check().name());
        }
        if (token != null && !token.isDestroyed()) {
            event.detail("token", token);
        }
        emit(events, event.build());
    }

    private static void emit(SecurityEventSink events, SecurityEvent event) {
        try {
            events.emit(event);
        } catch (RuntimeException ignored) {
            // a sink never stops authentication
        }
    }

    /** Schedules the TOKEN_EXPIRING warning of the newest token handed out (once per token). */
    private void track(Credential credential, SecurityEventSink events) {
        String fingerprint = credential.token().fingerprint();
        Instant exp = credential.expiresAt();
        synchronized (lock) {
            if (fingerprint.equals(trackedFingerprint)) {
                return;
            }
            trackedFingerprint = fingerprint;
            if (pendingWarning != null) {
                pendingWarning.cancel(false);
                pendingWarning = null;
            }
            SecurityEvent warning = SecurityEvent.of(SecurityEventType.TOKEN_EXPIRING, Outcome.WARNING)
                    .source(EVENT_SOURCE).principal(credential.subject()).detail("provider", id)
                    .detail("issuer", String.valueOf(credential.issuer())).detail("expiresAt", exp.toString())
                    .detail("source", sourceName).detail("token", fingerprint).build();
            long delay = Duration.between(validator.clock().instant(), exp.minus(expiryWarning)).toMillis();
            if (delay <= 0) {
                emit(events, warning);
                return;
            }
            pendingWarning = executor.schedule(() -> {
                synchronized (lock) {
                    if (!fingerprint.equals(trackedFingerprint)) {
                        return;
                    }
                    pendingWarning = null;
                }
                emit(events, SecurityEvent.of(SecurityEventType.TOKEN_EXPIRING, Outcome.WARNING)
                        .source(EVENT_SOURCE).principal(warning.principal()).details(warning.details()).build());
            }, delay, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops the provider's thread; later calls fail. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "JwtProvider[id=" + id + ", issuer=" + validator.issuer() + ", source=" + sourceName + "]";
    }

    /**
     * Settings of a provider: an {@link #id(String)}, a {@link #validator(JwtValidator)} and exactly one token
     * source ({@link #tokenFile}, {@link #tokenEnv}, {@link #tokenStoreKey}, {@link #tokenSupplier} or
     * {@link #tokenCallable}).
     */
    public static final class Builder {
        private String id;
        private JwtValidator validator;
        private TokenSources.Source source;
        private String sourceName;
        private int sources;
        private Function<String, String> env = System::getenv;
        private String envName;
        private Duration expiryWarning = DEFAULT_EXPIRY_WARNING;
        private Duration unchangedRecheck = DEFAULT_UNCHANGED_RECHECK;

        private Builder() {
        }

        /** The provider id, registered as {@value AuthProvider#PROVIDER_ID}. */
        public Builder id(String id) {
            this.id = id;
            return this;
        }

        public Builder validator(JwtValidator validator) {
            this.validator = validator;
            return this;
        }

        /** Reads the token from {@code file} at every use (a sidecar may rotate it). */
        public Builder tokenFile(Path file) {
            Objects.requireNonNull(file, "file");
            return source(TokenSources.file(file), "file:" + file);
        }

        /** Reads the token from the environment variable named {@code variable} (its name, not its value). */
        public Builder tokenEnv(String variable) {
            Objects.requireNonNull(variable, "variable");
            this.envName = variable.trim();
            return source(null, "env:" + envName);
        }

        /** Where {@link #tokenEnv} looks; default {@link System#getenv(String)}. */
        public Builder environment(Function<String, String> env) {
            this.env = Objects.requireNonNull(env, "env");
            return this;
        }

        /** Reads the token stored under {@code key} in the context's {@link CredentialStore}. */
        public Builder tokenStoreKey(String key) {
            return tokenStoreKey(key, null);
        }

        /** Reads the token stored under {@code key} in the store {@code store} gives (the context's if null). */
        public Builder tokenStoreKey(String key, Supplier<CredentialStore> store) {
            Objects.requireNonNull(key, "key");
            return source(TokenSources.store(key.trim(), store), "store:" + key.trim());
        }

        /** Asks {@code supplier} at every use; the provider copies the secret it returns. */
        public Builder tokenSupplier(Supplier<Secret> supplier) {
            Objects.requireNonNull(supplier, "supplier");
            return tokenCallable(supplier::get);
        }

        /** Asks {@code callable} at every use; the provider copies the secret it returns. */
        public Builder tokenCallable(Callable<Secret> callable) {
            Objects.requireNonNull(callable, "callable");
            return source(TokenSources.callback(callable), "callback");
        }

        private Builder source(TokenSources.Source s, String name) {
            this.source = s;
            this.sourceName = name;
            this.sources++;
            return this;
        }

        /** How long before expiry the TOKEN_EXPIRING event is reported; default 5 min. */
        public Builder expiryWarning(Duration warning) {
            this.expiryWarning = warning;
            return this;
        }

        /** How long a refresh that read back the unchanged, due token waits before reading again; default 5 s. */
        public Builder unchangedRecheck(Duration wait) {
            this.unchangedRecheck = wait;
            return this;
        }

        public JwtProvider build() {
            if (id == null || id.isBlank()) {
                throw new ConfigurationException("provider.id: required");
            }
            if (validator == null) {
                throw new ConfigurationException("issuer: a JwtValidator is required");
            }
            if (sources != 1) {
                throw new ConfigurationException("token.file, token.env, token.store.key: set exactly one token"
                        + " source (" + sources + " given)");
            }
            if (envName != null) {
                if (envName.isEmpty()) {
                    throw new ConfigurationException("token.env: the variable name is empty");
                }
                source = TokenSources.environment(envName, env);
            }
            if (expiryWarning == null || expiryWarning.isNegative()) {
                throw new ConfigurationException("expiry.warning.seconds: must be 0 or more, got " + expiryWarning);
            }
            if (unchangedRecheck == null || unchangedRecheck.isNegative()) {
                throw new ConfigurationException("unchangedRecheck: must be 0 or more, got " + unchangedRecheck);
            }
            return new JwtProvider(this);
        }
    }
}
