package dev.stdb.secure.anomaly.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.anomaly.auth.BruteForceSettings.Strategy;
import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.auth.oauth2.ClientAuth;
import dev.stdb.secure.auth.oauth2.OAuth2Provider;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.testing.clock.ManualClock;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * End to end against a real Keycloak: a client with a wrong secret signs in again and again through
 * {@link SpacetimeClient}; the {@link FailedAuthDetector} locks it out at the configured count and at every failure
 * after it (Keycloak's MULTIPLE strategy), the core then refuses without asking Keycloak and says until when, the
 * wait grows at the next multiple, and a success with the right secret resets the count.
 */
class FailedAuthKeycloakTest {


    final ManualClock clock = new ManualClock(Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    SecureClientException connectFails(SpacetimeClient.Builder b) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> b.connect().toCompletableFuture().get(30, TimeUnit.SECONDS));
        return assertInstanceOf(SecureClientException.class, e.getCause());
    }

    /** Keycloak's failedLoginNotBefore for a wait from now: whole seconds, now / 1000 + wait. */
    Instant notBefore(long waitSeconds) {
        return Instant.ofEpochSecond(clock.instant().getEpochSecond() + waitSeconds);
    }

    long count(Predicate<SecurityEvent> p) {
        return events.stream().filter(p).count();
    }

    void await(Predicate<SecurityEvent> p, long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (count(p) < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(n, count(p), () -> "events: " + events);
    }

    static boolean lockout(SecurityEvent e) {
        return e.type() == SecurityEventType.ANOMALY && "THROTTLE".equals(e.details().get("response"))
                && !"refused".equals(e.details().get("action"));
    }

    @Test
    void wrongSecretIsLockedOutAtTheCountTheWaitGrowsAndSuccessResets() throws Exception {
        Keycloak keycloak = Keycloak.shared();
        AtomicReference<String> secret = new AtomicReference<>("not-the-secret");
        // failureFactor 3, +60 s up to 120 s; no quick-login rule (the attempts follow each other within ms)
        FailedAuthDetector detector = FailedAuthDetector.builder().clock(clock)
                .settings(new BruteForceSettings(3, 60, 120, 0, 60, 3600, false, 0, Strategy.MULTIPLE)).build();
        try (OAuth2Provider idp = OAuth2Provider.clientCredentials(Keycloak.SVC_SECRET).id("svc")
                .tokenEndpoint(keycloak.tokenEndpoint())
                .clientSecret(ClientAuth.CLIENT_SECRET_BASIC, () -> Secret.ofString(secret.get())).build()) {
            SpacetimeClient.Builder client = SpacetimeClient.builder().uri(URI.create("ws://127.0.0.1:1"))
                    .database("quickstart").authProvider(idp).clock(clock).events(events::add)
                    .reconnect(new ReconnectPolicy(false, Duration.ofMillis(500), Duration.ofSeconds(1), 0))
                    .timeout(Duration.ofSeconds(2)).anomalyDetector(detector);

            // 1..3: Keycloak refuses; the third trips the lockout (MULTIPLE: 60 * (3 / 3) = 60 s)
            for (int i = 1; i <= 3; i++) {
                assertEquals(ReasonCode.INVALID_CREDENTIALS, connectFails(client).reason(), "attempt " + i);
            }
            assertEquals(3, idp.tokenRequests());
            await(FailedAuthKeycloakTest::lockout, 1);
            Instant until = notBefore(60);

            SecureClientException locked = connectFails(client);
            assertInstanceOf(AuthenticationException.class, locked);
            assertEquals(ReasonCode.LOCKED_OUT, locked.reason());
            assertTrue(locked.getMessage().contains("locked out until " + until + " by failed-auth (3 failed sign-ins"),
                    locked.getMessage());
            assertEquals(3, idp.tokenRequests(), "a locked-out credential must not reach Keycloak");

            // each wait over, the next failure reaches Keycloak and locks out again (Keycloak's integer division):
            // 4 and 5 for 60 * (n / 3) = 60 s, 6 for 60 * (6 / 3) = 120 s
            for (int i = 4; i <= 6; i++) {
                clock.advance(Duration.ofSeconds(60));
                assertEquals(ReasonCode.INVALID_CREDENTIALS, connectFails(client).reason(), "attempt " + i);
                await(FailedAuthKeycloakTest::lockout, i - 2);
                Instant end = notBefore(i < 6 ? 60 : 120);
                locked = connectFails(client);
                assertEquals(ReasonCode.LOCKED_OUT, locked.reason());
                assertTrue(locked.getMessage().contains("locked out until " + end), locked.getMessage());
                assertEquals(i, idp.tokenRequests());
            }

            // the right secret after the wait: Keycloak issues a token (the server is unreachable), the count resets
            clock.advance(Duration.ofSeconds(120));
            secret.set(Keycloak.SVC_SECRET_SECRET);
            assertEquals(ReasonCode.CONNECTION_FAILED, connectFails(client).reason());
            await(e -> e.type() == SecurityEventType.AUTH_SUCCESS, 1);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (detector.failures("svc") != 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, detector.failures("svc"));

            // wrong again: locked out at the third failure, for the first wait again
            secret.set("not-the-secret-either");
            for (int i = 1; i <= 3; i++) {
                assertEquals(ReasonCode.INVALID_CREDENTIALS, connectFails(client).reason(), "after reset " + i);
            }
            await(FailedAuthKeycloakTest::lockout, 5);
            locked = connectFails(client);
            assertEquals(ReasonCode.LOCKED_OUT, locked.reason());
            assertTrue(locked.getMessage().contains("locked out until " + notBefore(60)),
                    locked.getMessage());
            assertTrue(events.stream().noneMatch(e -> e.toString().contains("not-the-secret")),
                    "no secret in any event");
        }
    }
}
