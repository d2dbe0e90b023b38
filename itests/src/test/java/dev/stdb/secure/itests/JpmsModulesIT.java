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
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertSame;
import static org.junit.Assert.assertTrue;

import java.io.File;
import java.io.IOException;
import java.lang.module.Configuration;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

import org.junit.BeforeClass;
import org.junit.Test;

/**
 * The same two jars as plain JPMS modules, no OSGi: bnd's generated module descriptors name the modules, export exactly
 * the public packages and require nothing but {@code java.base}; a {@link ModuleLayer} booted from the two jars alone
 * decodes a Brotli frame through the protocol module, with the embedded decoder concealed in it. The TLS bundle
 * resolves as a module with the api and the Bouncy Castle modules; auth-jwt, auth-apikey and store-pkcs11 with the api
 * and Nimbus; store-keyring is an automatic module named by its manifest.
 */
public class JpmsModulesIT {
    private static File apiJar;
    private static File protocolJar;
    private static Map<String, ModuleDescriptor> descriptors;

    @BeforeClass
    public static void findModules() {
        apiJar = Vectors.bundleJar("api");
        protocolJar = Vectors.bundleJar("protocol");
        descriptors = ModuleFinder.of(apiJar.toPath(), protocolJar.toPath()).findAll().stream()
                .map(ModuleReference::descriptor)
                .collect(Collectors.toMap(ModuleDescriptor::name, Function.identity()));
    }

    @Test
    public void jarsAreExplicitNamedModules() {
        assertEquals(Set.of(API_BSN, PROTOCOL_BSN), descriptors.keySet());
        for (ModuleDescriptor d : descriptors.values()) {
            assertFalse(d.name() + " is an automatic module: module-info.class is missing", d.isAutomatic());
            assertFalse(d.name() + " is open", d.isOpen());
        }
    }

    @Test
    public void apiExportsExactlyItsPublicPackages() throws IOException {
        assertExports(descriptors.get(API_BSN), apiJar, API_PACKAGES);
    }

    @Test
    public void protocolExportsExactlyItsPublicPackages() throws IOException {
        ModuleDescriptor protocol = descriptors.get(PROTOCOL_BSN);
        assertExports(protocol, protocolJar, PROTOCOL_PACKAGES);
        // internal packages and the Brotli decoder are in the module, concealed
        assertTrue(protocol.packages().toString(), protocol.packages().contains(BROTLI_PACKAGE));
        assertTrue(protocol.packages().toString(), protocol.packages().stream().anyMatch(Vectors::isInternal));
    }

