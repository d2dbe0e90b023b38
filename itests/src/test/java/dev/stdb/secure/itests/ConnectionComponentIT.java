package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
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
import dev.stdb.secure.itests.provider.TestAuthProvider;
import dev.stdb.secure.itests.provider.TestAuthProviderActivator;
import dev.stdb.secure.protocol.ConnectionId;

import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;

/**
 * The core's DS connection component in Felix, against the sandbox running outside the framework: configured
 * through ConfigAdmin, providers swapped at runtime (test bundles built with TinyBundles), waiting for a missing
 * provider, and audit sinks that fail without losing events.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ConnectionComponentIT extends StdbTestSupport {
    private static final String PROVIDER_A = "stdb.test.provider.a";
    private static final String PROVIDER_B = "stdb.test.provider.b";
    private static final String IDENTITY = "stdb.test.identity";
    private static final String AUTH_TARGET = "(provider.id=test)";

    /**
     * Host side: mints one identity and builds two provider bundles, A and B, that both hand out its token; their
     * locations and the identity reach the probe as system properties.
     */
    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        Map<String, String> minted = mintIdentity(sandbox);
        Path dir = Files.createDirectories(Paths.get("target", "test-bundles"));
        return options(
                systemProperty(IDENTITY).value(minted.get("identity")),
                systemProperty(PROVIDER_A).value(providerBundle(dir, "A", minted.get("token"))),
                systemProperty(PROVIDER_B).value(providerBundle(dir, "B", minted.get("token"))));
    }

    private static String providerBundle(Path dir, String label, String token) throws Exception {
        Path jar = dir.resolve("test-auth-provider-" + label + ".jar");
        try (InputStream in = TinyBundles.bundle()
                .addClass(TestAuthProviderActivator.class, InnerClassStrategy.NONE)
                .addClass(TestAuthProvider.class, InnerClassStrategy.NONE)
                .activator(TestAuthProviderActivator.class)
                .setHeader(Constants.BUNDLE_MANIFESTVERSION, "2")
                .setHeader(Constants.BUNDLE_SYMBOLICNAME, "dev.stdb.secure.itests.provider." + label)
                .setHeader(Constants.BUNDLE_VERSION, "1.0.0")
                .setHeader(Constants.IMPORT_PACKAGE, "org.osgi.framework,dev.stdb.secure.api,dev.stdb.secure.api.auth")
                .setHeader(TestAuthProviderActivator.LABEL_HEADER, label)
                .setHeader(TestAuthProviderActivator.TOKEN_HEADER, token)
                .build(TinyBundles.rawBuilder())) {
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar.toUri().toString();
    }

    // ------------------------------------------------------------------ 1

    @Test
    public void anonymousConnectionFromConfigurationServesSubscriptions() throws Exception {
        // No store.target configured: any credential store binds, and the minted anonymous token is kept there.
        TestStore store = new TestStore();
        registerService(CredentialStore.class, store, Map.of(CredentialStore.STORE_ID, "itest"));
        configureConnection(connectionProperties("anon"));
        Connection c = awaitConnection("anon");
        assertEquals(ConnectionState.CONNECTED, c.status().state());
        assertNotNull("identity", c.identity());
        await("the anonymous token in the bound store", () -> store.entries.keySet().stream()
                .anyMatch(k -> k.endsWith("/" + DATABASE + "/token")));

        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertTrue(sub.isActive());

        String name = insertPerson();
        awaitPersonInCache(c, name);
    }

    // ------------------------------------------------------------------ 2

    @Test
    public void authProvidersAreSwappedWhileSubscribed() throws Exception {
        Bundle a = installBundle(System.getProperty(PROVIDER_A));
        configureConnection(authenticated("swap"));
        Connection c = awaitConnection("swap");
        awaitState(c, ConnectionState.CONNECTED);
        assertEquals("identity of the minted token", System.getProperty(IDENTITY), c.identity().toHex());
        assertEquals("A acquired", 1, acquireCount("A"));

        SubscriptionHandle sub = c.subscribe("SELECT * FROM person");
        sub.applied().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ConnectionId session = c.connectionId();
        try (StateChanges states = new StateChanges(c)) {
            List<ConnectionStatus> changes = states.list();
            // Swap the providers: the live session is not touched.
            a.uninstall();
            installBundle(System.getProperty(PROVIDER_B));
            assertEquals("B not used yet", 0, acquireCount("B"));
            awaitPersonInCache(c, insertPerson());
            assertEquals("state changes while swapping providers", List.of(), changes);
            assertEquals(session, c.connectionId());
            assertEquals(ConnectionState.CONNECTED, c.status().state());

            // Drop the session: the reconnect uses B, as the same identity, and the subscription is replayed.
            fault("drop-connections");
            await("a new session", () -> c.status().state() == ConnectionState.CONNECTED
                    && !session.equals(c.connectionId()));
            assertEquals("B acquired on reconnect", 1, acquireCount("B"));
            assertEquals(System.getProperty(IDENTITY), c.identity().toHex());
            assertTrue("went through a reconnect: " + changes,
                    changes.stream().anyMatch(s -> s.state() == ConnectionState.RECONNECTING));
            assertSame("the same Connection service", c, awaitConnection("swap"));
            awaitPersonInCache(c, insertPerson());
        }
    }

    // ------------------------------------------------------------------ 3

    @Test
    public void uninstallingTheOnlyProviderWaitsForAnother() throws Exception {
        RecordingSink sink = new RecordingSink(0);
        registerService(AuditSink.class, sink, null);
        Bundle a = installBundle(System.getProperty(PROVIDER_A));
        configureConnection(authenticated("waiting"));
        Connection c = awaitConnection("waiting");
        awaitState(c, ConnectionState.CONNECTED);
        await("CONNECTED event", () -> sink.types().contains(SecurityEventType.CONNECTED));

        assertFalse("no provider was missing at activation: " + sink.types(),
                sink.types().contains(SecurityEventType.PROVIDER_MISSING));
        a.uninstall();
        assertEquals("the live session survives its provider", ConnectionState.CONNECTED, c.status().state());
        int mark = sink.accepted.size();
        fault("drop-connections");
        awaitState(c, ConnectionState.WAITING_FOR_PROVIDER);
        await("PROVIDER_MISSING event", () -> {
            List<SecurityEventType> types = sink.types();
            return types.subList(mark, types.size()).contains(SecurityEventType.PROVIDER_MISSING);
        });

        Bundle b = installBundle(System.getProperty(PROVIDER_B));
        awaitState(c, ConnectionState.CONNECTED);
        assertEquals(System.getProperty(IDENTITY), c.identity().toHex());
        assertEquals("B acquired; events " + sink.types(), 1, acquireCount(b));
    }

    // ------------------------------------------------------------------ 4

    @Test
    public void aFailingAuditSinkLosesNoEvents() throws Exception {
        RecordingSink reliable = new RecordingSink(0);
        RecordingSink failing = new RecordingSink(3);
        registerService(AuditSink.class, reliable, null);
        registerService(AuditSink.class, failing, null);
        configureConnection(connectionProperties("audited"));
        Connection c = awaitConnection("audited");
        ConnectionId first = c.connectionId();
        fault("drop-connections");
        await("reconnected", () -> c.status().state() == ConnectionState.CONNECTED && !first.equals(c.connectionId()));
        await("the reliable sink has both CONNECTED events",
                () -> reliable.types().stream().filter(t -> t == SecurityEventType.CONNECTED).count() == 2);

        await("the failing sink to catch up", () -> failing.ids().equals(reliable.ids()));
        assertEquals("refused publish calls", 3, failing.refused.get());
        List<SecurityEventType> types = reliable.types();
        for (SecurityEventType t : List.of(SecurityEventType.CONNECTED, SecurityEventType.DISCONNECTED,
                SecurityEventType.RECONNECTING, SecurityEventType.AUDIT_FAILURE)) {
            assertTrue(t + " in " + types, types.contains(t));
        }
        assertEquals("no event twice: " + types, reliable.ids().size(), reliable.ids().stream().distinct().count());
    }

    // ------------------------------------------------------------------ helpers

    private Map<String, Object> authenticated(String name) {
        Map<String, Object> p = connectionProperties(name);
        p.put("auth.target", AUTH_TARGET);
        return p;
    }

    /** How often the provider bundle labelled {@code label} was asked for a credential (0 if it is not there). */
    /** The acquire count of the provider this very bundle registered (not another test's bundle with the same label). */
    private static int acquireCount(Bundle bundle) {
        ServiceReference<?>[] registered = bundle.getRegisteredServices();
        if (registered == null) {
            return 0;
        }
        for (ServiceReference<?> ref : registered) {
            Object count = ref.getProperty("acquire.count");
            if (count instanceof Integer n) {
                return n;
            }
        }
        return 0;
    }

    private int acquireCount(String label) {
        List<ServiceReference<AuthProvider>> refs = references(AuthProvider.class, "(provider.label=" + label + ")");
        return refs.isEmpty() ? 0 : (Integer) refs.get(0).getProperty("acquire.count");
    }

    /** Inserts a person with a unique name over HTTP; returns the name. */
    private String insertPerson() {
        String name = "Ada-" + UUID.randomUUID().toString().substring(0, 8);
        callReducer("add_person", "[\"" + name + "\", 36]");
        return name;
    }

    /** A credential store in memory. */
    static final class TestStore implements CredentialStore {
        final Map<String, String> entries = new ConcurrentHashMap<>();

        @Override
        public String id() {
            return "itest";
        }

        @Override
        public Protection protection() {
            return Protection.MEMORY;
        }

        @Override
        public Optional<Secret> read(String key) {
            return Optional.ofNullable(entries.get(key)).map(Secret::ofString);
        }

        @Override
        public void write(String key, Secret value) {
            entries.put(key, value.withChars(String::new));
        }

        @Override
        public boolean delete(String key) {
            return entries.remove(key) != null;
        }

        @Override
        public Set<String> list() {
            return Set.copyOf(entries.keySet());
        }
    }

    /** Records the events it accepts; refuses (throws) the first {@code failures} publish calls. */
    static final class RecordingSink implements AuditSink {
        final List<SecurityEvent> accepted = new CopyOnWriteArrayList<>();
        final AtomicInteger refused = new AtomicInteger();
        private final int failures;

        RecordingSink(int failures) {
            this.failures = failures;
        }

        @Override
        public void publish(SecurityEvent event) throws AuditException {
            if (refused.get() < failures) {
                refused.incrementAndGet();
                throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "test sink refuses " + event.type());
            }
            accepted.add(event);
        }

        List<UUID> ids() {
            return accepted.stream().map(SecurityEvent::id).collect(Collectors.toList());
        }

        List<SecurityEventType> types() {
            return new ArrayList<>(accepted.stream().map(SecurityEvent::type).collect(Collectors.toList()));
        }
    }
}
