package dev.stdb.secure.itests;

import static dev.stdb.secure.itests.Vectors.API_BSN;
import static dev.stdb.secure.itests.Vectors.API_PACKAGES;
import static dev.stdb.secure.itests.Vectors.BROTLI_PACKAGE;
import static dev.stdb.secure.itests.Vectors.PROTOCOL_BSN;
import static dev.stdb.secure.itests.Vectors.PROTOCOL_PACKAGES;
import static dev.stdb.secure.itests.Vectors.hex;
import static dev.stdb.secure.itests.Vectors.isInternal;
import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import dev.stdb.secure.protocol.frame.ServerFrameCodec;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.message.RowSizeHint;
import dev.stdb.secure.protocol.message.ServerMessage;

import java.net.URL;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.Version;
import org.osgi.framework.VersionRange;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRequirement;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The api and protocol bundles in Felix 7 with SCR: they resolve and start, export exactly their public packages at
 * a 0.x version ({@link #PACKAGE_VERSIONS}), keep {@code internal} packages and the embedded Brotli decoder private,
 * and the protocol classes this probe imports from the protocol bundle decode real server frames (uncompressed, gzip and Brotli) inside OSGi. The TLS bundle resolves and starts against
 * the Bouncy Castle bundles (bcprov, bcutil, bcpkix) and exports only {@value #TLS_PACKAGE}. The auth-jwt, auth-apikey,
 * store-keyring and store-pkcs11 bundles start with nimbus-jose-jwt and JNA, export only their api package, and every
 * import is wired.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class BundlesResolveIT {
    private static final Version V_0_1_0 = new Version(0, 1, 0);
    /**
     * Exported package versions: at least 0.1.0 and below 1.0.0. Packages move on by themselves (semantic versioning of
     * each package, e.g. {@code dev.stdb.secure.api.tls} went to 0.2.0 when {@code contextFor(URI, SecurityEventSink)}
     * was added), so the check is the pre-1.0 range and not one number.
     */
    private static final VersionRange PACKAGE_VERSIONS = new VersionRange("[0.1.0,1.0.0)");
    private static final String TLS_BSN = "dev.stdb.secure.tls";
    private static final String TLS_PACKAGE = "dev.stdb.secure.tls";
    private static final List<String> BC_BSNS = List.of("bcprov", "bcutil", "bcpkix");
    private static final String NIMBUS_BSN = "com.nimbusds.nimbus-jose-jwt";
    private static final String JNA_BSN = "com.sun.jna";
    private static final String JNA_PLATFORM_BSN = "com.sun.jna.platform";
    private static final Pattern PACKAGE_IN_FILTER = Pattern.compile("\\(osgi\\.wiring\\.package=([^)]+)\\)");

    @Inject
    private BundleContext context;

    @Configuration
    public Option[] config() {
        return options(
                mavenBundle("org.osgi", "org.osgi.util.function", Vectors.required("stdb.version.osgi.function")),
                mavenBundle("org.osgi", "org.osgi.util.promise", Vectors.required("stdb.version.osgi.promise")),
                mavenBundle("org.osgi", "org.osgi.service.component",
                        Vectors.required("stdb.version.osgi.service.component")),
                mavenBundle("org.apache.felix", "org.apache.felix.scr", Vectors.required("stdb.version.felix.scr")),
                bundle(Vectors.bundleJar("api").toURI().toString()),
                bundle(Vectors.bundleJar("protocol").toURI().toString()),
                mavenBundle("org.bouncycastle", "bcprov-jdk18on", Vectors.required("stdb.version.bouncycastle")),
                mavenBundle("org.bouncycastle", "bcutil-jdk18on", Vectors.required("stdb.version.bouncycastle")),
                mavenBundle("org.bouncycastle", "bcpkix-jdk18on", Vectors.required("stdb.version.bouncycastle")),
                bundle(Vectors.bundleJar("tls").toURI().toString()),
                // the auth and store bundles with their third-party bundles
                mavenBundle("com.nimbusds", "nimbus-jose-jwt", Vectors.required("stdb.version.nimbus.jose")),
                mavenBundle("net.java.dev.jna", "jna", Vectors.required("stdb.version.jna")),
                mavenBundle("net.java.dev.jna", "jna-platform", Vectors.required("stdb.version.jna")),
                bundle(Vectors.bundleJar("auth.jwt").toURI().toString()),
                bundle(Vectors.bundleJar("auth.apikey").toURI().toString()),
                bundle(Vectors.bundleJar("store.keyring").toURI().toString()),
                bundle(Vectors.bundleJar("store.pkcs11").toURI().toString()),
                junitBundles(),
                systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"),
                systemProperty("org.ops4j.pax.url.mvn.offline").value("true"),
                systemProperty("org.ops4j.pax.url.mvn.useFallbackRepositories").value("false"),
                systemProperty("org.ops4j.pax.url.mvn.localRepository")
                        .value(Vectors.required("org.ops4j.pax.url.mvn.localRepository")),
                workingDirectory("target/paxexam"),
                cleanCaches(true));
    }

    @Test
    public void apiProtocolAndScrAreActive() {
        for (String bsn : List.of(API_BSN, PROTOCOL_BSN, "org.apache.felix.scr")) {
            Bundle b = installed(bsn);
            assertEquals(bsn + " state", Bundle.ACTIVE, b.getState());
        }
        for (String bsn : List.of(API_BSN, PROTOCOL_BSN)) {
            Version v = installed(bsn).getVersion();
            assertEquals(bsn + " version " + v, V_0_1_0, new Version(v.getMajor(), v.getMinor(), v.getMicro()));
        }
        String framework = context.getBundle(0).getSymbolicName() + " " + context.getBundle(0).getVersion();
        assertTrue(framework, framework.startsWith("org.apache.felix.framework 7.0.5"));
    }

    @Test
    public void tlsBundleResolvesAgainstTheBouncyCastleBundles() {
        Bundle tls = installed(TLS_BSN);
        assertEquals(TLS_BSN + " state", Bundle.ACTIVE, tls.getState());
        Version v = tls.getVersion();
        assertEquals(TLS_BSN + " version " + v, V_0_1_0, new Version(v.getMajor(), v.getMinor(), v.getMicro()));
        for (String bsn : BC_BSNS) {
            Bundle bc = installed(bsn);
            assertEquals(bsn + " state", Bundle.ACTIVE, bc.getState());
            assertEquals(bsn + " version", 1, bc.getVersion().getMajor());
        }
        assertPublicPackagesExported(tls, List.of(TLS_PACKAGE));

        // Every org.bouncycastle import of the TLS bundle is wired to one of the three Bouncy Castle bundles.
        Map<String, String> providers = new TreeMap<>();
        for (BundleWire w : tls.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            String pkg = (String) w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE);
            if (pkg.startsWith("org.bouncycastle.")) {
                providers.put(pkg, w.getProvider().getSymbolicName());
            }
        }
        assertTrue("the TLS bundle imports Bouncy Castle (PEM keys and chains): " + providers,
                providers.containsKey("org.bouncycastle.openssl"));
        providers.forEach((pkg, bsn) -> assertTrue(pkg + " comes from " + bsn, BC_BSNS.contains(bsn)));
    }

    /**
     * auth-jwt, auth-apikey, store-keyring and store-pkcs11 start, export only their api package, and every import is
     * wired: Nimbus from the nimbus-jose-jwt bundle, the JNA packages store-keyring imports (optionally: only its macOS
     * and Windows backends use them) from the JNA bundles, this project's packages from the api bundle, everything else
     * from the framework. The libraries store-keyring embeds (java-keyring, dbus-java, ...) stay private.
     */
    @Test
    public void authAndStoreBundlesResolveAgainstTheirThirdPartyBundles() {
        Map<String, String> bundlesAndPackages = Map.of(
                "dev.stdb.secure.auth.jwt", "dev.stdb.secure.auth.jwt",
                "dev.stdb.secure.auth.apikey", "dev.stdb.secure.auth.apikey",
                "dev.stdb.secure.store.keyring", "dev.stdb.secure.store.keyring",
                "dev.stdb.secure.store.pkcs11", "dev.stdb.secure.store.pkcs11");
        for (String bsn : List.of(NIMBUS_BSN, JNA_BSN, JNA_PLATFORM_BSN)) {
            assertEquals(bsn + " state", Bundle.ACTIVE, installed(bsn).getState());
        }
        for (Map.Entry<String, String> e : new TreeMap<>(bundlesAndPackages).entrySet()) {
            Bundle b = installed(e.getKey());
            assertEquals(e.getKey() + " state", Bundle.ACTIVE, b.getState());
            Version v = b.getVersion();
            assertEquals(e.getKey() + " version " + v, V_0_1_0, new Version(v.getMajor(), v.getMinor(), v.getMicro()));
            assertPublicPackagesExported(b, List.of(e.getValue()));
            Map<String, String> providers = importProviders(b);
            for (String declared : importedPackages(b)) {
                // java.* comes from the boot class path (Felix may or may not make wires for it)
                assertTrue(e.getKey() + " imports " + declared + " but it is not wired: " + providers,
                        providers.containsKey(declared) || declared.startsWith("java.")
                                || isOptionalImport(b, declared));
            }
            providers.forEach((pkg, provider) -> {
                if (pkg.startsWith("com.nimbusds.")) {
                    assertEquals(e.getKey() + ": " + pkg, NIMBUS_BSN, provider);
                } else if (pkg.startsWith("com.sun.jna")) {
                    assertTrue(e.getKey() + ": " + pkg + " from " + provider,
                            provider.equals(JNA_BSN) || provider.equals(JNA_PLATFORM_BSN));
                } else if (pkg.startsWith("dev.stdb.secure.")) {
                    assertEquals(e.getKey() + ": " + pkg, API_BSN, provider);
                } else {
                    assertEquals(e.getKey() + ": " + pkg, context.getBundle(0).getSymbolicName(), provider);
                }
            });
        }
        assertTrue("auth-jwt takes Nimbus from its bundle", importProviders(installed("dev.stdb.secure.auth.jwt"))
                .containsKey("com.nimbusds.jose.jwk"));
        assertTrue("auth-apikey takes Nimbus from its bundle",
                importProviders(installed("dev.stdb.secure.auth.apikey")).containsKey("com.nimbusds.jwt"));
        Map<String, String> keyring = importProviders(installed("dev.stdb.secure.store.keyring"));
        assertEquals("store-keyring wires its optional JNA import when JNA is there: " + keyring, JNA_BSN,
                keyring.get("com.sun.jna"));

        // store-keyring's embedded libraries are on its own Bundle-ClassPath, exported by nobody.
        Bundle keyringBundle = installed("dev.stdb.secure.store.keyring");
        String classPath = keyringBundle.getHeaders().get("Bundle-ClassPath");
        assertTrue("Bundle-ClassPath " + classPath, classPath != null && classPath.contains("lib/dbus-java-core.jar"));
        for (Bundle b : context.getBundles()) {
            for (String pkg : exportedPackages(b).keySet()) {
                assertFalse(b.getSymbolicName() + " exports " + pkg, pkg.startsWith("org.freedesktop")
                        || pkg.startsWith("com.github.javakeyring") || pkg.startsWith("de.swiesend"));
            }
        }
    }

    @Test
    public void apiExportsEveryPublicPackageWithA0xVersion() {
        assertPublicPackagesExported(installed(API_BSN), API_PACKAGES);
    }

    @Test
    public void protocolExportsEveryPublicPackageWithA0xVersion() {
        assertPublicPackagesExported(installed(PROTOCOL_BSN), PROTOCOL_PACKAGES);
    }

    @Test
    public void internalPackagesAndEmbeddedBrotliStayPrivate() throws Exception {
        Bundle protocol = installed(PROTOCOL_BSN);
        Set<String> inJar = packagesInBundle(protocol);
        assertTrue("protocol bundle embeds " + BROTLI_PACKAGE + ": " + inJar, inJar.contains(BROTLI_PACKAGE));
        assertTrue("protocol bundle has internal packages: " + inJar,
                inJar.stream().anyMatch(p -> p.startsWith("dev.stdb.secure.protocol.internal")));

        // No bundle in the framework (system bundle included) exports any of them.
        for (Bundle b : context.getBundles()) {
            for (String pkg : exportedPackages(b).keySet()) {
                assertFalse(b.getSymbolicName() + " exports " + pkg, pkg.startsWith("dev.stdb.secure.") && isInternal(pkg));
                assertFalse(b.getSymbolicName() + " exports " + pkg, pkg.equals(BROTLI_PACKAGE) || pkg.startsWith("org.brotli"));
            }
        }

        // The decoder is there for the protocol bundle's own class loader, and invisible to everyone else.
        Class<?> brotli = protocol.loadClass(BROTLI_PACKAGE + ".BrotliInputStream");
        assertSame(protocol.adapt(BundleWiring.class).getClassLoader(), brotli.getClassLoader());
        assertThrows(ClassNotFoundException.class,
                () -> getClass().getClassLoader().loadClass(BROTLI_PACKAGE + ".BrotliInputStream"));
        assertThrows(ClassNotFoundException.class,
                () -> getClass().getClassLoader().loadClass("dev.stdb.secure.protocol.internal.json.Json"));
    }

    @Test
    public void decodesAnUncompressedServerFrameWithClassesFromTheProtocolBundle() {
        // This probe imports dev.stdb.secure.protocol.*; the classes must come from the protocol bundle.
        Bundle origin = FrameworkUtil.getBundle(ServerFrameCodec.class);
        assertNotNull("ServerFrameCodec was not loaded by a bundle", origin);
        assertEquals(PROTOCOL_BSN, origin.getSymbolicName());

        List<ServerMessage> messages = new ServerFrameCodec(Subprotocol.V2_BSATN)
                .decode(hex(Vectors.SERVER_FRAME_UNCOMPRESSED));
        assertEquals(1, messages.size());
        ServerMessage.InitialConnection ic = (ServerMessage.InitialConnection) messages.get(0);
        assertEquals(Vectors.INITIAL_IDENTITY_HEX, ic.identity().toHex());
        assertEquals(Vectors.INITIAL_CONNECTION_ID_HEX, ic.connectionId().toHex());
        assertEquals(Vectors.INITIAL_TOKEN, ic.token());
        assertFalse("toString hides the token: " + ic, ic.toString().contains(Vectors.INITIAL_TOKEN));
    }

    @Test
    public void decodesGzipAndBrotliFramesInsideOsgi() {
        ServerFrameCodec codec = new ServerFrameCodec(Subprotocol.V2_BSATN);
        ServerMessage gzip = single(codec.decode(hex(Vectors.SERVER_FRAME_GZIP)));
        ServerMessage brotli = single(codec.decode(hex(Vectors.SERVER_FRAME_BROTLI)));
        assertSubscribeApplied(gzip);
        assertSubscribeApplied(brotli);
        assertEquals("gzip and Brotli frames carry the same message", gzip, brotli);
    }

    // ------------------------------------------------------------------ helpers

    private static ServerMessage single(List<ServerMessage> messages) {
        assertEquals("messages in the frame: " + messages, 1, messages.size());
        return messages.get(0);
    }

    private static void assertSubscribeApplied(ServerMessage m) {
        assertTrue("expected SubscribeApplied, got " + m, m instanceof ServerMessage.SubscribeApplied);
        ServerMessage.SubscribeApplied sa = (ServerMessage.SubscribeApplied) m;
        assertEquals(Vectors.SUBSCRIBE_REQUEST_ID, sa.requestId());
        assertEquals(Vectors.SUBSCRIBE_QUERY_SET_ID, sa.querySetId());
        assertEquals(1, sa.rows().tables().size());
        ServerMessage.SingleTableRows table = sa.rows().tables().get(0);
        assertEquals(Vectors.SUBSCRIBE_TABLE, table.table());
        assertEquals(Vectors.SUBSCRIBE_ROWS_HEX, hex(table.rows().rowsData()));
        assertTrue("row offsets: " + table.rows().sizeHint(), table.rows().sizeHint() instanceof RowSizeHint.RowOffsets);
        assertArrayEquals(Vectors.SUBSCRIBE_ROW_OFFSETS, ((RowSizeHint.RowOffsets) table.rows().sizeHint()).offsets());
    }

    private void assertPublicPackagesExported(Bundle b, List<String> designPackages) {
        Set<String> expected = new TreeSet<>();
        for (String pkg : packagesInBundle(b)) {
            if (pkg.startsWith("dev.stdb.secure.") && !isInternal(pkg)) {
                expected.add(pkg);
            }
        }
        assertTrue(b.getSymbolicName() + " holds the design's packages " + designPackages + ", has " + expected,
                expected.containsAll(designPackages));

        Map<String, Version> exported = exportedPackages(b);
        assertEquals(b.getSymbolicName() + " exports exactly its public packages", expected, exported.keySet());
        assertEquals(b.getSymbolicName() + " exports each package once", exported.size(),
                b.adapt(BundleRevision.class).getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE).size());
        exported.forEach((pkg, version) -> assertTrue(pkg + " version " + version + " in " + PACKAGE_VERSIONS,
                PACKAGE_VERSIONS.includes(version) && version.getQualifier().isEmpty()));

        // The resolved wiring offers the same capabilities the revision declares.
        Set<String> wired = new TreeSet<>();
        for (BundleCapability c : b.adapt(BundleWiring.class).getCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            wired.add((String) c.getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE));
        }
        assertEquals(expected, wired);
    }

    /** Imported package to the symbolic name of the bundle it is wired to. */
    private static Map<String, String> importProviders(Bundle b) {
        Map<String, String> providers = new TreeMap<>();
        for (BundleWire w : b.adapt(BundleWiring.class).getRequiredWires(PackageNamespace.PACKAGE_NAMESPACE)) {
            providers.put((String) w.getCapability().getAttributes().get(PackageNamespace.PACKAGE_NAMESPACE),
                    w.getProvider().getSymbolicName());
        }
        return providers;
    }

    /** The packages named by the bundle's {@code osgi.wiring.package} requirements (its Import-Package). */
    private static Set<String> importedPackages(Bundle b) {
        Set<String> out = new TreeSet<>();
        for (BundleRequirement r : b.adapt(BundleRevision.class).getDeclaredRequirements(
                PackageNamespace.PACKAGE_NAMESPACE)) {
            Matcher m = PACKAGE_IN_FILTER.matcher(r.getDirectives().getOrDefault("filter", ""));
            if (m.find()) {
                out.add(m.group(1));
            }
        }
        return out;
    }

    private static boolean isOptionalImport(Bundle b, String pkg) {
        for (BundleRequirement r : b.adapt(BundleRevision.class).getDeclaredRequirements(
                PackageNamespace.PACKAGE_NAMESPACE)) {
            Matcher m = PACKAGE_IN_FILTER.matcher(r.getDirectives().getOrDefault("filter", ""));
            if (m.find() && m.group(1).equals(pkg)) {
                return PackageNamespace.RESOLUTION_OPTIONAL.equals(
                        r.getDirectives().get(PackageNamespace.REQUIREMENT_RESOLUTION_DIRECTIVE));
            }
        }
        return false;
    }

    /** Package name to version of every {@code osgi.wiring.package} capability the bundle declares. */
    private static Map<String, Version> exportedPackages(Bundle b) {
        Map<String, Version> out = new TreeMap<>();
        BundleRevision revision = b.adapt(BundleRevision.class);
        if (revision == null) {
            return out;
        }
        for (BundleCapability c : revision.getDeclaredCapabilities(PackageNamespace.PACKAGE_NAMESPACE)) {
            Map<String, Object> attrs = c.getAttributes();
            out.put((String) attrs.get(PackageNamespace.PACKAGE_NAMESPACE),
                    (Version) attrs.get(PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE));
        }
        return out;
    }

    /** The packages that hold classes in the bundle's own jar. */
    private static Set<String> packagesInBundle(Bundle b) {
        Set<String> packages = new TreeSet<>();
        Enumeration<URL> entries = b.findEntries("/", "*.class", true);
        assertNotNull(b.getSymbolicName() + " has no classes", entries);
        while (entries.hasMoreElements()) {
            String path = entries.nextElement().getPath();
            if (path.startsWith("/")) {
                path = path.substring(1);
            }
            int slash = path.lastIndexOf('/');
            if (slash > 0 && !path.startsWith("META-INF/")) {
                packages.add(path.substring(0, slash).replace('/', '.'));
            }
        }
        return packages;
    }

    private Bundle installed(String bsn) {
        Bundle found = null;
        for (Bundle b : context.getBundles()) {
            if (bsn.equals(b.getSymbolicName())) {
                assertTrue("two bundles named " + bsn, found == null);
                found = b;
            }
        }
        assertNotNull("bundle " + bsn + " is not installed", found);
        return found;
    }
}
