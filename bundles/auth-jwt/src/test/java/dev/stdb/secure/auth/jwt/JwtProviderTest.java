package dev.stdb.secure.auth.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.jwt.JwtRefusedException.Check;
import dev.stdb.secure.testing.clock.ManualClock;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JwtProviderTest {

    private static final Instant T0 = Instant.parse("2026-11-27T12:00:00Z");

    private Idp idp;
    private ManualClock clock;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    private AuthContext context;
    private JwtProvider provider;

    @TempDir
    Path dir;

    @BeforeEach
    void start() throws Exception {
        idp = new Idp();
        clock = new ManualClock(T0);
        context = new AuthContext(URI.create("ws://127.0.0.1:1"), "quickstart", null, null, events::add);
    }

    @AfterEach
    void stop() {
        if (provider != null) {
            provider.close();
        }
        idp.close();
    }

    private JwtValidator validator(Clock c) {
        return JwtValidator.builder().issuer(idp.issuer()).audience("stdb").clock(c).build();
    }

    private String token(String sub, Instant iat) {
        return Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims(sub, iat).build());
    }

    private static Credential get(java.util.concurrent.CompletionStage<Credential> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static JwtRefusedException failed(java.util.concurrent.CompletionStage<Credential> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(10, TimeUnit.SECONDS));
        return assertInstanceOf(JwtRefusedException.class, e.getCause());
    }

    /** The AUTH_FAILURE events this provider reported; none may contain {@code token}. */
    private List<SecurityEvent> failures(String token) {
        List<SecurityEvent> found = events.stream().filter(e -> e.type() == SecurityEventType.AUTH_FAILURE).toList();
        for (SecurityEvent e : found) {
            assertEquals(JwtProvider.EVENT_SOURCE, e.source());
            if (token != null) {
                assertFalse(e.toString().contains(token), e.toString());
                assertFalse(e.toString().contains(token.substring(token.lastIndexOf('.') + 1)), e.toString());
            }
        }
        return found;
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void aTokenFileIsReadAndValidatedAgainAtEveryCall() throws Exception {
        Path file = dir.resolve("token.jwt");
        Files.writeString(file, token("alice", T0) + "\n");
        provider = JwtProvider.builder().id("jwt-file").validator(validator(clock)).tokenFile(file).build();
        Credential first = get(provider.acquire(context));
        assertEquals("alice", first.subject());
        assertEquals(T0.plusSeconds(3600), first.expiresAt());

        // the sidecar rotates the file: the refresh reads the new token
        Files.writeString(file, token("bob", T0.plusSeconds(10)));
        Credential second = get(provider.refresh(first, context));
        assertEquals("bob", second.subject());

        // ... and validates it: a bad token in the file is refused at refresh too, with an event
        String forged = Idp.sign(Idp.RSA_OTHER, JWSAlgorithm.RS256, idp.claims("mallory", T0).build());
        Files.writeString(file, forged);
        JwtRefusedException e = failed(provider.refresh(second, context));
        assertEquals(ReasonCode.TOKEN_FORGED, e.reason());
        SecurityEvent event = failures(forged).get(0);
        assertEquals("auth.token_forged", event.details().get("reason"));
        assertEquals("SIGNATURE", event.details().get("check"));
        assertEquals("jwt-file", event.details().get("provider"));
        assertTrue(event.details().get("token").startsWith("sha256:"), event.details().toString());

        Files.delete(file);
        e = failed(provider.acquire(context));
        assertEquals(ReasonCode.TOKEN_MISSING, e.reason());
        assertEquals(Check.SOURCE, e.check());
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void aMissingEnvironmentVariableIsNamed() throws Exception {
        Map<String, String> env = new java.util.HashMap<>();
        provider = JwtProvider.builder().id("jwt-env").validator(validator(clock)).tokenEnv("STDB_TOKEN")
                .environment(env::get).build();
        JwtRefusedException e = failed(provider.acquire(context));
        assertEquals(ReasonCode.TOKEN_MISSING, e.reason());
        assertTrue(e.getMessage().contains("'STDB_TOKEN' is not set"), e.getMessage());
        assertEquals("auth.token_missing", failures(null).get(0).details().get("reason"));
        env.put("STDB_TOKEN", " " + token("alice", T0) + "\n");
        assertEquals("alice", get(provider.acquire(context)).subject());
    }

    @Test
    void aMissingStoreEntryIsNamedAndTheBoundStoreIsPreferred() throws Exception {
        MemoryStore bound = new MemoryStore("vault");
        MemoryStore connections = new MemoryStore("connection-store");
        AtomicReference<MemoryStore> binding = new AtomicReference<>(bound);
        provider = JwtProvider.builder().id("jwt-store").validator(validator(clock))
                .tokenStoreKey("jwt/stdb", binding::get).build();
        AuthContext withStore = new AuthContext(context.target(), "quickstart", connections, null, events::add);
        JwtRefusedException e = failed(provider.acquire(withStore));
        assertEquals(ReasonCode.TOKEN_MISSING, e.reason());
        assertTrue(e.getMessage().contains("credential store 'vault' has no entry 'jwt/stdb'"), e.getMessage());
        try (Secret s = Secret.ofString(token("alice", T0))) {
            bound.write("jwt/stdb", s);
        }
        assertEquals("alice", get(provider.acquire(withStore)).subject());
        // no store bound: the connection's
        binding.set(null);
        try (Secret s = Secret.ofString(token("carol", T0))) {
            connections.write("jwt/stdb", s);
        }
        assertEquals("carol", get(provider.acquire(withStore)).subject());
        e = failed(provider.acquire(context)); // neither
        assertTrue(e.getMessage().contains("no credential store"), e.getMessage());
    }

    @Test
    void aCallbackSuppliesTheTokenAndKeepsItsSecret() throws Exception {
        AtomicReference<Secret> current = new AtomicReference<>(Secret.ofString(token("alice", T0)));
        provider = JwtProvider.builder().id("jwt-cb").validator(validator(clock)).tokenSupplier(current::get).build();
        Credential c = get(provider.acquire(context));
        assertEquals("alice", c.subject());
        c.destroy();
        assertFalse(current.get().isDestroyed(), "the provider copied the callback's secret");
        current.set(null);
        assertEquals(ReasonCode.TOKEN_MISSING, failed(provider.acquire(context)).reason());
        JwtProvider throwing = JwtProvider.builder().id("jwt-cb2").validator(validator(clock))
                .tokenCallable(() -> { throw new IllegalStateException("secret-value-xyz"); }).build();
        try {
            JwtRefusedException e = failed(throwing.acquire(context));
            assertFalse(e.getMessage().contains("secret-value-xyz"), e.getMessage());
        } finally {
            throwing.close();
        }
    }

    @Test
    void anExpiredTokenIsRefusedNamingWhenItExpired() throws Exception {
        String token = token("alice", T0);
        provider = JwtProvider.builder().id("jwt").validator(validator(clock))
                .tokenSupplier(() -> Secret.ofString(token)).build();
        Credential c = get(provider.acquire(context));
        clock.advance(Duration.ofSeconds(3600 + 61));
        JwtRefusedException e = failed(provider.refresh(c, context));
        assertEquals(ReasonCode.TOKEN_EXPIRED, e.reason());
        assertTrue(e.getMessage().contains("expired at " + T0.plusSeconds(3600)), e.getMessage());
        assertFalse(e.getMessage().contains(token));
        SecurityEvent event = failures(token).get(0);
        assertEquals("auth.token_expired", event.details().get("reason"));
        assertEquals("EXPIRY", event.details().get("check"));
    }

    @Test
    void expiryIsWarnedAboutAheadOfTime() throws Exception {
        // A real clock: the warning is scheduled on the provider's thread.
        Clock system = Clock.systemUTC();
        Instant now = Instant.ofEpochSecond(system.instant().getEpochSecond());
        AtomicReference<String> token = new AtomicReference<>(Idp.sign(Idp.RSA, JWSAlgorithm.RS256,
                idp.claims("alice", now).expirationTime(Date.from(now.plusSeconds(4))).build()));
        provider = JwtProvider.builder().id("jwt-warn").validator(validator(system))
                .tokenSupplier(() -> Secret.ofString(token.get())).expiryWarning(Duration.ofSeconds(3)).build();
        get(provider.acquire(context));
        await(() -> events.stream().anyMatch(e -> e.type() == SecurityEventType.TOKEN_EXPIRING), "TOKEN_EXPIRING");
        SecurityEvent warning = events.stream().filter(e -> e.type() == SecurityEventType.TOKEN_EXPIRING)
                .findFirst().orElseThrow();
        assertEquals("alice", warning.principal());
        assertEquals(now.plusSeconds(4).toString(), warning.details().get("expiresAt"));
        assertFalse(warning.toString().contains(token.get()));
        assertTrue(!Instant.now().isBefore(now.plusSeconds(1)), "not before exp - warning");

        // a token already inside the window is warned about at once, and only once
        events.clear();
        Instant later = Instant.ofEpochSecond(system.instant().getEpochSecond());
        token.set(Idp.sign(Idp.RSA, JWSAlgorithm.RS256,
                idp.claims("bob", later).expirationTime(Date.from(later.plusSeconds(120))).build()));
        JwtProvider wide = JwtProvider.builder().id("jwt-warn2").validator(validator(system))
                .tokenSupplier(() -> Secret.ofString(token.get())).expiryWarning(Duration.ofMinutes(5)).build();
        try {
            Credential c = get(wide.acquire(context));
            assertEquals(1, events.stream().filter(e -> e.type() == SecurityEventType.TOKEN_EXPIRING).count());
            get(wide.acquire(context));
            assertEquals(1, events.stream().filter(e -> e.type() == SecurityEventType.TOKEN_EXPIRING).count());
            assertEquals("bob", c.subject());
        } finally {
            wide.close();
        }
    }

    @Test
    void aReplacedTokenIsNotWarnedAbout() throws Exception {
        Clock system = Clock.systemUTC();
        Instant now = Instant.ofEpochSecond(system.instant().getEpochSecond());
        AtomicReference<String> token = new AtomicReference<>(Idp.sign(Idp.RSA, JWSAlgorithm.RS256,
                idp.claims("alice", now).expirationTime(Date.from(now.plusSeconds(3))).build()));
        provider = JwtProvider.builder().id("jwt").validator(validator(system))
                .tokenSupplier(() -> Secret.ofString(token.get())).expiryWarning(Duration.ofSeconds(1)).build();
        Credential first = get(provider.acquire(context));
        token.set(token("alice", now)); // lives an hour
        get(provider.refresh(first, context));
        // the first token's warning was due 2 s after acquire; wait past it and see nothing
        Instant due = now.plusSeconds(2);
        await(() -> Instant.now().isAfter(due.plusMillis(500)), "the first token's warning time");
        // drain the provider's thread: a later task runs after any warning task due before it
        get(provider.acquire(context));
        assertEquals(0, events.stream().filter(e -> e.type() == SecurityEventType.TOKEN_EXPIRING).count());
    }

    @Test
    void aRefreshThatReadsBackTheDueTokenWaitsBeforeLookingAgain() throws Exception {
        String token = token("alice", T0);
        provider = JwtProvider.builder().id("jwt").validator(validator(clock))
                .tokenSupplier(() -> Secret.ofString(token)).unchangedRecheck(Duration.ofMillis(300)).build();
        Credential c = get(provider.acquire(context));
        // not yet due: answered at once with the same token
        assertEquals("alice", get(provider.refresh(c, context)).subject());
        clock.advance(Duration.between(T0, c.refreshDueAt()).plusSeconds(1));
        long start = System.nanoTime();
        Credential again = get(provider.refresh(c, context));
        assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(250), "waited before reading again");
        assertEquals("alice", again.subject());
    }

    @Test
    void theBuilderNeedsExactlyOneSource() {
        JwtValidator v = validator(clock);
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> JwtProvider.builder().id("x").validator(v).build());
        assertTrue(e.getMessage().contains("token.file, token.env, token.store.key"), e.getMessage());
        assertThrows(ConfigurationException.class, () -> JwtProvider.builder().id("x").validator(v)
                .tokenEnv("A").tokenFile(Path.of("/tmp/t")).build());
        e = assertThrows(ConfigurationException.class, () -> JwtProvider.builder().validator(v).tokenEnv("A").build());
        assertTrue(e.getMessage().contains("provider.id"), e.getMessage());
        JwtProvider p = JwtProvider.builder().id("x").validator(v).tokenEnv("A").build();
        assertEquals("JwtProvider[id=x, issuer=" + idp.issuer() + ", source=env:A]", p.toString());
        p.close();
    }
}
