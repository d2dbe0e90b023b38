package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.ops4j.pax.tinybundles.InnerClassStrategy;
import org.ops4j.pax.tinybundles.TinyBundles;
import org.osgi.framework.Constants;

/**
 * The OAuth 2.0 bundle ({@code dev.stdb.secure.auth.oauth2}) with the Nimbus bundles in Felix: its imports resolve,
 * a factory configuration of PID {@code dev.stdb.secure.auth.oauth2} registers an {@link AuthProvider} with the
 * configured {@code provider.id}, and a token request (Nimbus code, on the provider's own thread) against a closed
 * port fails with {@code [auth.idp_unreachable]} and an {@code AUTH_FAILURE} event. The real-IdP proofs (Keycloak)
 * are the bundle's own tests.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class OAuth2ProviderIT extends StdbTestSupport {
    static final String OAUTH2_PID = "dev.stdb.secure.auth.oauth2";

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        return options(
                mavenBundle("org.ow2.asm", "asm", Vectors.required("stdb.version.asm")),
                mavenBundle("net.minidev", "accessors-smart", Vectors.required("stdb.version.accessors-smart")),
                mavenBundle("net.minidev", "json-smart", Vectors.required("stdb.version.json-smart")),
                mavenBundle("com.nimbusds", "content-type", Vectors.required("stdb.version.nimbus.content-type")),
                mavenBundle("com.nimbusds", "lang-tag", Vectors.required("stdb.version.nimbus.lang-tag")),
                bundle(jcipBundle()),
                mavenBundle("com.nimbusds", "nimbus-jose-jwt", Vectors.required("stdb.version.nimbus.jose")),
                mavenBundle("com.nimbusds", "oauth2-oidc-sdk", Vectors.required("stdb.version.nimbus.oauth2")),
                bundle(Vectors.bundleJar("auth.oauth2").toURI().toString()));
    }

    /** jcip-annotations 1.0-1 has no OSGi manifest; the Karaf feature wraps it, here TinyBundles does. */
    private static String jcipBundle() throws Exception {
        Path jar = Files.createDirectories(Paths.get("target", "test-bundles")).resolve("jcip-annotations.jar");
        try (InputStream in = TinyBundles.bundle()
                .addClass(net.jcip.annotations.GuardedBy.class, InnerClassStrategy.NONE)
                .addClass(net.jcip.annotations.Immutable.class, InnerClassStrategy.NONE)
                .addClass(net.jcip.annotations.NotThreadSafe.class, InnerClassStrategy.NONE)
                .addClass(net.jcip.annotations.ThreadSafe.class, InnerClassStrategy.NONE)
                .setHeader(Constants.BUNDLE_MANIFESTVERSION, "2")
                .setHeader(Constants.BUNDLE_SYMBOLICNAME, "com.github.stephenc.jcip-annotations")
                .setHeader(Constants.BUNDLE_VERSION, "1.0.1")
                .setHeader(Constants.EXPORT_PACKAGE, "net.jcip.annotations;version=\"1.0.1\"")
                .build(TinyBundles.rawBuilder())) {
            Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
        }
        return jar.toUri().toString();
    }

    @Test
    public void factoryConfigurationRegistersAProviderThatReportsAnUnreachableIdp() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        configureFactory(OAUTH2_PID, Map.of(
                "provider.id", "itest-oauth2",
                "client.id", "svc",
                "token.endpoint", "http://127.0.0.1:" + closed + "/token",
                "client.auth", "client_secret_post",
                "client.secret.env", "STDB_ITEST_OAUTH2_SECRET",
                "connect.timeout.ms", 3000));
        AuthProvider provider = awaitService(AuthProvider.class, "(provider.id=itest-oauth2)", TIMEOUT);
        assertEquals("itest-oauth2", provider.id());
        assertFalse(provider.toString().contains("itest-oauth2-secret"));

        List<SecurityEvent> events = new CopyOnWriteArrayList<>();
        AuthContext ctx = new AuthContext(URI.create("ws://127.0.0.1:1"), DATABASE, null, null, events::add);
        try {
            provider.acquire(ctx).toCompletableFuture().get(30, TimeUnit.SECONDS);
            fail("a token from a closed port");
        } catch (ExecutionException e) {
            assertTrue(String.valueOf(e.getCause()), e.getCause() instanceof AuthenticationException);
            assertEquals(ReasonCode.IDP_UNREACHABLE, ((AuthenticationException) e.getCause()).reason());
        }
        assertEquals(1, events.stream().filter(e -> e.type() == SecurityEventType.AUTH_FAILURE).count());
        assertTrue(events.stream().noneMatch(e -> e.toString().contains("itest-oauth2-secret")));
    }
}
