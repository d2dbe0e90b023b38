package dev.stdb.secure.auth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The provider in front of the core client, against the protocol sandbox, which validates the same tokens the way
 * SpacetimeDB does: OIDC discovery and JWKS of {@code iss} (the test's issuer on 127.0.0.1), identity from iss+sub.
 */
class SandboxEndToEndTest {

    private static Connection connect(Sandbox sandbox, JwtProvider provider, List<SecurityEvent> events)
            throws Exception {
        return SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).authProvider(provider)
                .events(events::add).reconnect(ReconnectPolicy.NEVER).timeout(Duration.ofSeconds(10)).connect()
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    private static JwtProvider provider(Idp idp, AtomicReference<String> token) {
        return JwtProvider.builder().id("jwt-e2e")
                .validator(JwtValidator.builder().issuer(idp.issuer()).audience("stdb").build())
                .tokenSupplier(() -> Secret.ofString(token.get())).build();
    }

    @Test
    void aValidatedTokenConnectsAndTheIdentityFollowsIssuerAndSubject() throws Exception {
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        try (Idp idp = new Idp(); Sandbox sandbox = Sandbox.builder().start()) {
            Instant now = Instant.now();
            AtomicReference<String> token = new AtomicReference<>(
                    Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", now).build()));
            try (JwtProvider provider = provider(idp, token)) {
                Connection first = connect(sandbox, provider, events);
                assertTrue(idp.requestsNotFromProvider() > 0, "the sandbox fetched the issuer's keys itself");
                // another token (other key, other jti) for the same iss+sub: the same identity
                token.set(Idp.sign(Idp.EC, JWSAlgorithm.ES256, idp.claims("alice", now).build()));
                Connection second = connect(sandbox, provider, events);
                assertEquals(first.identity(), second.identity());
                token.set(Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("bob", now).build()));
                Connection third = connect(sandbox, provider, events);
                assertNotEquals(first.identity(), third.identity());
                first.close();
                second.close();
                third.close();
            }
        }
        for (SecurityEvent e : events) {
            assertFalse(e.toString().contains("eyJ"), e.toString());
        }
    }

    @Test
    void anExpiredTokenIsRefusedBeforeAnyConnectionAttempt() throws Exception {
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        try (Idp idp = new Idp(); Sandbox sandbox = Sandbox.builder().start()) {
            Instant longAgo = Instant.now().minus(Duration.ofHours(3));
            String expired = Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims("alice", longAgo)
                    .expirationTime(Date.from(longAgo.plusSeconds(3600))).build());
            try (JwtProvider provider = provider(idp, new AtomicReference<>(expired))) {
                ExecutionException e = assertThrows(ExecutionException.class,
                        () -> connect(sandbox, provider, events));
                JwtRefusedException refusal = assertInstanceOf(JwtRefusedException.class, e.getCause(),
                        String.valueOf(e.getCause()));
                assertEquals(ReasonCode.TOKEN_EXPIRED, refusal.reason());
                assertFalse(refusal.getMessage().contains(expired));
            }
            // the sandbox saw nothing: no live connection, and it never asked the issuer to validate a token
            assertEquals(0, sandbox.connectionCount());
            assertEquals(0, idp.requestsNotFromProvider(), "the sandbox never validated a token");
            assertTrue(events.stream().noneMatch(ev -> ev.type() == SecurityEventType.CONNECTED), events.toString());
            assertTrue(events.stream().anyMatch(ev -> ev.type() == SecurityEventType.AUTH_FAILURE
                    && ev.toString().contains("auth.token_expired")), events.toString());
            for (SecurityEvent ev : events) {
                assertFalse(ev.toString().contains(expired), ev.toString());
            }
        }
    }
}
