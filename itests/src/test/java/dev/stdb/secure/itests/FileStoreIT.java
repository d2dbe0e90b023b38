package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.mavenBundle;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.core.Connection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.ServiceReference;

/**
 * The encrypted file store bundle in Felix with SCR and ConfigAdmin: a factory configuration registers a
 * {@link CredentialStore} with its store.id and ranking, a connection selecting it with store.target keeps its anonymous
 * token there (encrypted: the token's bytes are not in the files), and a configuration the component rejects gives no
 * usable service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class FileStoreIT extends StdbTestSupport {

    private static final String PID = "dev.stdb.secure.store.file";
    private static final String STORE_DIR = "stdb.itest.store.dir";

    @Override
    protected Option[] additionalOptions(URI sandbox) throws Exception {
        Path dir = Paths.get("target", "filestore-it").toAbsolutePath();
        Files.createDirectories(dir);
        return options(
                mavenBundle("org.bouncycastle", "bcprov-jdk18on", Vectors.required("stdb.version.bouncycastle")),
                bundle(Vectors.bundleJar("storefile").toURI().toString()),
                systemProperty(STORE_DIR).value(dir.toString()));
    }

    private Map<String, Object> storeConfig(String id) {
        Map<String, Object> p = new HashMap<>();
        p.put("store.id", id);
        p.put("path", Paths.get(System.getProperty(STORE_DIR), id + "-" + UUID.randomUUID()).toString());
        p.put("passphrase.env", "STDB_ITEST_STORE_PASSPHRASE");
        p.put("argon2.memory.kib", 1024);
        p.put("argon2.iterations", 1);
        p.put("service.ranking", 10);
        return p;
    }

    @Test
    public void aConnectionKeepsItsAnonymousTokenInTheEncryptedFileStore() throws Exception {
        Map<String, Object> config = storeConfig("file-it");
        configureFactory(PID, config);
        CredentialStore store = awaitService(CredentialStore.class, "(store.id=file-it)", TIMEOUT);
        assertEquals(Protection.ENCRYPTED_FILE, store.protection());
        ServiceReference<CredentialStore> ref = references(CredentialStore.class, "(store.id=file-it)").get(0);
        assertEquals(10, ref.getProperty("service.ranking"));
        assertEquals(null, ref.getProperty("key.service.target"));

        Map<String, Object> connection = connectionProperties("filestore");
        connection.put("store.target", "(store.id=file-it)");
        configureConnection(connection);
        Connection c = awaitConnection("filestore");
        await("the anonymous token in the file store", () -> store.list().stream()
                .anyMatch(k -> k.endsWith("/" + DATABASE + "/token")));
        String key = store.list().stream().filter(k -> k.endsWith("/token")).findFirst().orElseThrow();
        byte[] token;
        try (Secret s = store.read(key).orElseThrow()) {
            token = s.bytesCopy();
        }
        assertTrue(token.length > 20);
        Path dir = Paths.get((String) config.get("path"));
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> all = files.collect(Collectors.toList());
            assertEquals(Set.of("store.sdbf", "store.lock"),
                    all.stream().map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
            String needle = new String(token, StandardCharsets.ISO_8859_1);
            for (Path p : all) {
                assertFalse(p + " holds the token in clear",
                        new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1).contains(needle));
            }
        }
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir)));
        assertTrue(c.identity() != null);
    }

    @Test
    public void aRejectedConfigurationGivesNoUsableStore() throws Exception {
        Map<String, Object> bad = storeConfig("file-bad");
        bad.put("key.source", "vault");
        configureFactory(PID, bad);
        Map<String, Object> unset = storeConfig("file-unset");
        unset.put("passphrase.env", "STDB_ITEST_NOT_SET");
        configureFactory(PID, unset);
        configureFactory(PID, storeConfig("file-good"));
        awaitService(CredentialStore.class, "(store.id=file-good)", TIMEOUT);
        // SCR keeps the registration of a component whose activation failed, but hands out no service object: a
        // connection cannot bind a store whose configuration was rejected (the reason is in SCR's log).
        await("no usable store for the rejected configurations", () -> {
            for (ServiceReference<CredentialStore> r
                    : references(CredentialStore.class, "(|(store.id=file-bad)(store.id=file-unset))")) {
                CredentialStore s = bundleContext.getService(r);
                if (s != null) {
                    bundleContext.ungetService(r);
                    return false;
                }
            }
            return true;
        });
    }
}
