package dev.stdb.secure.itests;

import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import dev.stdb.secure.api.connection.ConnectionState;
import dev.stdb.secure.core.Connection;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.junit.After;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.OptionUtils;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Filter;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.util.tracker.ServiceTracker;

/**
 * Base class of the Pax Exam tests of the core bundle, in the style of Karaf's {@code KarafTestSupport}: one
 * {@link #config() configuration} (Felix 7 with SCR, ConfigAdmin and the reactor's api, protocol and core bundles)
 * that subclasses extend with {@link #additionalOptions(URI)}, and helpers for configurations, services and waiting.
 *
 * <h2>Where things run</h2>
 * The native container runs the framework in this JVM, but the test methods (and {@code @Before}/{@code @After})
 * run in the probe bundle, with this class loaded a second time by the probe's class loader: static state is
 * <em>not</em> shared between the two. Only {@link #config()} (and what it calls) runs on the host side; even
 * {@code @AfterClass} methods run in the probe, after each method.
 *
 * <h2>The sandbox</h2>
 * The protocol sandbox runs <em>outside</em> the framework, as a child process ({@code java -jar} on the standalone
 * jar named by system property {@code stdb.sandbox.jar}) on a free loopback port: started once per test class by
 * {@link #config()} on the host, and stopped when the next test class starts its own or, at the latest, by a JVM
 * shutdown hook. Its output goes to {@code target/sandbox-<class>.log}. Its base URI reaches the probe as
 * system property {@value #SANDBOX_URI}; the probe talks to it with the JDK HTTP client only. A subclass may start it
 * differently ({@link #sandboxProcess}, {@link #sandboxBaseUri}, {@link #sandboxHttp}), for instance over TLS.
 */
public abstract class StdbTestSupport {
    /** System property with the sandbox's base URI, {@code http://127.0.0.1:<port>}. */
    public static final String SANDBOX_URI = "stdb.sandbox.uri";
    /** The database the sandbox serves. */
    public static final String DATABASE = "quickstart";
    /** The factory PID of the core's connection component. */
    public static final String CONNECTION_PID = "dev.stdb.secure.connection";
    protected static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    // Host side: the sandbox child process of the running test class.
    private static Process sandbox;
    private static Class<?> sandboxOwner;
    private static URI sandboxUri;

    @Inject
    protected BundleContext bundleContext;

    @Inject
    protected ConfigurationAdmin configurationAdmin;

    // Probe side: what a test created, undone after it.
    private final List<org.osgi.service.cm.Configuration> configurations = new ArrayList<>();
    private final List<String> connectionNames = new ArrayList<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();
    private final List<Bundle> bundles = new ArrayList<>();

    // ------------------------------------------------------------------ host side

    @Configuration
    public Option[] config() throws Exception {
        URI uri = startSandbox(this);
        Option[] base = options(
                mavenBundle("org.osgi", "org.osgi.util.function", Vectors.required("stdb.version.osgi.function")),
                mavenBundle("org.osgi", "org.osgi.util.promise", Vectors.required("stdb.version.osgi.promise")),
                mavenBundle("org.osgi", "org.osgi.service.component",
                        Vectors.required("stdb.version.osgi.service.component")),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", Vectors.required("stdb.version.felix.scr")),
                mavenBundle("org.apache.felix", "org.apache.felix.configadmin",
                        Vectors.required("stdb.version.felix.configadmin")),
                bundle(Vectors.bundleJar("api").toURI().toString()),
                bundle(Vectors.bundleJar("protocol").toURI().toString()),
                bundle(Vectors.bundleJar("core").toURI().toString()),
                junitBundles(),
                systemProperty(SANDBOX_URI).value(uri.toString()),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                systemProperty("org.ops4j.pax.url.mvn.offline").value("true"),
                systemProperty("org.ops4j.pax.url.mvn.useFallbackRepositories").value("false"),
                systemProperty("org.ops4j.pax.url.mvn.localRepository")
                        .value(Vectors.required("org.ops4j.pax.url.mvn.localRepository")),
                workingDirectory("target/paxexam-" + getClass().getSimpleName()),
                cleanCaches(true));
        return OptionUtils.combine(base, additionalOptions(uri));
    }

