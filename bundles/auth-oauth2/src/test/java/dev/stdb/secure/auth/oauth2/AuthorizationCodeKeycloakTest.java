package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.testing.browser.Chrome;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.oauth2.sdk.util.URLUtils;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.sandbox.Sandbox;
import dev.stdb.secure.sandbox.internal.auth.IdentityDerivation;
import dev.stdb.secure.testing.keycloak.Keycloak;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * The authorization code grant with PKCE S256 and a loopback redirect against a real Keycloak (public client
 * app-pkce, redirect http://127.0.0.1/*), with a real headless Chromium as the BrowserLauncher: it opens the
 * authorization URL, signs in as alice on Keycloak's login page, and Keycloak's redirect reaches the provider's
 * listener on 127.0.0.1.
 */
class AuthorizationCodeKeycloakTest {
    private static final String ALICE_PASSWORD = "alice-test-password";
    private static Keycloak keycloak;
    private static Sandbox sandbox;
    private static Chrome chrome;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
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

    /** Chromium as the browser: signs in as alice; the stage completes when the listener's page is shown. */
    private static final class ChromeLauncher implements BrowserLauncher {
        final List<URI> opened = new CopyOnWriteArrayList<>();
        final List<CompletableFuture<String>> finalPages = new CopyOnWriteArrayList<>();

        @Override
        public CompletableFuture<Void> open(URI authorizationUri) {
            opened.add(authorizationUri);
            CompletableFuture<String> page = CompletableFuture.supplyAsync(() -> chrome.signIn(authorizationUri, null,
                    "alice", ALICE_PASSWORD, true), BROWSER);
            finalPages.add(page);
            return page.thenApply(text -> null);
        }
    }

    private static OAuth2Provider.Builder appPkce() {
        return OAuth2Provider.authorizationCode(Keycloak.APP_PKCE).id("kc-pkce").issuer(URI.create(keycloak.issuer()))
                .browserTimeout(Duration.ofSeconds(120));
    }

    private static AuthContext context(MemoryStore store, RecordingEvents events) {
        return new AuthContext(sandbox.wsUri(), sandbox.database(), store, null, events);
    }

    private static Map<String, List<String>> query(URI uri) {
        return URLUtils.parseParameters(uri.getRawQuery());
    }

    @Test
    void signedInInChromiumGivesAlicesValidatedTokensWhichConnectToTheSandbox() throws Exception {
        chrome.logout();
        String aliceId = keycloak.userId("alice");
        ChromeLauncher browser = new ChromeLauncher();
        MemoryStore store = new MemoryStore();
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = appPkce().browserLauncher(browser).build()) {
            Credential c = p.acquire(context(store, events)).toCompletableFuture().get(150, TimeUnit.SECONDS);

            URI authorize = browser.opened.get(0);
            assertTrue(authorize.toString().startsWith(keycloak.issuer() + "/protocol/openid-connect/auth?"),
                    authorize.getPath());
            Map<String, List<String>> q = query(authorize);
            assertEquals(List.of("code"), q.get("response_type"));
            assertEquals(List.of("S256"), q.get("code_challenge_method"));
            assertNotNull(q.get("code_challenge"));
            assertNotNull(q.get("state"));
            assertNotNull(q.get("nonce"), "openid is in scope by default: a nonce is sent");
            assertEquals(List.of("openid"), q.get("scope"));
            URI redirect = URI.create(q.get("redirect_uri").get(0));
            assertEquals("127.0.0.1", redirect.getHost());
            assertEquals("/callback", redirect.getPath());
            String page = browser.finalPages.get(0).get(60, TimeUnit.SECONDS);
            assertTrue(page.contains("You can close this window"), page);

            assertEquals(keycloak.issuer(), c.issuer());
            assertEquals(aliceId, c.subject(), "sub is alice's user id");
            assertEquals(Keycloak.APP_PKCE, c.claims().get("azp"));
            assertTrue(c.refreshToken().isPresent());
            assertTrue(store.read(p.storeKey()).orElseThrow().contentEquals(c.refreshToken().get()));
            assertEquals(aliceId, events.of(SecurityEventType.TOKEN_ISSUED).get(0).principal());
            String token = c.token().withChars(String::new);
            events.assertNoneContains(token);
            for (String secretParam : new String[] {"state", "nonce", "code_challenge"}) {
                events.assertNoneContains(q.get(secretParam).get(0));
            }
            assertListenerStopped(redirect);

            Credential fresh = p.refresh(c, context(store, events)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(aliceId, fresh.subject());
            assertFalse(fresh.refreshToken().get().contentEquals(c.refreshToken().get()), "rotated");
            assertEquals(1, browser.opened.size(), "a refresh opens no browser");

            // RFC 7009 as a public client: the revoked refresh token no longer works
            p.revoke(fresh).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Keycloak.Response reuse = keycloak.postForm(keycloak.tokenEndpoint(), Map.of("grant_type",
                    "refresh_token", "refresh_token", fresh.refreshToken().get().withChars(String::new), "client_id",
                    Keycloak.APP_PKCE), null, null);
            assertEquals(400, reuse.status(), "the revoked refresh token was refused");

            // The core's own acquire runs the grant again: Chromium still has alice's Keycloak session (SSO).
            RecordingEvents coreEvents = new RecordingEvents();
            Connection db = SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database())
                    .authProvider(p).credentialStore(new MemoryStore()).events(coreEvents)
                    .timeout(Duration.ofSeconds(20)).connect().toCompletableFuture().get(150, TimeUnit.SECONDS);
            try {
                Identity alice = IdentityDerivation.fromClaims(keycloak.issuer(), aliceId);
                assertEquals(alice, db.identity(), "connected as alice");
                db.callReducer("add_person", "alice via authorization code", 32).toCompletableFuture()
                        .get(20, TimeUnit.SECONDS);
            } finally {
                db.close();
            }
            assertEquals(2, browser.opened.size());
            assertFalse(query(browser.opened.get(0)).get("state").equals(query(browser.opened.get(1)).get("state")),
                    "every sign-in has its own state");
        }
    }

    @Test
    void deniedConsentInTheBrowserIsATypedErrorAndNoTokenIsRequested() throws Exception {
        // a copy of app-pkce that asks for consent, so that alice can say no on Keycloak's consent page
        Map<String, Object> rep = Map.of("clientId", "app-pkce-consent", "enabled", true, "protocol",
                "openid-connect", "publicClient", true, "standardFlowEnabled", true, "consentRequired", true,
                "redirectUris", List.of("http://127.0.0.1/*"),
                "attributes", Map.of("pkce.code.challenge.method", "S256"));
        Keycloak.Response created = keycloak.admin("POST", "/clients",
                com.nimbusds.jose.util.JSONObjectUtils.toJSONString(rep));
        assertTrue(created.status() == 201 || created.status() == 409, "HTTP " + created.status());
        List<CompletableFuture<String>> pages = new CopyOnWriteArrayList<>();
        BrowserLauncher denies = uri -> {
            CompletableFuture<String> page = CompletableFuture.supplyAsync(() -> chrome.signIn(uri, null, "alice",
                    ALICE_PASSWORD, false), BROWSER);
            pages.add(page);
            return page.thenApply(text -> null);
        };
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = OAuth2Provider.authorizationCode("app-pkce-consent").id("kc-pkce-consent")
                .issuer(URI.create(keycloak.issuer())).browserTimeout(Duration.ofSeconds(120)).browserLauncher(denies)
                .build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.acquire(context(new MemoryStore(), events)).toCompletableFuture().get(150, TimeUnit.SECONDS));
            OAuth2Exception refused = assertInstanceOf(OAuth2Exception.class, e.getCause());
            assertEquals(ReasonCode.MFA_FAILED, refused.reason(), refused.getMessage());
            assertEquals("access_denied", refused.error());
            assertEquals(0, p.tokenRequests(), "no token request was made");
            String page = pages.get(0).get(60, TimeUnit.SECONDS);
            assertTrue(page.contains("Sign-in not completed"), page);
        }
    }

    @Test
    void aForgedStateIsATypedErrorAndNoTokenIsRequested() throws Exception {
        List<Integer> statuses = new CopyOnWriteArrayList<>();
        List<URI> redirects = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> attack = new CompletableFuture<>();
        BrowserLauncher attacker = authorize -> attack.completeAsync(() -> {
            URI redirect = URI.create(query(authorize).get("redirect_uri").get(0));
            redirects.add(redirect);
            statuses.add(get(URI.create(redirect + "?code=stolen-or-made-up&state=forged-state")));
            // the listener is single use: the genuine answer is too late now
            statuses.add(get(URI.create(redirect + "?code=x&state=" + query(authorize).get("state").get(0))));
            return null;
        }, BROWSER);
        RecordingEvents events = new RecordingEvents();
        try (OAuth2Provider p = appPkce().browserLauncher(attacker).build()) {
            ExecutionException e = assertThrows(ExecutionException.class,
                    () -> p.acquire(context(new MemoryStore(), events)).toCompletableFuture().get(60, TimeUnit.SECONDS));
            OAuth2Exception refused = assertInstanceOf(OAuth2Exception.class, e.getCause());
            assertEquals(ReasonCode.TOKEN_FORGED, refused.reason(), refused.getMessage());
            assertEquals("state_mismatch", refused.error());
            assertFalse(refused.getMessage().contains("forged-state"));
            assertEquals(0, p.tokenRequests(), "no token request was made");
            assertEquals("state_mismatch", events.of(SecurityEventType.AUTH_FAILURE).get(0).details().get("error"));
            attack.get(60, TimeUnit.SECONDS);
            assertListenerStopped(redirects.get(0));
            assertEquals(400, statuses.get(0));
            assertTrue(statuses.size() < 2 || statuses.get(1) != 200, "the listener took a second answer");
        }
    }

    @Test
    void noRedirectWithinTheBrowserTimeoutIsATypedError() throws Exception {
        try (OAuth2Provider p = appPkce().browserTimeout(Duration.ofSeconds(2))
                .browserLauncher(uri -> CompletableFuture.completedFuture(null)).build()) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> p.acquire(
                    context(new MemoryStore(), new RecordingEvents())).toCompletableFuture().get(60, TimeUnit.SECONDS));
            OAuth2Exception refused = assertInstanceOf(OAuth2Exception.class, e.getCause());
            assertEquals(ReasonCode.MFA_FAILED, refused.reason(), refused.getMessage());
            assertEquals("timeout", refused.error());
            assertEquals(0, p.tokenRequests());
        }
    }

    private static int get(URI uri) {
        try {
            return HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1; // the listener has stopped
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** Waits (up to 20 s) until nothing listens on the redirect's port any more. */
    private static void assertListenerStopped(URI redirect) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", redirect.getPort())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the loopback listener on " + redirect.getPort() + " still accepts");
                }
            } catch (ConnectException stopped) {
                return;
            } catch (IOException other) {
                return;
            }
            Thread.sleep(100);
        }
    }
}