    @Test
    public void bothRequireOnlyJavaBase() {
        for (ModuleDescriptor d : descriptors.values()) {
            Set<String> required = d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet());
            assertEquals(d.name() + " requires " + d.requires(), Set.of("java.base"), required);
            for (ModuleDescriptor.Requires r : d.requires()) {
                assertFalse(d.name() + ": " + r, r.modifiers().contains(ModuleDescriptor.Requires.Modifier.STATIC));
            }
            assertTrue(d.name() + " uses " + d.uses(), d.uses().isEmpty());
            assertTrue(d.name() + " opens " + d.opens(), d.opens().isEmpty());
        }
    }

    /**
     * The encrypted file store as a module: with the api and bcprov ({@code org.bouncycastle.provider}) and nothing
     * from the class path, it resolves, exports only {@code dev.stdb.secure.store.file}, and opens a store (Argon2id
     * from the Bouncy Castle module, AES-GCM from the JDK) that writes and reads a secret.
     */
    @Test
    public void fileStoreModuleResolvesWithBouncyCastleAndKeepsASecret() throws Exception {
        String name = "dev.stdb.secure.store.file";
        Path repo = Path.of(Vectors.required("org.ops4j.pax.url.mvn.localRepository"));
        String bc = Vectors.required("stdb.version.bouncycastle");
        List<Path> jars = List.of(apiJar.toPath(), Vectors.bundleJar("storefile").toPath(),
                repo.resolve("org/bouncycastle/bcprov-jdk18on/" + bc + "/bcprov-jdk18on-" + bc + ".jar"));
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(jars.toArray(new Path[0])), ModuleFinder.of(),
                Set.of(name));
        Set<String> reads = cf.findModule(name).orElseThrow().reads().stream().map(m -> m.name())
                .collect(Collectors.toSet());
        assertTrue("reads " + reads, reads.containsAll(Set.of(API_BSN, "org.bouncycastle.provider")));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module store = layer.findModule(name).orElseThrow();
        assertTrue(store.isExported("dev.stdb.secure.store.file"));
        assertFalse(store.isExported("dev.stdb.secure.store.file.internal"));

        Class<?> secretClass = Class.forName(layer.findModule(API_BSN).orElseThrow(), "dev.stdb.secure.api.Secret");
        Class<?> storeClass = Class.forName(store, "dev.stdb.secure.store.file.EncryptedFileStore");
        Path dir = java.nio.file.Files.createTempDirectory("stdb-jpms-store").resolve("store");
        Object builder = storeClass.getMethod("builder", Path.class).invoke(null, dir);
        builder.getClass().getMethod("argon2", int.class, int.class, int.class).invoke(builder, 1024, 1, 1);
        Object passphrase = secretClass.getMethod("ofString", String.class).invoke(null, "jpms passphrase");
        builder.getClass().getMethod("passphrase", secretClass).invoke(builder, passphrase);
        Object fileStore = builder.getClass().getMethod("open").invoke(builder);
        try {
            Object value = secretClass.getMethod("ofString", String.class).invoke(null, "jpms value");
            storeClass.getMethod("write", String.class, secretClass).invoke(fileStore, "k", value);
            java.util.Optional<?> back = (java.util.Optional<?>) storeClass.getMethod("read", String.class)
                    .invoke(fileStore, "k");
            assertTrue((Boolean) secretClass.getMethod("contentEquals", secretClass).invoke(back.orElseThrow(), value));
        } finally {
            storeClass.getMethod("close").invoke(fileStore);
            try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir.getParent())) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * The TLS bundle as a module: with the api and the three Bouncy Castle jars (their own module descriptors,
     * {@code org.bouncycastle.provider/.util/.pkix}) and nothing from the class path, it resolves, exports only
     * {@code dev.stdb.secure.tls}, and builds a profile.
     */
    @Test
    public void tlsModuleResolvesWithTheBouncyCastleModules() throws Exception {
        String tlsName = "dev.stdb.secure.tls";
        Path repo = Path.of(Vectors.required("org.ops4j.pax.url.mvn.localRepository"));
        String bc = Vectors.required("stdb.version.bouncycastle");
        List<Path> jars = new java.util.ArrayList<>(List.of(apiJar.toPath(), Vectors.bundleJar("tls").toPath()));
        for (String artifact : List.of("bcprov-jdk18on", "bcutil-jdk18on", "bcpkix-jdk18on")) {
            jars.add(repo.resolve("org/bouncycastle/" + artifact + "/" + bc + "/" + artifact + "-" + bc + ".jar"));
        }
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(jars.toArray(new Path[0])), ModuleFinder.of(),
                Set.of(tlsName));
        Set<String> reads = cf.findModule(tlsName).orElseThrow().reads().stream().map(m -> m.name())
                .collect(Collectors.toSet());
        assertTrue("reads " + reads, reads.containsAll(Set.of(API_BSN, "org.bouncycastle.provider",
                "org.bouncycastle.pkix")));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module tls = layer.findModule(tlsName).orElseThrow();
        assertTrue(tls.isExported("dev.stdb.secure.tls"));
        assertFalse(tls.isExported("dev.stdb.secure.tls.internal"));

        Class<?> profileClass = Class.forName(tls, "dev.stdb.secure.tls.TlsProfile");
        assertNotNull(profileClass);
        Object builder = profileClass.getMethod("builder", String.class).invoke(null, "jpms");
        Object profile = builder.getClass().getMethod("build").invoke(builder);
        assertSame(tls, profile.getClass().getModule());
        assertEquals("jpms", profileClass.getMethod("id").invoke(profile));
    }

    /**
     * auth-jwt, auth-apikey and store-pkcs11 are explicit modules (bnd's descriptors) that export only their api
     * package; with the api module and Nimbus's own descriptor ({@code com.nimbusds.jose.jwt}) and nothing from the
     * class path they resolve into one layer, and their public classes load from their modules.
     */
    @Test
    public void authAndPkcs11ModulesResolveWithNimbus() throws Exception {
        Path nimbus = mavenJar("com/nimbusds", "nimbus-jose-jwt", Vectors.required("stdb.version.nimbus.jose"));
        Map<String, String> modulesAndClasses = Map.of(
                "dev.stdb.secure.auth.jwt", "dev.stdb.secure.auth.jwt.JwtProvider",
                "dev.stdb.secure.auth.apikey", "dev.stdb.secure.auth.apikey.ApiKeyProvider",
                "dev.stdb.secure.store.pkcs11", "dev.stdb.secure.store.pkcs11.Pkcs11Store");
        List<Path> jars = List.of(apiJar.toPath(), nimbus, Vectors.bundleJar("auth.jwt").toPath(),
                Vectors.bundleJar("auth.apikey").toPath(), Vectors.bundleJar("store.pkcs11").toPath());
        ModuleFinder finder = ModuleFinder.of(jars.toArray(new Path[0]));
        for (String name : modulesAndClasses.keySet()) {
            ModuleReference ref = finder.find(name).orElseThrow(() -> new AssertionError("no module " + name));
            ModuleDescriptor d = ref.descriptor();
            assertFalse(name + " is automatic: module-info.class is missing", d.isAutomatic());
            assertFalse(name + " is open", d.isOpen());
            assertExports(d, new File(ref.location().orElseThrow()), List.of(name));
            assertTrue(name + " opens " + d.opens(), d.opens().isEmpty());
            assertTrue(name + " contains an internal package: " + d.packages(),
                    d.packages().contains(name + ".internal"));
        }
        Set<String> nimbusUsers = Set.of("dev.stdb.secure.auth.jwt", "dev.stdb.secure.auth.apikey");
        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), modulesAndClasses.keySet());
        for (String name : modulesAndClasses.keySet()) {
            Set<String> reads = cf.findModule(name).orElseThrow().reads().stream().map(m -> m.name())
                    .collect(Collectors.toSet());
            assertTrue(name + " reads " + reads, reads.contains(API_BSN));
            assertEquals(name + " reads " + reads, nimbusUsers.contains(name), reads.contains("com.nimbusds.jose.jwt"));
        }
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        for (Map.Entry<String, String> e : modulesAndClasses.entrySet()) {
            Module m = layer.findModule(e.getKey()).orElseThrow();
            assertTrue(m.isExported(e.getKey()));
            assertFalse(m.isExported(e.getKey() + ".internal"));
            Class<?> c = Class.forName(m, e.getValue());
            assertNotNull(e.getValue() + " in " + m, c);
            assertSame(m, c.getModule());
        }
        // Nimbus is used through the layer, not the class path: JwtValidator's builder runs inside it.
        Module jwt = layer.findModule("dev.stdb.secure.auth.jwt").orElseThrow();
        Object builder = Class.forName(jwt, "dev.stdb.secure.auth.jwt.JwtValidator").getMethod("builder").invoke(null);
        assertSame(jwt, builder.getClass().getModule());
    }

    /**
     * store-keyring embeds its libraries as nested jars, so bnd generates no module descriptor: on the module path it is
     * an <em>automatic</em> module named by its {@code Automatic-Module-Name} (not the file name), and JPMS can assert
     * only that much: its packages are this bundle's own two (the nested jars add none), it reads everything and exports
     * everything, its internal package included (an automatic module cannot conceal one), and its store class loads
     * from it in a layer with the api module. Its dependencies come from its pom as automatic modules (README).
     */
    @Test
    public void keyringIsAnAutomaticModuleNamedByItsManifest() throws Exception {
        String name = "dev.stdb.secure.store.keyring";
        File jar = Vectors.bundleJar("store.keyring");
        try (JarFile f = new JarFile(jar)) {
            assertEquals(name, f.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
            assertNull("no module-info.class", f.getEntry("module-info.class"));
        }
        // A copy under another file name: the module name still comes from the manifest.
        Path renamed = java.nio.file.Files.createTempDirectory(Path.of("target"), "jpms-keyring-")
                .resolve("keyring-renamed-9.9.jar");
        java.nio.file.Files.copy(jar.toPath(), renamed);
        ModuleDescriptor d = ModuleFinder.of(renamed).findAll().iterator().next().descriptor();
        assertEquals(name, d.name());
        assertTrue(name + " is automatic", d.isAutomatic());
        assertEquals(Set.of(name, name + ".internal"), d.packages());

        ModuleLayer boot = ModuleLayer.boot();
        // An automatic module requires nothing, so the api module is a root of its own; the keyring module reads it.
        Configuration cf = boot.configuration().resolve(ModuleFinder.of(apiJar.toPath(), renamed), ModuleFinder.of(),
                Set.of(name, API_BSN));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module keyring = layer.findModule(name).orElseThrow();
        assertTrue(keyring.isExported(name));
        assertTrue("an automatic module exports every package", keyring.isExported(name + ".internal"));
        assertTrue(cf.findModule(name).orElseThrow().reads().stream().anyMatch(m -> m.name().equals(API_BSN)));
        Class<?> store = Class.forName(keyring, name + ".KeyringCredentialStore");
        assertNotNull(store);
        assertSame(keyring, store.getModule());
        assertTrue(store.getInterfaces().length > 0
                && "dev.stdb.secure.api.store.CredentialStore".equals(store.getInterfaces()[0].getName()));
    }

    /**
     * The shell bundle is for Karaf only, yet like every bundle a named module: bnd's descriptor requires the api module
     * and, for the Karaf shell API and the OSGi framework, the names their jars get as automatic modules
     * ({@code org.apache.karaf.shell.core}, {@code osgi.core}). With those jars it resolves into a layer and its command
     * classes load from it; it exports nothing.
     */
    @Test
    public void shellModuleResolvesWithTheKarafShellApiAsAnAutomaticModule() throws Exception {
        String name = "dev.stdb.secure.shell";
        String karaf = Vectors.required("stdb.version.karaf");
        Path shellCore = mavenJar("org/apache/karaf/shell", "org.apache.karaf.shell.core", karaf);
        Path osgiCore = mavenJar("org/osgi", "osgi.core", Vectors.required("stdb.version.osgi.core"));
        ModuleFinder finder = ModuleFinder.of(apiJar.toPath(), Vectors.bundleJar("shell").toPath(), shellCore, osgiCore);
        ModuleDescriptor d = finder.find(name).orElseThrow(() -> new AssertionError("no module " + name)).descriptor();
        assertFalse(name + " is automatic: module-info.class is missing", d.isAutomatic());
        assertTrue(name + " exports " + d.exports(), d.exports().isEmpty());
        assertEquals(Set.of("java.base", API_BSN, "org.apache.karaf.shell.core", "osgi.core"),
                d.requires().stream().map(ModuleDescriptor.Requires::name).collect(Collectors.toSet()));
        assertTrue(finder.find("org.apache.karaf.shell.core").orElseThrow().descriptor().isAutomatic());

        ModuleLayer boot = ModuleLayer.boot();
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(name));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());
        Module shell = layer.findModule(name).orElseThrow();
        Class<?> verify = Class.forName(shell, name + ".internal.AuditVerifyCommand");
        assertNotNull(verify);
        assertSame(shell, verify.getModule());
        assertEquals("org.apache.karaf.shell.api.action.Action",
                verify.getSuperclass().getInterfaces()[0].getName());
    }

    private static Path mavenJar(String groupPath, String artifact, String version) {
        Path repo = Path.of(Vectors.required("org.ops4j.pax.url.mvn.localRepository"));
        return repo.resolve(groupPath + "/" + artifact + "/" + version + "/" + artifact + "-" + version + ".jar");
    }

    @Test
    public void moduleLayerOfTheTwoJarsDecodesABrotliFrame() throws Exception {
        ModuleFinder finder = ModuleFinder.of(apiJar.toPath(), protocolJar.toPath());
        ModuleLayer boot = ModuleLayer.boot();
        // Nothing but the two jars and the JDK: the platform loader as parent, so the test's class path cannot help.
        Configuration cf = boot.configuration().resolve(finder, ModuleFinder.of(), Set.of(API_BSN, PROTOCOL_BSN));
        ModuleLayer layer = boot.defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

        Module protocol = layer.findModule(PROTOCOL_BSN).orElseThrow();
        Module api = layer.findModule(API_BSN).orElseThrow();
        assertSame(layer, protocol.getLayer());
        assertSame(protocol.getClassLoader(), api.getClassLoader());
        assertEquals(Set.of("java.base"), cf.findModule(PROTOCOL_BSN).orElseThrow().reads().stream()
                .map(m -> m.name()).collect(Collectors.toSet()));
        assertFalse(protocol.isExported(BROTLI_PACKAGE));
        assertFalse(protocol.isExported("dev.stdb.secure.protocol.internal"));
        for (String pkg : PROTOCOL_PACKAGES) {
            assertTrue(pkg, protocol.isExported(pkg));
        }

        Class<?> subprotocol = Class.forName(protocol, "dev.stdb.secure.protocol.frame.Subprotocol");
        Class<?> codecClass = Class.forName(protocol, "dev.stdb.secure.protocol.frame.ServerFrameCodec");
        assertNotNull(subprotocol);
        assertNotNull(codecClass);
        assertSame(protocol, codecClass.getModule());
        Object v2 = subprotocol.getField("V2_BSATN").get(null);
        Object codec = codecClass.getConstructor(subprotocol).newInstance(v2);
        List<?> messages = (List<?>) codecClass.getMethod("decode", byte[].class)
                .invoke(codec, (Object) hex(Vectors.SERVER_FRAME_BROTLI));

        assertEquals(1, messages.size());
        Object m = messages.get(0);
        assertSame(protocol, m.getClass().getModule());
        assertEquals("dev.stdb.secure.protocol.message.ServerMessage$SubscribeApplied", m.getClass().getName());
        assertEquals(Vectors.SUBSCRIBE_REQUEST_ID, call(m, "requestId"));
        assertEquals(Vectors.SUBSCRIBE_QUERY_SET_ID, call(m, "querySetId"));
        List<?> tables = (List<?>) call(call(m, "rows"), "tables");
        assertEquals(1, tables.size());
        Object table = tables.get(0);
        assertEquals(Vectors.SUBSCRIBE_TABLE, call(table, "table"));
        Object rows = call(table, "rows");
        assertEquals(Vectors.SUBSCRIBE_ROWS_HEX, hex((byte[]) call(rows, "rowsData")));
        assertArrayEquals(Vectors.SUBSCRIBE_ROW_OFFSETS, (long[]) call(call(rows, "sizeHint"), "offsets"));

        // The Brotli decoder that just ran is the copy concealed inside the protocol module.
        Class<?> brotli = Class.forName(protocol, BROTLI_PACKAGE + ".BrotliInputStream");
        assertNotNull(brotli);
        assertSame(protocol, brotli.getModule());
    }

    // ------------------------------------------------------------------ helpers

    private static Object call(Object target, String accessor) throws Exception {
        Method m = target.getClass().getMethod(accessor);
        return m.invoke(target);
    }

    private static void assertExports(ModuleDescriptor d, File jar, List<String> designPackages) throws IOException {
        Set<String> exports = new TreeSet<>();
        for (ModuleDescriptor.Exports e : d.exports()) {
            assertFalse(d.name() + " has a qualified export " + e, e.isQualified());
            exports.add(e.source());
        }
        Set<String> expected = new TreeSet<>();
        for (String pkg : packagesInJar(jar.toPath())) {
            if (pkg.startsWith("dev.stdb.secure.") && !isInternal(pkg)) {
                expected.add(pkg);
            }
        }
        assertTrue(d.name() + " holds the design's packages " + designPackages + ", has " + expected,
                expected.containsAll(designPackages));
        assertEquals(d.name() + " exports exactly its public packages", expected, exports);
        assertTrue(d.name() + " exports an internal package: " + exports, exports.stream().noneMatch(Vectors::isInternal));
    }

    private static Set<String> packagesInJar(Path jar) throws IOException {
        Set<String> packages = new TreeSet<>();
        try (JarFile f = new JarFile(jar.toFile())) {
            Enumeration<JarEntry> entries = f.entries();
            while (entries.hasMoreElements()) {
                String name = entries.nextElement().getName();
                int slash = name.lastIndexOf('/');
                if (name.endsWith(".class") && slash > 0 && !name.startsWith("META-INF/")) {
                    packages.add(name.substring(0, slash).replace('/', '.'));
                }
            }
        }
        return packages;
    }
}