    /** More options for a subclass; called on the host, after the sandbox is up at {@code sandbox}. */
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        return new Option[0];
    }

    /**
     * Host side: the command that starts this class's sandbox on {@code port} of 127.0.0.1. By default the
     * standalone jar over plain HTTP; a subclass may run another main class (for TLS, say) from {@code jar}.
     */
    protected ProcessBuilder sandboxProcess(Path jar, int port) throws Exception {
        return new ProcessBuilder(javaExecutable(), "-jar", jar.toString(), "--host", "127.0.0.1", "--port",
                String.valueOf(port), "--database", DATABASE);
    }

    /** Host side: the sandbox's base URI on {@code port}; {@code http://127.0.0.1:<port>} by default. */
    protected URI sandboxBaseUri(int port) {
        return URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Either side: the HTTP client that talks to the sandbox (ping, reducer calls, faults); a subclass serving TLS
     * returns one with its trust anchors and client certificate.
     */
    protected HttpClient sandboxHttp() {
        return HTTP;
    }

    protected static String javaExecutable() {
        return Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * Starts the sandbox for {@code test}'s class unless it runs for it already, stopping one left by an earlier test
     * class; returns its base URI. Host side only.
     */
    private static synchronized URI startSandbox(StdbTestSupport test) throws Exception {
        Class<?> testClass = test.getClass();
        if (sandbox != null && sandbox.isAlive() && sandboxOwner == testClass) {
            return sandboxUri;
        }
        stopSandbox();
        Path jar = Paths.get(Vectors.required("stdb.sandbox.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new AssertionError("standalone sandbox jar missing: " + jar);
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        File log = new File("target/sandbox-" + testClass.getSimpleName() + ".log");
        Process p = test.sandboxProcess(jar, port).redirectErrorStream(true).redirectOutput(log).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly, "stop-sandbox-" + port));
        URI uri = test.sandboxBaseUri(port);
        HttpClient http = test.sandboxHttp();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(uri.resolve("/v1/ping")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    break;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!p.isAlive() || System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new AssertionError("the sandbox did not come up on " + uri + "; see " + log.getAbsolutePath());
            }
            Thread.sleep(50);
        }
        sandbox = p;
        sandboxOwner = testClass;
        sandboxUri = uri;
        return uri;
    }

    /**
     * Stops the sandbox. Not an {@code @AfterClass}: Pax Exam runs those inside the probe, after every method, where
     * this class's statics are another copy. The next test class's {@link #config()} or the shutdown hook calls it.
     */
    private static synchronized void stopSandbox() throws InterruptedException {
        Process p = sandbox;
        sandbox = null;
        sandboxOwner = null;
        sandboxUri = null;
        if (p != null) {
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ sandbox over HTTP (either side)

    /** {@code POST base+path}; fails unless the answer is 200. Returns the body. */
    protected static String post(URI base, String path, String contentType, String body) {
        return post(HTTP, base, path, contentType, body);
    }

    /** {@code POST base+path} with {@code http}; fails unless the answer is 200. Returns the body. */
    protected static String post(HttpClient http, URI base, String path, String contentType, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new AssertionError("POST " + path + " answered " + r.statusCode() + ": " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new AssertionError("POST " + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** A fresh anonymous identity minted by {@code POST /v1/identity}: {@code identity} (hex) and {@code token}. */
    protected static Map<String, String> mintIdentity(URI base) {
        return mintIdentity(HTTP, base);
    }

    /** {@link #mintIdentity(URI)} with {@code http}, for a sandbox that serves TLS. */
    protected static Map<String, String> mintIdentity(HttpClient http, URI base) {
        String json = post(http, base, "/v1/identity", null, null);
        Matcher m = Pattern.compile("\\{\"identity\":\"([0-9a-f]{64})\",\"token\":\"([^\"]+)\"}").matcher(json);
        if (!m.matches()) {
            throw new AssertionError("unexpected /v1/identity answer: " + json);
        }
        return Map.of("identity", m.group(1), "token", m.group(2));
    }

    // ------------------------------------------------------------------ probe side: the sandbox

    protected URI sandboxUri() {
        String uri = bundleContext.getProperty(SANDBOX_URI);
        if (uri == null) {
            throw new AssertionError("framework property " + SANDBOX_URI + " is not set");
        }
        return URI.create(uri);
    }

    /** Calls a reducer over HTTP, {@code args} as a SATS-JSON array, e.g. {@code ["Ada", 36]}. */
    protected void callReducer(String reducer, String args) {
        post(sandboxHttp(), sandboxUri(), "/v1/database/" + DATABASE + "/call/" + reducer, "application/json", args);
    }

    /** Switches a sandbox fault on: {@code drop-connections}, {@code refuse-connections?millis=N}, {@code reset}... */
    protected void fault(String nameAndQuery) {
        post(sandboxHttp(), sandboxUri(), "/_sandbox/faults/" + nameAndQuery, null, null);
    }

    // ------------------------------------------------------------------ probe side: configuration and services

    /** Connection properties for the sandbox: name, uri, database, and a quick reconnect (100 ms .. 1 s). */
    protected Map<String, Object> connectionProperties(String name) {
        Map<String, Object> p = new HashMap<>();
        p.put("name", name);
        p.put("uri", sandboxUri().toString());
        p.put("database", DATABASE);
        p.put("reconnect.base.millis", 100L);
        p.put("reconnect.cap.millis", 1000L);
        return p;
    }

    /**
     * Creates a factory configuration of PID {@value #CONNECTION_PID} ({@code createFactoryConfiguration(pid, "?")},
     * not bound to a bundle location) with {@code properties}; deleted after the test.
     */
    protected org.osgi.service.cm.Configuration configureConnection(Map<String, ?> properties) throws IOException {
        org.osgi.service.cm.Configuration c = configurationAdmin.createFactoryConfiguration(CONNECTION_PID, "?");
        configurations.add(c);
        Object name = properties.get("name");
        if (name != null) {
            connectionNames.add(name.toString());
        }
        c.update(new Hashtable<>(properties));
        return c;
    }

    /**
     * Creates a factory configuration of {@code factoryPid} (not bound to a bundle location) with {@code properties};
     * deleted after the test. For connections use {@link #configureConnection(Map)}, which also waits for them to go.
     */
    protected org.osgi.service.cm.Configuration configureFactory(String factoryPid, Map<String, ?> properties)
            throws IOException {
        org.osgi.service.cm.Configuration c = configurationAdmin.createFactoryConfiguration(factoryPid, "?");
        configurations.add(c);
        c.update(new Hashtable<>(properties));
        return c;
    }

    /** The {@link Connection} service named {@code name}, once it is registered (the connection is up). */
    protected Connection awaitConnection(String name) {
        return awaitService(Connection.class, "(name=" + name + ")", TIMEOUT);
    }

    /** Waits with a {@link ServiceTracker} for a service of {@code type} matching {@code filter} (may be null). */
    protected <T> T awaitService(Class<T> type, String filter, Duration timeout) {
        String f = "(objectClass=" + type.getName() + ")";
        if (filter != null && !filter.isBlank()) {
            f = "(&" + f + filter + ")";
        }
        Filter osgiFilter;
        try {
            osgiFilter = FrameworkUtil.createFilter(f);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + f, e);
        }
        ServiceTracker<T, T> tracker = new ServiceTracker<>(bundleContext, osgiFilter, null);
        tracker.open(true);
        try {
            T service = tracker.waitForService(timeout.toMillis());
            if (service == null) {
                throw new AssertionError("no service " + f + " within " + timeout);
            }
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted waiting for " + f, e);
        } finally {
            tracker.close();
        }
    }

    /** Polls {@code condition} every 20 ms until it is true; fails with {@code what} after {@code timeout}. */
    protected static void await(String what, Callable<Boolean> condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (true) {
            try {
                if (Boolean.TRUE.equals(condition.call())) {
                    return;
                }
                last = null;
            } catch (Exception | AssertionError e) {
                last = e;
            }
            if (System.nanoTime() - deadline > 0) {
                AssertionError failure = new AssertionError("timed out after " + timeout + " waiting for " + what);
                if (last != null) {
                    failure.initCause(last);
                }
                throw failure;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted waiting for " + what, e);
            }
        }
    }

    protected static String uniqueName() {
        return "Ada-" + java.util.UUID.randomUUID().toString().substring(0, 8);
    }

    /** Inserts a person through the sandbox's HTTP reducer call (another client); returns the unique name. */
    protected String insertPersonOverHttp() {
        String name = uniqueName();
        callReducer("add_person", "[\"" + name + "\", 36]");
        return name;
    }

    protected static void awaitPersonInCache(dev.stdb.secure.core.Connection c, String name) {
        await("person " + name + " in the cache", () -> c.table("person").rows().stream()
                .anyMatch(r -> name.equals(r.getString("name"))));
    }

    protected static void await(String what, Callable<Boolean> condition) {
        await(what, condition, TIMEOUT);
    }

    protected static void awaitState(Connection c, ConnectionState state) {
        await(state + " (now " + c.status() + ")", () -> c.status().state() == state);
    }

    /** Registers {@code service} from the probe into the real registry; unregistered after the test. */
    protected <T> ServiceRegistration<T> registerService(Class<T> type, T service, Map<String, ?> properties) {
        Dictionary<String, Object> d = new Hashtable<>(properties == null ? Collections.emptyMap() : properties);
        ServiceRegistration<T> r = bundleContext.registerService(type, service, d);
        registrations.add(r);
        return r;
    }

    /** Installs and starts a bundle; uninstalled after the test unless the test does it. */
    protected Bundle installBundle(String location) throws BundleException {
        Bundle b = bundleContext.installBundle(location);
        bundles.add(b);
        b.start();
        return b;
    }

    /** The service references of {@code type} matching {@code filter}, or none. */
    protected <T> List<ServiceReference<T>> references(Class<T> type, String filter) {
        try {
            return new ArrayList<>(bundleContext.getServiceReferences(type, filter));
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    @After
    public void cleanUp() throws Exception {
        for (org.osgi.service.cm.Configuration c : configurations) {
            try {
                c.delete();
            } catch (IllegalStateException alreadyDeleted) {
                // the test deleted it
            }
        }
        // The component deactivates asynchronously: wait until its connection is closed and gone.
        for (String name : connectionNames) {
            await("connection " + name + " to go away",
                    () -> references(Connection.class, "(name=" + name + ")").isEmpty(), TIMEOUT);
        }
        for (ServiceRegistration<?> r : registrations) {
            try {
                r.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the test unregistered it
            }
        }
        for (Bundle b : bundles) {
            if (b.getState() != Bundle.UNINSTALLED) {
                b.uninstall();
            }
        }
        fault("reset");
    }
}
