package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.testing.browser.Chrome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.auth.MfaChallenge;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.auth.MfaResponse;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.sandbox.internal.auth.IdentityDerivation;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The device authorization grant (RFC 8628) against a real Keycloak, approved (or denied) by a real headless
 * Chromium that the test's MfaHandler drives to the verification URI, where it enters the user code and signs in as
 * alice on Keycloak's login page.
 */
class DeviceCodeKeycloakTest {
    private static final String ALICE_PASSWORD = "alice-test-password";
    private static Keycloak keycloak;
    private static Sandbox sandbox;
    private static Chrome chrome;
    private static final ExecutorService BROWSER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "test-browser");
        t.setDaemon(true);
        return t;
    });

    @BeforeAll
    static void start() throws Exception {
        keycloak = Keycloak.shared();
        sandbox = Sandbox.builder().start();
        chrome = Chrome.start();
        // copies of the public device client: one that asks for consent (to deny it), one whose codes live 3 s
        createDeviceClient("device-consent", true, Map.of());
        createDeviceClient("device-short", false, Map.of("oauth2.device.code.lifespan", "3",
                "oauth2.device.polling.interval", "1"));
    }

    @AfterAll
    static void stop() {
        if (chrome != null) {
            chrome.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private static void createDeviceClient(String clientId, boolean consent, Map<String, String> attributes) {
        Map<String, Object> attrs = new java.util.HashMap<>(attributes);
        attrs.put("oauth2.device.authorization.grant.enabled", "true");
        Map<String, Object> rep = Map.of("clientId", clientId, "enabled", true, "protocol", "openid-connect",
                "publicClient", true, "standardFlowEnabled", false, "consentRequired", consent,
                "attributes", attrs);
        Keycloak.Response r = keycloak.admin("POST", "/clients", JSONObjectUtils.toJSONString(rep));
        assertTrue(r.status() == 201 || r.status() == 409, "create client " + clientId + ": HTTP " + r.status());
    }

    /** Shows nothing to a person: drives Chromium to the verification URI, enters the code, signs in as alice. */
    private static final class BrowserApproves implements MfaHandler {
        final List<MfaChallenge> challenges = new CopyOnWriteArrayList<>();
        private final boolean approve;

        BrowserApproves(boolean approve) {
            this.approve = approve;
        }

        @Override
        public CompletableFuture<MfaResponse> answer(MfaChallenge challenge) {
            challenges.add(challenge);
            // Denied in the browser, the handler itself says nothing: only Keycloak's answer can end the sign-in.
            return CompletableFuture.runAsync(() -> chrome.signIn(challenge.verificationUri(), challenge.userCode(),
                    "alice", ALICE_PASSWORD, approve), BROWSER)
                    .thenCompose(v -> approve ? CompletableFuture.completedFuture(MfaResponse.approve())
                            : new CompletableFuture<>());
        }
    }

    private static OAuth2Provider.Builder device(String clientId) {
        return OAuth2Provider.deviceCode(clientId).id("kc-" + clientId).issuer(URI.create(keycloak.issuer()));
    }

    private static AuthContext context(MfaHandler mfa, MemoryStore store, RecordingEvents events) {
        return new AuthContext(sandbox.wsUri(), sandbox.database(), store, mfa, events);
    }

    private static OAuth2Exception failure(java.util.concurrent.CompletionStage<?> stage) {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> stage.toCompletableFuture().get(120, TimeUnit.SECONDS));
        return assertInstanceOf(OAuth2Exception.class, e.getCause(), String.valueOf(e.getCause()));
    }

    @Test
    void approvedInTheBrowserGivesAlicesTokensWhichRefreshAndConnectToTheSandbox() throws Exception {
        chrome.logout();
        String aliceId = keycloak.userId("alice");
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        BrowserApproves browser = new BrowserApproves(true);
        try (OAuth2Provider p = device(Keycloak.DEVICE).mfaHandler(browser).build()) {
            CompletableFuture<Credential> stage = p.acquire(context(browser, store, events)).toCompletableFuture();
            assertFalse(stage.isDone(), "acquire returns at once; the stage waits for the person");
            Credential c = stage.get(120, TimeUnit.SECONDS);

            MfaChallenge shown = browser.challenges.get(0);
            assertEquals(MfaChallenge.Kind.DEVICE_CODE, shown.kind());
            assertTrue(shown.verificationUri().toString().startsWith(keycloak.issuer() + "/"),
                    String.valueOf(shown.verificationUri()));
            assertNotNull(shown.userCode());
            assertTrue(shown.prompt().contains(shown.userCode()), shown.prompt());
            assertNotNull(shown.expiresIn());

            assertEquals(keycloak.issuer(), c.issuer());
            assertEquals(aliceId, c.subject(), "sub is alice's user id");
            assertEquals(Keycloak.DEVICE, c.claims().get("azp"));
            assertTrue(c.refreshToken().isPresent(), "Keycloak answered with a refresh token");
            Secret stored = store.read(p.storeKey()).orElseThrow();
            assertTrue(stored.contentEquals(c.refreshToken().get()), "the refresh token was stored");
            SecurityEvent issued = events.of(SecurityEventType.TOKEN_ISSUED).get(0);
            assertEquals(aliceId, issued.principal());
            assertEquals(1, events.of(SecurityEventType.MFA_CHALLENGE).size());

            // refresh reuses the rotating refresh code: a new refresh token, stored before the credential returns
            Credential fresh = p.refresh(c, context(browser, store, events)).toCompletableFuture()
                    .get(60, TimeUnit.SECONDS);
            assertEquals(aliceId, fresh.subject());
            assertFalse(fresh.refreshToken().get().contentEquals(c.refreshToken().get()), "rotated");
            assertTrue(store.read(p.storeKey()).orElseThrow().contentEquals(fresh.refreshToken().get()));
            assertEquals(1, browser.challenges.size(), "a refresh asks nobody");

            String token = c.token().withChars(String::new);
            events.assertNoneContains(token);
            events.assertNoneContains(c.refreshToken().get().withChars(String::new));
            assertFalse(p.toString().contains(token));

            // the core connects with the provider: its own acquire runs the device flow once more (the builder's
            // handler, since connections bring none); the sandbox derives alice's identity from iss + sub
            RecordingEvents coreEvents = new RecordingEvents();
            Connection db = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                    .authProvider(p).credentialStore(new MemoryStore()).events(coreEvents)
                    .timeout(Duration.ofSeconds(20)).connect().toCompletableFuture().get(180, TimeUnit.SECONDS);
            try {
                Identity alice = IdentityDerivation.fromClaims(keycloak.issuer(), aliceId);
                assertEquals(alice, db.identity(), "connected as alice");
                db.callReducer("add_person", "alice via device code", 31).toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
            } finally {
                db.close();
            }
            assertEquals(2, browser.challenges.size());
            assertEquals(aliceId, coreEvents.of(SecurityEventType.TOKEN_ISSUED).get(0).principal());
        }
    }

    /**
     * RFC 8628 3.5 against Keycloak: its token endpoint answers {@code slow_down} to a poll of a device code that comes
     * within the polling interval of the previous allowed poll (it keeps a polling marker that lives one interval).
     * A proxy in front of Keycloak's token endpoint sends Keycloak one early copy of the provider's first poll (the
     * same device code and client), so that the provider's own first poll, a few milliseconds later, meets Keycloak's
     * {@code slow_down}. The provider then polls every interval + 5 s, and still completes once Chromium approves (the
     * handler starts the approval only after that answer, so an approved code is never taken by the early copy).
     * The gaps between polls are lower bounds, which a slow machine only widens: nothing here can flake by slowness.
     */
    @Test
    void slowDownFromKeycloakAddsFiveSecondsToThePollingIntervalAndTheSignInStillCompletes() throws Exception {
        chrome.logout();
        String aliceId = keycloak.userId("alice");
        // the interval Keycloak announces for the client's device codes
        Keycloak.Response announced = keycloak.postForm(URI.create(keycloak.issuer()
                + "/protocol/openid-connect/auth/device"), Map.of("client_id", Keycloak.DEVICE), null, null);
        assertEquals(200, announced.status(), announced.body());
        long interval = ((Number) announced.json().get("interval")).longValue();
        assertTrue(interval > 0, "interval " + interval);
        RecordingEvents events = new RecordingEvents();
        List<MfaChallenge> shown = new CopyOnWriteArrayList<>();
        try (CountingProxy proxy = new CountingProxy(keycloak.baseUri());
             OAuth2Provider p = device(Keycloak.DEVICE)
                     .tokenEndpoint(URI.create(proxy.uri() + "/realms/stdb/protocol/openid-connect/token")).build()) {
            proxy.pollEarlyOnce();
            MfaHandler approvesAfterTheFirstAnswer = challenge -> {
                shown.add(challenge);
                return proxy.firstForwarded().thenRunAsync(() -> chrome.signIn(challenge.verificationUri(),
                        challenge.userCode(), "alice", ALICE_PASSWORD, true), BROWSER)
                        .thenApply(v -> MfaResponse.approve());
            };
            Credential c = p.acquire(context(approvesAfterTheFirstAnswer, new MemoryStore(), events))
                    .toCompletableFuture().get(180, TimeUnit.SECONDS);
            assertEquals(aliceId, c.subject(), "alice, after all");
            assertEquals(Keycloak.DEVICE, c.claims().get("azp"));
            assertEquals(1, shown.size(), "one sign-in");

            List<CountingProxy.TokenAnswer> answers = proxy.tokenAnswers();
            assertTrue(answers.size() >= 3, "early copy, slow_down, the token: " + answers);
            CountingProxy.TokenAnswer early = answers.get(0);
            CountingProxy.TokenAnswer first = answers.get(1);
            assertTrue(early.early(), String.valueOf(answers));
            assertEquals("authorization_pending", early.error(), "the early copy is an allowed poll: " + answers);
            assertFalse(first.early());
            assertEquals(400, first.status());
            assertEquals("slow_down", first.error(), "Keycloak's answer to the provider's first poll: " + answers);

            List<CountingProxy.TokenAnswer> polls = answers.subList(1, answers.size());
            assertEquals(polls.size(), p.tokenRequests(), "every provider poll went through the proxy");
            assertTrue(polls.stream().noneMatch(CountingProxy.TokenAnswer::early));
            CountingProxy.TokenAnswer last = polls.get(polls.size() - 1);
            assertEquals(200, last.status(), "the sign-in ended with tokens: " + answers);
            for (int i = 1; i < polls.size(); i++) {
                CountingProxy.TokenAnswer before = polls.get(i - 1);
                CountingProxy.TokenAnswer next = polls.get(i);
                long gapMillis = TimeUnit.NANOSECONDS.toMillis(next.arrivedNanos() - before.arrivedNanos());
                // the provider waits after the answer, which comes after the arrival: a lower bound only
                assertTrue(gapMillis >= (interval + 5) * 1000, "poll " + i + " came " + gapMillis
                        + " ms after the previous one; after slow_down the interval is " + (interval + 5) + " s");
                if (i < polls.size() - 1) {
                    assertEquals("authorization_pending", next.error(), "no second slow_down: " + answers);
                }
            }
            assertEquals(1, events.of(SecurityEventType.TOKEN_ISSUED).size());
            assertEquals(aliceId, events.of(SecurityEventType.TOKEN_ISSUED).get(0).principal());
            events.assertNoneContains(c.token().withChars(String::new));
        }
    }

    @Test
    void deniedInTheBrowserIsATypedError() throws Exception {
        RecordingEvents events = new RecordingEvents();
        BrowserApproves browser = new BrowserApproves(false);
        try (OAuth2Provider p = device("device-consent").build()) {
            OAuth2Exception e = failure(p.acquire(context(browser, new MemoryStore(), events)));
            assertEquals(ReasonCode.MFA_FAILED, e.reason(), e.getMessage());
            assertEquals("access_denied", e.error(), e.getMessage());
            assertTrue(e.getMessage().contains("denied the device sign-in"), "Keycloak's answer: " + e.getMessage());
            assertEquals(1, browser.challenges.size());
            SecurityEvent failed = events.of(SecurityEventType.AUTH_FAILURE).get(0);
            assertEquals("access_denied", failed.details().get("error"));
        }
    }

    @Test
    void withoutAHandlerTheConsoleShowsTheCodeAndClosingTheProviderEndsTheWait() throws Exception {
        java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = System.err;
        OAuth2Provider p = device(Keycloak.DEVICE).build();
        CompletableFuture<Credential> stage;
        System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
        try {
            stage = p.acquire(context(null, new MemoryStore(), new RecordingEvents())).toCompletableFuture();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!captured.toString(java.nio.charset.StandardCharsets.UTF_8).contains("enter the code")) {
                assertTrue(System.nanoTime() < deadline, "the console showed no device code within 60 s");
                assertFalse(stage.isDone(), "the sign-in ended before the code was shown");
                Thread.sleep(50);
            }
        } finally {
            System.setErr(err);
        }
        String shown = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(shown.startsWith("[kc-device] To sign in, open " + keycloak.issuer() + "/"), shown);
        p.close();
        OAuth2Exception e = failure(stage);
        assertEquals(ReasonCode.MFA_FAILED, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void expiredDeviceCodeIsATypedError() throws Exception {
        RecordingEvents events = new RecordingEvents();
        List<MfaChallenge> shown = new CopyOnWriteArrayList<>();
        MfaHandler nobody = challenge -> {
            shown.add(challenge);
            return new CompletableFuture<>(); // a person who never comes
        };
        try (OAuth2Provider p = device("device-short").build()) {
            long t0 = System.nanoTime();
            OAuth2Exception e = failure(p.acquire(context(nobody, new MemoryStore(), events)));
            assertEquals(ReasonCode.MFA_FAILED, e.reason(), e.getMessage());
            assertEquals("expired_token", e.error(), e.getMessage());
            assertEquals(Duration.ofSeconds(3), shown.get(0).expiresIn());
            assertTrue(p.tokenRequests() >= 1, "it polled");
            assertTrue(Duration.ofNanos(System.nanoTime() - t0).compareTo(Duration.ofSeconds(3)) >= 0,
                    "not before the code expired");
            assertFalse(e.getMessage().contains(shown.get(0).userCode()), e.getMessage());
        }
    }
}
