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
