package dev.stdb.secure.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The refresh timer never spins on a provider that keeps handing back a credential already due. */
class TokenSourceTest {

    @Test
    void aCredentialAlreadyDueIsAskedForAgainAfterAGrowingPause() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        // expires in 20 s: inside the 30 s refresh margin from the start, as an outside token nobody rotated
        Instant expiry = Instant.now().plusSeconds(20);
        AuthProvider sameToken = new AuthProvider() {
            @Override
            public String id() {
                return "outside-token";
            }

            @Override
            public CompletionStage<Credential> acquire(AuthContext context) {
                calls.incrementAndGet();
                return CompletableFuture.completedFuture(Credential.builder(Secret.ofString("header.body.sig"))
                        .issuedAt(expiry.minusSeconds(3600)).expiresAt(expiry).build());
            }

            @Override
            public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
                return acquire(context);
            }
        };
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            AuthContext context = new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { });
            TokenSource tokens = new TokenSource(() -> sameToken, true, new MemoryCredentialStore(), context, "k",
                    Clock.systemUTC(), e -> { }, scheduler, null);
            assertTrue(tokens.token().get(5, TimeUnit.SECONDS).isPresent());
            // without the pause this would be thousands of calls; with it: at 0, +1 s, +2 s (+4 s is past the window)
            Thread.sleep(3500);
            int seen = calls.get();
            assertTrue(seen >= 2 && seen <= 4, "provider asked " + seen + " times in 3.5 s");
            tokens.close();
        } finally {
            scheduler.shutdownNow();
        }
        assertEquals(true, scheduler.awaitTermination(5, TimeUnit.SECONDS));
    }

    @Test
    void aFailingRefreshKeepsTheTokenInHandAndIsRetriedWithAGrowingPause() throws Exception {
        AtomicInteger refreshes = new AtomicInteger();
        java.util.List<dev.stdb.secure.api.audit.SecurityEvent> events =
                new java.util.concurrent.CopyOnWriteArrayList<>();
        AuthProvider flaky = new AuthProvider() {
            @Override
            public String id() {
                return "flaky-idp";
            }

            @Override
            public CompletionStage<Credential> acquire(AuthContext context) {
                Instant now = Instant.now();
                // lives 12 s: due after 3 s (the margin is capped at three quarters of the life)
                return CompletableFuture.completedFuture(Credential.builder(Secret.ofString("first.token.sig"))
                        .issuedAt(now).expiresAt(now.plusSeconds(12)).build());
            }

            @Override
            public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
                if (refreshes.incrementAndGet() <= 2) {
                    return CompletableFuture.failedFuture(new dev.stdb.secure.api.AuthenticationException(
                            dev.stdb.secure.api.ReasonCode.IDP_UNREACHABLE, "the IdP is down (test)"));
                }
                Instant now = Instant.now();
                return CompletableFuture.completedFuture(Credential.builder(Secret.ofString("second.token.sig"))
                        .issuedAt(now).expiresAt(now.plusSeconds(3600)).build());
            }
        };
        ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
        try {
            AuthContext context = new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { });
            TokenSource tokens = new TokenSource(() -> flaky, true, new MemoryCredentialStore(), context, "k",
                    Clock.systemUTC(), events::add, scheduler, null);
            assertEquals("first.token.sig", tokens.token().get(5, TimeUnit.SECONDS).orElseThrow());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (refreshes.get() < 3 && System.nanoTime() < deadline) {
                // while the IdP is down, a connect still gets the token in hand
                assertEquals("first.token.sig", tokens.token().get(5, TimeUnit.SECONDS).orElseThrow());
                Thread.sleep(50);
            }
            assertEquals(3, refreshes.get(), events.toString());
            java.util.List<String> retries = new java.util.ArrayList<>();
            for (dev.stdb.secure.api.audit.SecurityEvent e : events) {
                if (e.type() == dev.stdb.secure.api.audit.SecurityEventType.AUTH_FAILURE) {
                    retries.add(e.details().get("retry.in.ms"));
                }
            }
            assertEquals(java.util.List.of("1000", "2000"), retries, "the pause grows: " + events);
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!"second.token.sig".equals(tokens.token().get(5, TimeUnit.SECONDS).orElseThrow())
                    && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            assertEquals("second.token.sig", tokens.token().get(5, TimeUnit.SECONDS).orElseThrow());
            tokens.close();
        } finally {
            scheduler.shutdownNow();
        }
    }
}
