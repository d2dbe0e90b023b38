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
import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.SubscriptionHandle;
import dev.stdb.secure.protocol.ConnectionId;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.service.cm.Configuration;

/**
 * The real auth and store bundles in Felix, configured through ConfigurationAdmin, against the sandbox and a real
 * Keycloak ({@code Keycloak.shared()}, in the test JVM):
 *
 * <ul>
 *   <li>store-pkcs11 on a SoftHSM2 token (made by {@code SoftHsm} on the host before the framework starts; failsafe
 *       sets {@code SOFTHSM2_CONF}) is the connection's {@code CredentialStore} ({@code store.target}) and holds an API
 *       key, a Keycloak confidential client's secret; auth-apikey in {@code client-credentials} mode reads it, and the
 *       connection comes up as that client's service account;</li>
 *   <li>auth-jwt reads an access token of another client from {@code token.file} and validates it against Keycloak's
 *       discovery and JWKS; the connection comes up as that client's service account;</li>
 *   <li>hot swap: the jwt provider's configuration is deleted while a subscribed connection is up and an apikey
 *       provider with the same {@code provider.id} is configured. The core supports exactly this (dynamic greedy
 *       references); changing the connection's {@code auth.target} instead would re-activate the component (it has no
 *       {@code @Modified}) and so drop the session. The live session and subscription stay; the next token, forced by
 *       the sandbox fault {@code drop-connections}, comes from auth-apikey.</li>
 * </ul>
 *
 * <p>The expected identities are SpacetimeDB's {@code Identity::from_claims(iss, sub)} of the clients' service
 * accounts (their user ids in Keycloak), computed on the host ({@link AuthAndStoresHost}). Security events reach an
 * {@link AuditSink} registered in the framework.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class AuthAndStoresIT extends StdbTestSupport {
    static final String APIKEY_PID = "dev.stdb.secure.auth.apikey";
    static final String JWT_PID = "dev.stdb.secure.auth.jwt";
    static final String PKCS11_PID = "dev.stdb.secure.store.pkcs11";
    static final String TOKEN_LABEL = "stdb-itest";
    private static final String STORE_ID = "itest-hsm";
    static final String AUDIENCE = "spacetimedb";
    private static final String APIKEY_SOURCE = "dev.stdb.secure.auth.apikey";
    private static final String CORE_SOURCE = "dev.stdb.secure.core";
    private static final Duration SLOW = Duration.ofSeconds(90);

    static final String P = "stdb.itest.auth.";
    static final String ISSUER = P + "issuer";
    static final String TOKEN_ENDPOINT = P + "token.endpoint";
    static final String APIKEY_CLIENT = P + "apikey.client";
    static final String APIKEY_SECRET = P + "apikey.secret";
    static final String APIKEY_IDENTITY = P + "apikey.identity";
    static final String JWT_CLIENT = P + "jwt.client";
    static final String JWT_SECRET = P + "jwt.secret";
    static final String JWT_IDENTITY = P + "jwt.identity";
    static final String PIN_FILE = P + "pin.file";
    static final String LIBRARY = P + "pkcs11.library";
    static final String WORK_DIR = P + "work";

    // ------------------------------------------------------------------ host side

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        Map<String, String> s = AuthAndStoresHost.setup();
        Option[] props = s.entrySet().stream().map(e -> systemProperty(e.getKey()).value(e.getValue()))
                .toArray(Option[]::new);
        Option[] bundles = options(
                mavenBundle("com.nimbusds", "nimbus-jose-jwt", Vectors.required("stdb.version.nimbus.jose")),
                bundle(Vectors.bundleJar("auth.jwt").toURI().toString()),
                bundle(Vectors.bundleJar("auth.apikey").toURI().toString()),
                bundle(Vectors.bundleJar("store.pkcs11").toURI().toString()));
        return org.ops4j.pax.exam.OptionUtils.combine(bundles, props);
    }

    // ------------------------------------------------------------------ 1

    /** API key in the HSM store, exchanged at Keycloak by auth-apikey: the connection is the client's service account. */
    @Test
    public void apiKeyFromTheHsmStoreConnectsAsTheClientsServiceAccount() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        CredentialStore hsm = hsmStore();
        assertEquals(Protection.HARDWARE, hsm.protection());
        try (Secret key = Secret.ofString(System.getProperty(APIKEY_SECRET))) {
            hsm.write("itest/apikey", key);
        }
        configureFactory(APIKEY_PID, apiKeyProvider("itest-apikey", "itest/apikey", System.getProperty(APIKEY_CLIENT)));
        awaitService(AuthProvider.class, "(provider.id=itest-apikey)", SLOW);

        Map<String, Object> p = connectionProperties("hsm-apikey");
        p.put("auth.target", "(provider.id=itest-apikey)");
        p.put("store.target", "(store.id=" + STORE_ID + ")");
        configureConnection(p);
        Connection c = awaitService(Connection.class, "(name=hsm-apikey)", SLOW);
        assertEquals("the apikey client's service account", System.getProperty(APIKEY_IDENTITY), c.identity().toHex());
        assertSubscriptionAndReducersWork(c);

        await("TOKEN_ISSUED by auth-apikey (client-credentials) and AUTH_SUCCESS at the audit sink", () ->
                sink.any(0, e -> e.type() == SecurityEventType.TOKEN_ISSUED && APIKEY_SOURCE.equals(e.source())
                        && "client-credentials".equals(e.details().get("mode"))
                        && "itest/apikey".equals(e.details().get("key")))
                && sink.any(0, authSuccess("itest-apikey")));
        assertTrue("CONNECTED event: " + sink.types(), sink.types().contains(SecurityEventType.CONNECTED));
        sink.assertNoEventContains(System.getProperty(APIKEY_SECRET));
    }

    // ------------------------------------------------------------------ 2

    /** A Keycloak access token in token.file, validated by auth-jwt against Keycloak's JWKS. */
    @Test
    public void jwtFromATokenFileConnectsAsTheOtherClientsServiceAccount() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        Path tokenFile = tokenFile(System.getProperty(JWT_CLIENT), System.getProperty(JWT_SECRET));
        configureFactory(JWT_PID, jwtProvider("itest-jwt", tokenFile));
        awaitService(AuthProvider.class, "(provider.id=itest-jwt)", SLOW);

        Map<String, Object> p = connectionProperties("jwt-file");
        p.put("auth.target", "(provider.id=itest-jwt)");
        configureConnection(p);
        Connection c = awaitService(Connection.class, "(name=jwt-file)", SLOW);
        assertEquals("the jwt client's service account", System.getProperty(JWT_IDENTITY), c.identity().toHex());
        assertFalse("two clients, two identities",
                System.getProperty(JWT_IDENTITY).equals(System.getProperty(APIKEY_IDENTITY)));
        assertSubscriptionAndReducersWork(c);
        await("AUTH_SUCCESS from itest-jwt", () -> sink.any(0, authSuccess("itest-jwt")));
    }

    // ------------------------------------------------------------------ 3

    /**
     * Hot swap of the auth provider while connected and subscribed: delete the jwt provider's configuration, configure
     * an apikey provider with the same {@code provider.id}. The key in the HSM store is the secret of the client whose
     * token the jwt provider served, so the identity stays (a reconnect as another identity would stop the connection
     * with {@code connection.identity_changed}); the events show that the new token came from auth-apikey.
     */
    @Test
    public void authProviderSwappedWhileSubscribedServesTheNextToken() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        String client = System.getProperty(JWT_CLIENT);
        CredentialStore hsm = hsmStore();
        try (Secret key = Secret.ofString(System.getProperty(JWT_SECRET))) {
            hsm.write("itest/swap", key);
        }
        Path tokenFile = tokenFile(client, System.getProperty(JWT_SECRET));
        Configuration jwt = configureFactory(JWT_PID, jwtProvider("itest-swap", tokenFile));
        awaitService(AuthProvider.class, "(provider.id=itest-swap)", SLOW);

        Map<String, Object> p = connectionProperties("swap");
        p.put("auth.target", "(provider.id=itest-swap)");
        p.put("store.target", "(store.id=" + STORE_ID + ")");
        configureConnection(p);
        Connection c = awaitService(Connection.class, "(name=swap)", SLOW);
        String identity = System.getProperty(JWT_IDENTITY);
        assertEquals(identity, c.identity().toHex());
        await("AUTH_SUCCESS from the jwt provider", () -> sink.any(0, authSuccess("itest-swap")));
        assertFalse("auth-apikey has issued nothing yet", sink.any(0, fromApiKey()));

        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
        ConnectionId session = c.connectionId();
        try (StateChanges states = new StateChanges(c)) {
            List<ConnectionStatus> changes = states.list();
            // The swap: the jwt provider goes (its token file too), an apikey provider with the same id comes.
            int mark = sink.size();
            jwt.delete();
            Files.delete(tokenFile);
            await("PROVIDER_UNBOUND of the jwt provider", () -> sink.any(mark, e ->
                    e.type() == SecurityEventType.PROVIDER_UNBOUND && "auth".equals(e.details().get("kind"))
                            && "itest-swap".equals(e.details().get("id"))), SLOW);
            configureFactory(APIKEY_PID, apiKeyProvider("itest-swap", "itest/swap", client));
            await("PROVIDER_BOUND of the apikey provider", () -> sink.any(mark, e ->
                    e.type() == SecurityEventType.PROVIDER_BOUND && "auth".equals(e.details().get("kind"))
                            && "itest-swap".equals(e.details().get("id"))), SLOW);

            // The live session and its subscription are untouched.
            awaitPersonInCache(c, insertPersonOverHttp());
            String mine = uniqueName();
            c.callReducer("add_person", mine, 41).toCompletableFuture().get(20, TimeUnit.SECONDS);
            awaitPersonInCache(c, mine);
            assertEquals("the same session", session, c.connectionId());
            assertEquals(ConnectionState.CONNECTED, c.status().state());
            assertEquals("state changes while swapping providers", List.of(), changes);
            assertTrue(sub.isActive());
            assertFalse("no token needed yet, none issued", sink.any(mark, fromApiKey()));

            // The next token: drop the session; the reconnect takes its token from auth-apikey (key from the HSM).
            int beforeDrop = sink.size();
            fault("drop-connections");
            await("a new session (now " + c.status() + ")", () -> c.status().state() == ConnectionState.CONNECTED
                    && !session.equals(c.connectionId()), SLOW);
            assertEquals("the same identity: the key is the same client's secret", identity, c.identity().toHex());
            assertTrue("went through a reconnect: " + changes,
                    changes.stream().anyMatch(s -> s.state() == ConnectionState.RECONNECTING));
            await("TOKEN_ISSUED by auth-apikey with the key from the HSM store, then AUTH_SUCCESS", () ->
                    sink.any(beforeDrop, e -> fromApiKey().test(e) && e.type() == SecurityEventType.TOKEN_ISSUED
                            && "itest/swap".equals(e.details().get("key")))
                    && sink.any(beforeDrop, authSuccess("itest-swap")));
            assertSame("the same Connection service", c, awaitConnection("swap"));
            awaitPersonInCache(c, insertPersonOverHttp());
            String after = uniqueName();
            c.callReducer("add_person", after, 42).toCompletableFuture().get(20, TimeUnit.SECONDS);
            awaitPersonInCache(c, after);
            assertTrue(sub.isActive());
        }
        sink.assertNoEventContains(System.getProperty(JWT_SECRET));
    }

    // ------------------------------------------------------------------ helpers (probe side)

    /** Configures the PKCS#11 store on the SoftHSM2 token and returns its service once registered. */
    private CredentialStore hsmStore() throws Exception {
        Map<String, Object> s = new HashMap<>();
        s.put("store.id", STORE_ID);
        s.put("library", System.getProperty(LIBRARY));
        s.put("token.label", TOKEN_LABEL);
        s.put("pin.file", System.getProperty(PIN_FILE));
        s.put("data.dir", Paths.get(System.getProperty(WORK_DIR)).resolve("hsm-data").toString());
        configureFactory(PKCS11_PID, s);
        return awaitService(CredentialStore.class, "(store.id=" + STORE_ID + ")", SLOW);
    }

    private static Map<String, Object> apiKeyProvider(String id, String keyName, String clientId) {
        Map<String, Object> a = new HashMap<>();
        a.put("provider.id", id);
        a.put("key.name", keyName);
        a.put("mode", "client-credentials");
        a.put("token.endpoint", System.getProperty(TOKEN_ENDPOINT));
        a.put("client.id", clientId);
        a.put("timeout.seconds", 30);
        return a;
    }

    private static Map<String, Object> jwtProvider(String id, Path tokenFile) {
        Map<String, Object> j = new HashMap<>();
        j.put("provider.id", id);
        j.put("token.file", tokenFile.toString());
        j.put("issuer", System.getProperty(ISSUER));
        j.put("audience", new String[] {AUDIENCE});
        return j;
    }

    /** Client credentials at Keycloak (plain JDK HTTP); writes the access token to an owner-only file. */
    private static Path tokenFile(String clientId, String secret) throws Exception {
        String basic = Base64.getEncoder().encodeToString((URLEncoder.encode(clientId, StandardCharsets.UTF_8) + ":"
                + URLEncoder.encode(secret, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(System.getProperty(TOKEN_ENDPOINT))).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("token endpoint: " + r.body(), 200, r.statusCode());
        Matcher m = Pattern.compile("\"access_token\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
        assertTrue("no access_token in the answer", m.find());
        Path file = Files.createTempFile(Paths.get(System.getProperty(WORK_DIR)), "jwt-", ".token",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, m.group(1));
        return file;
    }

    private void assertSubscriptionAndReducersWork(Connection c) throws Exception {
        assertNotNull("identity", c.identity());
        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertTrue(sub.isActive());
        String mine = uniqueName();
        c.callReducer("add_person", mine, 36).toCompletableFuture().get(20, TimeUnit.SECONDS);
        awaitPersonInCache(c, mine);
        awaitPersonInCache(c, insertPersonOverHttp());
    }

    private static Predicate<SecurityEvent> authSuccess(String provider) {
        return e -> e.type() == SecurityEventType.AUTH_SUCCESS && CORE_SOURCE.equals(e.source())
                && provider.equals(e.details().get("provider"));
    }

    private static Predicate<SecurityEvent> fromApiKey() {
        return e -> APIKEY_SOURCE.equals(e.source());
    }

    /** Records every security event the connections publish. */
    static final class RecordingSink implements AuditSink {
        private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void publish(SecurityEvent event) {
            events.add(event);
        }

        int size() {
            return events.size();
        }

        boolean any(int from, Predicate<SecurityEvent> p) {
            return events.subList(from, events.size()).stream().anyMatch(p);
        }

        List<SecurityEventType> types() {
            return events.stream().map(SecurityEvent::type).toList();
        }

        /** No event (any field, any detail) contains {@code secret}. */
        void assertNoEventContains(String secret) {
            for (SecurityEvent e : events) {
                assertFalse("a security event carries a secret: " + e.type(), e.toString().contains(secret));
            }
        }
    }
}
