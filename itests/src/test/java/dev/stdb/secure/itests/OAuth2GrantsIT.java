package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.MfaChallenge;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.auth.MfaResponse;
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SubscriptionHandle;
import dev.stdb.secure.itests.AuthAndStoresIT.RecordingSink;
import dev.stdb.secure.protocol.ConnectionId;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * Issue 6 in Felix: the real auth-oauth2 bundle (and its Nimbus bundles, as {@link OAuth2ProviderIT} provisions them)
 * configured through ConfigurationAdmin against a real Keycloak ({@code Keycloak.shared()}) and the sandbox.
 *
 * <ol>
 *   <li>{@code grant = client_credentials} (client {@code svc-secret}, secret through {@code client.secret.env}): the
 *       connection comes up as the service account's identity ({@code Identity::from_claims(iss, sub)}, computed on
 *       the host), a subscription delivers rows, a reducer call succeeds.</li>
 *   <li>Hot swap while connected and subscribed: that provider's configuration is deleted and a {@code grant =
 *       device_code} provider (public client {@code device}) with the same {@code provider.id} is configured, its
 *       {@code mfa.target} selecting an {@link MfaHandler} the test registers in the framework. The live session and
 *       subscription are untouched (same session, no state change, a row from another client arrives, a reducer call
 *       succeeds) and the new provider is asked for nothing. The sandbox fault {@code drop-connections} then forces
 *       the next token: it comes from the device provider (an {@code MFA_CHALLENGE} of kind {@code DEVICE_CODE} to
 *       the handler, which has a real headless Chromium on the host approve it as alice; {@code TOKEN_ISSUED} for
 *       alice with the device grant; {@code AUTH_SUCCESS} for the provider id). Since the server now reports alice's
 *       identity, the core stops the connection as designed ({@code IDENTITY_CHANGED}, was = the service account,
 *       now = alice): a connection never silently becomes another principal.</li>
 *   <li>A new connection selecting the same provider id then comes up as alice (a token for alice from the
 *       device-code provider).</li>
 * </ol>
 *
 * <p>The swap that keeps the principal ({@code clientCredentialsSwappedForAnApiKeyOfTheSameClientKeeps...}): the
 * client-credentials provider for {@code svc-secret} is replaced by auth-apikey in {@code client-credentials} mode
 * whose key, in the connection's encrypted file store (store-file), is {@code svc-secret}'s secret. After the forced
 * reconnect the token comes from auth-apikey, the server reports the same identity, and the connection carries on.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OAuth2GrantsIT extends StdbTestSupport {
    static final String SECRET_ENV = "STDB_ITEST_OAUTH2_SECRET";
    private static final String PROVIDER_ID = "itest-grants";
    private static final String MFA_ID = "itest-chromium";
    private static final String CORE_SOURCE = "dev.stdb.secure.core";
    private static final String OAUTH2_SOURCE = "dev.stdb.secure.auth.oauth2";
    private static final String DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code";
    private static final Duration SLOW = Duration.ofSeconds(120);

    static final String P = "stdb.itest.oauth2.";
    static final String ISSUER = P + "issuer";
    static final String ALICE_ID = P + "alice.id";
    static final String ALICE_IDENTITY = P + "alice.identity";
    static final String SVC_IDENTITY = P + "svc.identity";
    static final String SVC_ID = P + "svc.id";
    static final String APPROVE_URI = P + "approve.uri";
    static final String STORE_DIR = P + "store.dir";
    private static final String SAME_ID = "itest-same";
    private static final String APIKEY_PID = "dev.stdb.secure.auth.apikey";
    private static final String APIKEY_SOURCE = "dev.stdb.secure.auth.apikey";
    private static final String STORE_PID = "dev.stdb.secure.store.file";
    private static final String STORE_ID = "itest-grants-file";
    private static final String KEY_NAME = "itest/svc-secret";

    // ------------------------------------------------------------------ host side

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        Option[] props = OAuth2GrantsHost.setup().entrySet().stream()
                .map(e -> systemProperty(e.getKey()).value(e.getValue())).toArray(Option[]::new);
        Path storeDir = Files.createDirectories(Paths.get("target", "oauth2-grants-store").toAbsolutePath());
        // the second test: auth-apikey, and the encrypted file store that holds its key
        Option[] more = options(
                mavenBundle("org.bouncycastle", "bcprov-jdk18on", Vectors.required("stdb.version.bouncycastle")),
                bundle(Vectors.bundleJar("storefile").toURI().toString()),
                bundle(Vectors.bundleJar("auth.apikey").toURI().toString()),
                systemProperty(STORE_DIR).value(storeDir.toString()));
        return OptionUtils.combine(OptionUtils.combine(new OAuth2ProviderIT().additionalOptions(sandbox), props),
                more);
    }

    // ------------------------------------------------------------------ the test (probe side)

    @Test
    public void clientCredentialsThenHotSwapToDeviceCodeKeepsTheSubscriptionUntilTheNextToken() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        ChromiumApproves browser = new ChromiumApproves(URI.create(System.getProperty(APPROVE_URI)));
        registerService(MfaHandler.class, browser, Map.of("mfa.id", MFA_ID));
        String svc = System.getProperty(SVC_IDENTITY);
        String alice = System.getProperty(ALICE_IDENTITY);
        assertFalse("two principals, two identities", svc.equals(alice));

        // 1. client credentials
        Configuration cc = configureFactory(OAuth2ProviderIT.OAUTH2_PID, clientCredentialsProvider());
        awaitService(AuthProvider.class, "(provider.id=" + PROVIDER_ID + ")", SLOW);
        Map<String, Object> p = connectionProperties("grants");
        p.put("auth.target", "(provider.id=" + PROVIDER_ID + ")");
        configureConnection(p);
        Connection c = awaitService(Connection.class, "(name=grants)", SLOW);
        assertEquals("svc-secret's service account (iss + sub)", svc, c.identity().toHex());
        await("TOKEN_ISSUED by auth-oauth2 (client_credentials, svc-secret), AUTH_SUCCESS", () ->
                sink.any(0, fromOAuth2(SecurityEventType.TOKEN_ISSUED, "svc-secret")
                        .and(e -> "client_credentials".equals(e.details().get("grant"))))
                && sink.any(0, authSuccess()));
        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
        awaitPersonInCache(c, insertPersonOverHttp());
        String first = uniqueName();
        c.callReducer("add_person", first, 40).toCompletableFuture().get(20, TimeUnit.SECONDS);
        awaitPersonInCache(c, first);

        // 2. the swap: delete the client-credentials provider, configure a device-code one with the same id
        ConnectionId session = c.connectionId();
        try (StateChanges states = new StateChanges(c)) {
            List<ConnectionStatus> changes = states.list();
            int mark = sink.size();
            cc.delete();
            await("PROVIDER_UNBOUND of the client-credentials provider", () -> sink.any(mark, providerEvent(
                    SecurityEventType.PROVIDER_UNBOUND)), SLOW);
            configureFactory(OAuth2ProviderIT.OAUTH2_PID, deviceCodeProvider());
            await("PROVIDER_BOUND of the device-code provider", () -> sink.any(mark, providerEvent(
                    SecurityEventType.PROVIDER_BOUND)), SLOW);

            // The live session and its subscription are untouched.
            awaitPersonInCache(c, insertPersonOverHttp());
            String mine = uniqueName();
            c.callReducer("add_person", mine, 41).toCompletableFuture().get(20, TimeUnit.SECONDS);
            awaitPersonInCache(c, mine);
            assertEquals("the same session", session, c.connectionId());
            assertEquals(ConnectionState.CONNECTED, c.status().state());
            assertEquals("state changes while swapping providers", List.of(), changes);
            assertTrue(sub.isActive());
            assertEquals("no token needed yet: nobody was asked to sign in", List.of(), browser.challenges);
            assertFalse("no token needed yet, none issued", sink.any(mark, e -> OAUTH2_SOURCE.equals(e.source())
                    && e.type() == SecurityEventType.TOKEN_ISSUED));

            // The next token: drop the session. The reconnect asks the device-code provider, which shows the code
            // to the bound MfaHandler; Chromium approves it as alice.
            int beforeDrop = sink.size();
            fault("drop-connections");
            await("the device flow approved in Chromium, TOKEN_ISSUED for alice and AUTH_SUCCESS", () ->
                    sink.any(beforeDrop, fromOAuth2(SecurityEventType.MFA_CHALLENGE, "device")
                            .and(e -> "device_code".equals(e.details().get("kind"))))
                    && sink.any(beforeDrop, fromOAuth2(SecurityEventType.TOKEN_ISSUED, "device")
                            .and(e -> DEVICE_GRANT.equals(e.details().get("grant")))
                            .and(e -> System.getProperty(ALICE_ID).equals(e.principal())))
                    && sink.any(beforeDrop, authSuccess()), SLOW);
            assertEquals(1, browser.challenges.size());
            MfaChallenge shown = browser.challenges.get(0);
            assertEquals(MfaChallenge.Kind.DEVICE_CODE, shown.kind());
            assertEquals(PROVIDER_ID, shown.providerId());
            assertTrue(String.valueOf(shown.verificationUri()),
                    shown.verificationUri().toString().startsWith(System.getProperty(ISSUER) + "/"));
            assertNotNull(shown.userCode());
            assertTrue("went through a reconnect: " + changes,
                    changes.stream().anyMatch(s -> s.state() == ConnectionState.RECONNECTING));

            // The server now says alice: the core refuses to become another principal and stops the connection.
            await("IDENTITY_CHANGED from the service account to alice", () -> sink.any(beforeDrop, e ->
                    e.type() == SecurityEventType.IDENTITY_CHANGED && CORE_SOURCE.equals(e.source())
                            && svc.equals(e.details().get("was")) && alice.equals(e.details().get("now"))), SLOW);
            awaitState(c, ConnectionState.CLOSED);
            assertTrue(String.valueOf(c.status()), c.status().reason().contains("after a reconnect"));
            await("the Connection service to go", () -> references(Connection.class, "(name=grants)").isEmpty());
            assertFalse("the subscription ended with the connection", sub.isActive());
        }

        // 3. A new connection selecting the same provider id comes up as alice.
        int beforeAlice = sink.size();
        Map<String, Object> q = connectionProperties("grants-alice");
        q.put("auth.target", "(provider.id=" + PROVIDER_ID + ")");
        configureConnection(q);
        Connection a = awaitService(Connection.class, "(name=grants-alice)", SLOW);
        assertEquals("alice (iss + sub of the device-code token)", alice, a.identity().toHex());
        assertTrue("a token for alice from the device-code provider", sink.any(beforeAlice, e ->
                (fromOAuth2(SecurityEventType.TOKEN_ISSUED, "device").test(e)
                        || fromOAuth2(SecurityEventType.TOKEN_REFRESHED, "device").test(e))
                && System.getProperty(ALICE_ID).equals(e.principal())));
        String hers = uniqueName();
        a.callReducer("add_person", hers, 31).toCompletableFuture().get(20, TimeUnit.SECONDS);
        SubscriptionHandle herSub = a.subscribe("SELECT * FROM person");
        herSub.applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
        awaitPersonInCache(a, hers);

        sink.assertNoEventContains(System.getenv(SECRET_ENV));
        for (MfaChallenge m : browser.challenges) {
            sink.assertNoEventContains(m.userCode());
        }
    }


    /**
     * The swap that keeps the principal: an oauth2 {@code client_credentials} provider for client {@code svc-secret}
     * is replaced, while connected and subscribed, by an auth-apikey provider in {@code client-credentials} mode with
     * the same {@code provider.id} whose key (in the connection's encrypted file store) is that same client's secret.
     * The session and subscription survive the swap; the forced reconnect takes its token from auth-apikey (its
     * {@code TOKEN_ISSUED} for the service account, none from auth-oauth2, whose service is gone), the server reports
     * the same identity, so the connection resumes, its subscription delivers again, and no {@code IDENTITY_CHANGED}
     * stop happens.
     */
    @Test
    public void clientCredentialsSwappedForAnApiKeyOfTheSameClientKeepsTheIdentityAcrossAReconnect() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        String svc = System.getProperty(SVC_IDENTITY);
        CredentialStore store = fileStore();
        try (Secret key = Secret.ofString(System.getenv(SECRET_ENV))) {
            store.write(KEY_NAME, key);
        }

        // 1. oauth2 client credentials, svc-secret
        Map<String, Object> ccConfig = clientCredentialsProvider();
        ccConfig.put("provider.id", SAME_ID);
        Configuration cc = configureFactory(OAuth2ProviderIT.OAUTH2_PID, ccConfig);
        awaitService(AuthProvider.class, "(provider.id=" + SAME_ID + ")", SLOW);
        Map<String, Object> p = connectionProperties("same");
        p.put("auth.target", "(provider.id=" + SAME_ID + ")");
        p.put("store.target", "(store.id=" + STORE_ID + ")");
        configureConnection(p);
        Connection c = awaitService(Connection.class, "(name=same)", SLOW);
        assertEquals("svc-secret's service account", svc, c.identity().toHex());
        await("TOKEN_ISSUED by auth-oauth2 (client_credentials, svc-secret), AUTH_SUCCESS", () ->
                sink.any(0, e -> e.type() == SecurityEventType.TOKEN_ISSUED && OAUTH2_SOURCE.equals(e.source())
                        && SAME_ID.equals(e.details().get("provider"))
                        && "svc-secret".equals(e.details().get("client_id")))
                && sink.any(0, authSuccess(SAME_ID)));
        assertFalse("auth-apikey has issued nothing yet", sink.any(0, e -> APIKEY_SOURCE.equals(e.source())));
        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
        awaitPersonInCache(c, insertPersonOverHttp());

        ConnectionId session = c.connectionId();
        try (StateChanges states = new StateChanges(c)) {
            List<ConnectionStatus> changes = states.list();
            // 2. the swap: the oauth2 provider goes, an apikey provider with the same id and client comes
            int mark = sink.size();
            cc.delete();
            await("PROVIDER_UNBOUND of the oauth2 provider", () -> sink.any(mark, providerEvent(
                    SecurityEventType.PROVIDER_UNBOUND, SAME_ID)), SLOW);
            configureFactory(APIKEY_PID, apiKeyProvider());
            await("PROVIDER_BOUND of the apikey provider", () -> sink.any(mark, providerEvent(
                    SecurityEventType.PROVIDER_BOUND, SAME_ID)), SLOW);
            List<org.osgi.framework.ServiceReference<AuthProvider>> providers =
                    references(AuthProvider.class, "(provider.id=" + SAME_ID + ")");
            assertEquals("one provider with the id", 1, providers.size());
            assertEquals("it is auth-apikey's", "dev.stdb.secure.auth.apikey",
                    providers.get(0).getBundle().getSymbolicName());

            // The live session and its subscription are untouched.
            awaitPersonInCache(c, insertPersonOverHttp());
            assertEquals("the same session", session, c.connectionId());
            assertEquals("state changes while swapping providers", List.of(), changes);
            assertTrue(sub.isActive());
            assertFalse("no token needed yet, none issued", sink.any(mark, e ->
                    e.type() == SecurityEventType.TOKEN_ISSUED || e.type() == SecurityEventType.TOKEN_REFRESHED));

            // 3. the next token: drop the session; the reconnect asks auth-apikey, which trades the stored key.
            int beforeDrop = sink.size();
            fault("drop-connections");
            await("a new session after the drop, with a token from auth-apikey", () ->
                    c.status().state() == ConnectionState.CONNECTED
                    && !session.equals(c.connectionId()), SLOW);
            assertTrue("went through a reconnect: " + changes,
                    changes.stream().anyMatch(s -> s.state() == ConnectionState.RECONNECTING));
            await("TOKEN_ISSUED by auth-apikey (client-credentials, the stored key) for svc-secret's service account,"
                    + " then AUTH_SUCCESS", () -> sink.any(beforeDrop, e -> e.type() == SecurityEventType.TOKEN_ISSUED
                            && APIKEY_SOURCE.equals(e.source()) && SAME_ID.equals(e.details().get("provider"))
                            && "client-credentials".equals(e.details().get("mode"))
                            && KEY_NAME.equals(e.details().get("key"))
                            && System.getProperty(SVC_ID).equals(e.principal()))
                    && sink.any(beforeDrop, authSuccess(SAME_ID)), SLOW);
            assertFalse("auth-oauth2 issued nothing after the swap", sink.any(mark, e ->
                    OAUTH2_SOURCE.equals(e.source()) && (e.type() == SecurityEventType.TOKEN_ISSUED
                            || e.type() == SecurityEventType.TOKEN_REFRESHED)));
            assertEquals("the same identity: the key is the same client's secret", svc, c.identity().toHex());

            // The connection resumed: the same service, its subscription delivers again, reducers work.
            assertSame("the same Connection service", c, awaitService(Connection.class, "(name=same)", SLOW));
            assertTrue(sub.isActive());
            awaitPersonInCache(c, insertPersonOverHttp());
            String after = uniqueName();
            c.callReducer("add_person", after, 42).toCompletableFuture().get(20, TimeUnit.SECONDS);
            awaitPersonInCache(c, after);
            assertEquals(ConnectionState.CONNECTED, c.status().state());
            assertFalse("no IDENTITY_CHANGED", sink.any(0, e -> e.type() == SecurityEventType.IDENTITY_CHANGED));
            assertFalse("never closed: " + changes, changes.stream().anyMatch(s -> s.state() == ConnectionState.CLOSED));
        }
        sink.assertNoEventContains(System.getenv(SECRET_ENV));
    }

    // ------------------------------------------------------------------ helpers (probe side)

    /**
     * The MfaHandler of the device-code provider: each DEVICE_CODE challenge goes to the host's approve endpoint
     * ({@link OAuth2GrantsHost}), where headless Chromium enters the code and signs in as alice; the stage completes
     * with {@code approve} once Keycloak has shown its result page (the provider's polling picks the token up).
     */
    static final class ChromiumApproves implements MfaHandler {
        final List<MfaChallenge> challenges = new CopyOnWriteArrayList<>();
        private final URI approve;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        ChromiumApproves(URI approve) {
            this.approve = approve;
        }

        @Override
        public CompletionStage<MfaResponse> answer(MfaChallenge challenge) {
            challenges.add(challenge);
            if (challenge.kind() != MfaChallenge.Kind.DEVICE_CODE) {
                return CompletableFuture.completedFuture(MfaResponse.deny());
            }
            HttpRequest request = HttpRequest.newBuilder(approve).timeout(Duration.ofSeconds(180))
                    .POST(HttpRequest.BodyPublishers.ofString(challenge.verificationUri() + "\n"
                            + challenge.userCode())).build();
            return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
                if (r.statusCode() != 200) {
                    throw new IllegalStateException("Chromium did not approve the device code: " + r.body());
                }
                return MfaResponse.approve();
            });
        }
    }

    private static Map<String, Object> clientCredentialsProvider() {
        Map<String, Object> m = new HashMap<>();
        m.put("provider.id", PROVIDER_ID);
        m.put("issuer", System.getProperty(ISSUER));
        m.put("grant", "client_credentials");
        m.put("client.id", "svc-secret");
        m.put("client.auth", "client_secret_basic");
        m.put("client.secret.env", SECRET_ENV);
        m.put("connect.timeout.ms", 10000);
        m.put("read.timeout.ms", 30000);
        return m;
    }

    private static Map<String, Object> deviceCodeProvider() {
        Map<String, Object> m = new HashMap<>();
        m.put("provider.id", PROVIDER_ID);
        m.put("issuer", System.getProperty(ISSUER));
        m.put("grant", "device_code");
        m.put("client.id", "device");
        m.put("mfa.target", "(mfa.id=" + MFA_ID + ")");
        m.put("connect.timeout.ms", 10000);
        m.put("read.timeout.ms", 30000);
        return m;
    }

    private static Predicate<SecurityEvent> fromOAuth2(SecurityEventType type, String clientId) {
        return e -> e.type() == type && OAUTH2_SOURCE.equals(e.source())
                && PROVIDER_ID.equals(e.details().get("provider")) && clientId.equals(e.details().get("client_id"));
    }

    private static Predicate<SecurityEvent> authSuccess() {
        return e -> e.type() == SecurityEventType.AUTH_SUCCESS && CORE_SOURCE.equals(e.source())
                && PROVIDER_ID.equals(e.details().get("provider"));
    }

    private static Predicate<SecurityEvent> providerEvent(SecurityEventType type) {
        return e -> e.type() == type && "auth".equals(e.details().get("kind"))
                && PROVIDER_ID.equals(e.details().get("id"));
    }


    /** The encrypted file store (passphrase from failsafe's environment) that holds the API key. */
    private CredentialStore fileStore() throws Exception {
        Map<String, Object> s = new HashMap<>();
        s.put("store.id", STORE_ID);
        s.put("path", Paths.get(System.getProperty(STORE_DIR), STORE_ID + "-" + UUID.randomUUID()).toString());
        s.put("passphrase.env", "STDB_ITEST_STORE_PASSPHRASE");
        s.put("argon2.memory.kib", 1024);
        s.put("argon2.iterations", 1);
        configureFactory(STORE_PID, s);
        return awaitService(CredentialStore.class, "(store.id=" + STORE_ID + ")", SLOW);
    }

    /** auth-apikey, client-credentials mode: the stored key is svc-secret's secret, at Keycloak's token endpoint. */
    private static Map<String, Object> apiKeyProvider() {
        Map<String, Object> a = new HashMap<>();
        a.put("provider.id", SAME_ID);
        a.put("key.name", KEY_NAME);
        a.put("mode", "client-credentials");
        a.put("token.endpoint", System.getProperty(ISSUER) + "/protocol/openid-connect/token");
        a.put("client.id", "svc-secret");
        a.put("timeout.seconds", 30);
        return a;
    }

    private static Predicate<SecurityEvent> authSuccess(String provider) {
        return e -> e.type() == SecurityEventType.AUTH_SUCCESS && CORE_SOURCE.equals(e.source())
                && provider.equals(e.details().get("provider"));
    }

    private static Predicate<SecurityEvent> providerEvent(SecurityEventType type, String id) {
        return e -> e.type() == type && "auth".equals(e.details().get("kind")) && id.equals(e.details().get("id"));
    }

}
