package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.store.CredentialStore;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The token a (re)connect presents. With an {@link AuthProvider}, its credential, refreshed once it is due
 * (max(30 s, 5 % of its lifetime) before expiry) with one refresh in flight however many callers ask. Without one,
 * the anonymous token the server minted last time, kept in the credential store so the identity survives restarts.
 *
 * <p>Before a credential goes to its provider (acquire or refresh) the {@link Lockouts} are asked: while a THROTTLE
 * or BLOCK finding is in force for the provider's id, the current credential's subject or this target, the call
 * fails fast with an {@link AuthenticationException} ({@link ReasonCode#LOCKED_OUT}) saying until when and why, and
 * an ANOMALY event records the refusal; the identity provider sees nothing. A still-valid credential in hand is
 * still used. Every failed acquire or refresh is reported as exactly one AUTH_FAILURE event from this source with
 * the details {@code provider}, {@code target}, {@code operation} ({@code acquire} or {@code refresh}) and, for a
 * {@link SecureClientException}, {@code reason}: what failed-sign-in detectors count.
 */
final class TokenSource {
    private final Supplier<AuthProvider> providers;
    private final boolean required;
    private final CredentialStore store;
    private final AuthContext context;
    private final String storeKey;
    private final Clock clock;
    private final SecurityEventSink events;
    private final ScheduledExecutorService scheduler;
    private final Lockouts lockouts;
    private final String target;
    private static final long MAX_DUE_BACKOFF_MS = 60_000;
    private int alreadyDueInARow;
    private int failedRefreshesInARow;
    private Instant retryNotBefore;
    private Credential current;
    private AuthProvider issuer;
    private ScheduledFuture<?> nextRefresh;
    private CompletableFuture<Credential> inFlight;

    TokenSource(Supplier<AuthProvider> providers, boolean required, CredentialStore store, AuthContext context,
                String storeKey, Clock clock, SecurityEventSink events, ScheduledExecutorService scheduler,
                Lockouts lockouts) {
        this.scheduler = scheduler;
        this.lockouts = lockouts != null ? lockouts : new Lockouts();
        this.target = context.target() + "/" + context.database();
        this.providers = providers;
        this.required = required;
        this.store = store;
        this.context = context;
        this.storeKey = storeKey;
        this.clock = clock;
        this.events = events;
    }

    boolean anonymous() {
        return !required;
    }

    /** Whether a token is required but no provider is there to give one. */
    boolean providerMissing() {
        return required && providers.get() == null;
    }

    /** The token to present, or empty to connect anonymously. */
    CompletableFuture<Optional<String>> token() {
        if (!required) {
            return CompletableFuture.completedFuture(readStored());
        }
        AuthProvider provider = providers.get();
        if (provider == null) {
            return CompletableFuture.failedFuture(new dev.stdb.secure.api.ProviderUnavailableException(
                    "no auth provider is bound"));
        }
        return credential(provider, false).thenApply(c -> Optional.of(c.token().withChars(String::new)));
    }

    private Optional<String> readStored() {
        Optional<Secret> stored = store.read(storeKey);
        stored.ifPresent(s -> events.emit(SecurityEvent.of(SecurityEventType.CREDENTIAL_READ, Outcome.SUCCESS)
                .source("dev.stdb.secure.core").detail("store", store.id()).detail("key", storeKey).build()));
        return stored.map(s -> {
            try (s) {
                return s.withChars(String::new);
            }
        });
    }

    /** Keeps the token the server minted for an anonymous connection. */
    void rememberAnonymous(String token) {
        if (required) {
            return;
        }
        try (Secret secret = Secret.ofString(token)) {
            store.write(storeKey, secret);
        }
        events.emit(SecurityEvent.of(SecurityEventType.CREDENTIAL_WRITTEN, Outcome.SUCCESS)
                .source("dev.stdb.secure.core").detail("store", store.id()).detail("key", storeKey).build());
    }

    /** Forgets a stored anonymous token the server no longer accepts. */
    void forgetAnonymous() {
        if (!required) {
            store.delete(storeKey);
        }
    }

    /** The current credential, refreshed first when it is due (or when {@code refreshNow}). */
    private synchronized CompletableFuture<Credential> credential(AuthProvider provider, boolean refreshNow) {
        if (inFlight != null) {
            return inFlight;
        }
        if (issuer != provider) {
            // The provider was swapped: the next token comes from the replacement.
            current = null;
            issuer = provider;
        }
        Credential c = current;
        Instant due = c == null ? null : c.refreshDueAt();
        if (c != null && !refreshNow && !c.isExpired(clock) && (due == null || clock.instant().isBefore(due)
                || retryNotBefore != null && clock.instant().isBefore(retryNotBefore))) {
            // not due yet, or a refresh just failed and its timed retry is pending: the token in hand still works
            return CompletableFuture.completedFuture(c);
        }
        boolean refresh = c != null && !c.isExpired(clock) || c != null && c.refreshToken().isPresent();
        Optional<Finding> lock = lockouts.active(Arrays.asList(provider.id(), c != null ? c.subject() : null),
                target, clock.instant());
        if (lock.isPresent()) {
            return refuse(provider, lock.get(), refresh);
        }
        CompletableFuture<Credential> call = (refresh ? provider.refresh(c, context) : provider.acquire(context))
                .toCompletableFuture();
        CompletableFuture<Credential> next = call;
        if (refresh && c != null && !c.isExpired(clock)) {
            // A refresh that fails (the IdP is down) does not take the token in hand away while it still works:
            // connects keep using it until it expires, and the timer retries the refresh with a growing pause.
            Credential held = c;
            next = call.handle((fresh, error) -> {
                if (error == null) {
                    return fresh;
                }
                if (!held.isExpired(clock)) {
                    return held;
                }
                throw error instanceof CompletionException ? (CompletionException) error
                        : new CompletionException(error);
            });
        }
        // set before settle can run: a provider that answers at once completes the call right here
        inFlight = next;
        call.whenComplete((fresh, error) -> settle(provider, fresh, error, refresh));
        return next;
    }

    private CompletableFuture<Credential> refuse(AuthProvider provider, Finding lock, boolean refresh) {
        String until = lock.until() != null ? "until " + lock.until() : "until an operator lifts the block";
        SecurityEvent.Builder b = SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.FAILURE)
                .source("dev.stdb.secure.core").principal(lock.principal())
                .detail("action", "refused").detail("operation", refresh ? "refresh" : "acquire")
                .detail("provider", provider.id()).detail("target", target)
                .detail("detector", lock.detector()).detail("severity", lock.severity().name())
                .detail("response", lock.response().name()).detail("reason", lock.reason());
        if (lock.until() != null) {
            b.detail("until", lock.until().toString());
        }
        events.emit(b.build());
        return CompletableFuture.failedFuture(new AuthenticationException(ReasonCode.LOCKED_OUT,
                "the credential of auth provider " + provider.id() + " is locked out " + until + " by "
                        + lock.detector() + " (" + lock.reason() + "); it is not sent to the identity provider "
                        + "before then"));
    }

    private synchronized void settle(AuthProvider provider, Credential fresh, Throwable error, boolean refreshed) {
        inFlight = null;
        if (error != null) {
            Throwable cause = error instanceof CompletionException && error.getCause() != null
                    ? error.getCause() : error;
            SecurityEvent.Builder b = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE)
                    .source("dev.stdb.secure.core").detail("provider", provider.id()).detail("target", target)
                    .detail("operation", refreshed ? "refresh" : "acquire")
                    .detail("error", String.valueOf(cause.getMessage()));
            if (cause instanceof SecureClientException && ((SecureClientException) cause).reason() != null) {
                b.detail("reason", ((SecureClientException) cause).reason().code());
            }
            Credential held = current;
            long retry = -1;
            if (refreshed && held != null && !held.isExpired(clock) && !(cause instanceof SecureClientException
                    && ((SecureClientException) cause).reason() == dev.stdb.secure.api.ReasonCode.LOCKED_OUT)) {
                // The token in hand still works: the session stays up, and the refresh is tried again after a
                // growing pause (1 s doubling to 60 s), never later than the token's expiry.
                failedRefreshesInARow++;
                retry = Math.min(MAX_DUE_BACKOFF_MS, 1000L << Math.min(failedRefreshesInARow - 1, 6));
                if (held.expiresAt() != null) {
                    retry = Math.max(0, Math.min(retry, Duration.between(clock.instant(), held.expiresAt())
                            .toMillis()));
                }
                b.detail("retry.in.ms", Long.toString(retry));
                retryNotBefore = clock.instant().plusMillis(retry);
            }
            events.emit(b.build());
            if (retry >= 0) {
                scheduleAfter(provider, retry);
            }
            return;
        }
        failedRefreshesInARow = 0;
        retryNotBefore = null;
        Credential old = current;
        current = fresh;
        if (old != null && old != fresh) {
            old.destroy();
        }
        events.emit(SecurityEvent.of(refreshed ? SecurityEventType.TOKEN_REFRESHED : SecurityEventType.AUTH_SUCCESS,
                Outcome.SUCCESS).source("dev.stdb.secure.core").principal(fresh.subject())
                .detail("provider", provider.id()).detail("target", target).detail("token", fresh.token()).build());
        scheduleRefresh(provider, fresh);
    }

    /**
     * Refreshes when the credential is due (max(30 s, 5 % of its lifetime) before expiry), not only at the next
     * reconnect: providers that rotate refresh tokens keep them alive while a session lasts for days.
     */
    private void scheduleRefresh(AuthProvider provider, Credential credential) {
        if (nextRefresh != null) {
            nextRefresh.cancel(false);
        }
        Instant due = credential.refreshDueAt();
        if (due == null) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), due).toMillis());
        if (delay == 0) {
            // The provider handed back a credential already due (an outside token nobody has rotated yet): ask
            // again after a growing pause instead of at once, which would spin until the token expires.
            alreadyDueInARow++;
            delay = Math.min(MAX_DUE_BACKOFF_MS, 1000L << Math.min(alreadyDueInARow - 1, 6));
        } else {
            alreadyDueInARow = 0;
        }
        scheduleAfter(provider, delay);
    }

    private void scheduleAfter(AuthProvider provider, long delayMillis) {
        if (nextRefresh != null) {
            nextRefresh.cancel(false);
        }
        try {
            nextRefresh = scheduler.schedule(() -> {
                if (providers.get() == provider) {
                    credential(provider, true);
                }
            }, delayMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            nextRefresh = null;
        }
    }

    /** Stops the refresh timer. */
    synchronized void close() {
        if (nextRefresh != null) {
            nextRefresh.cancel(false);
        }
    }
}
