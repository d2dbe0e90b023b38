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
}
