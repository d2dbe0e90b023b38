package dev.stdb.secure.audit.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.audit.file.FileAuditTrail;
import dev.stdb.secure.audit.file.Verify;
import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import javax.net.ssl.X509KeyManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileAuditComponentTest {

    private static final String PASS = "Keystore-Password-Value-9876";

    @TempDir
    Path tmp;

    /** A configuration as SCR would hand it. */
    static class Config implements FileAuditConfig {
        String directory = "";
        long maxBytes = 1 << 20;
        long maxSeconds = 3600;
        long everyRecords = 3;
        long everySeconds = 0;
        String target = null;
        String alias = "";
        String keystore = "";
        String passwordEnv = "";
        String keystoreAlias = "";
        String cert = "";

        @Override public Class<? extends Annotation> annotationType() { return FileAuditConfig.class; }
        @Override public String directory() { return directory; }
        @Override public long segment_max_bytes() { return maxBytes; }
        @Override public long segment_max_seconds() { return maxSeconds; }
        @Override public long checkpoint_every_records() { return everyRecords; }
        @Override public long checkpoint_every_seconds() { return everySeconds; }
        @Override public String key_service_target() { return target; }
        @Override public String signing_alias() { return alias; }
        @Override public String keystore_path() { return keystore; }
        @Override public String keystore_password_env() { return passwordEnv; }
        @Override public String keystore_alias() { return keystoreAlias; }
        @Override public String certificate_path() { return cert; }
    }

    private Config config(Consumer<Config> change) {
        Config c = new Config();
        c.directory = tmp.resolve("trail").toString();
        c.alias = "audit";
        change.accept(c);
        return c;
    }

    private static final Map<String, String> ENV = Map.of("AUDIT_KS_PASS", PASS);

    private static void bad(Config c, String property) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new FileAuditComponent(c, ENV::get));
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("] " + property + ":"), e.getMessage());
        assertFalse(e.getMessage().contains(PASS), e.getMessage());
    }

    @Test
    void badConfigurationsNameTheProperty() {
        bad(config(c -> c.directory = ""), "directory");
        bad(config(c -> c.directory = "relative/dir"), "directory");
        bad(config(c -> c.maxBytes = -1), "segment.max.bytes");
        bad(config(c -> c.everyRecords = -1), "checkpoint.every.records");
        bad(config(c -> { c.everyRecords = 0; c.everySeconds = 0; }), "checkpoint.every.records");
        bad(config(c -> c.alias = ""), "signing.alias");
        bad(config(c -> c.keystore = "/x.p12"), "signing.alias");
        bad(config(c -> { c.alias = ""; c.keystore = "/x.p12"; }), "keystore.password.env");
        bad(config(c -> { c.alias = ""; c.keystore = "/x.p12"; c.passwordEnv = "NOT_SET_ANYWHERE"; }),
                "keystore.password.env");
        bad(config(c -> { c.alias = ""; c.keystore = "/x.p12"; c.passwordEnv = "AUDIT_KS_PASS"; }),
                "keystore.alias");
        bad(config(c -> { c.alias = ""; c.keystore = tmp.resolve("missing.p12").toString();
            c.passwordEnv = "AUDIT_KS_PASS"; c.keystoreAlias = "audit"; }), "keystore.path");
        bad(config(c -> c.cert = tmp.resolve("missing.pem").toString()), "certificate.path");
    }

    @Test
    void keyServiceSignsCheckpointsAndComesAndGoes() throws Exception {
        FakeKeyService ks = new FakeKeyService();
        FileAuditComponent component = new FileAuditComponent(config(c -> { }), ENV::get);
        try {
            component.keyService = ks;
            for (int i = 0; i < 3; i++) {
                component.publish(event(i));
            }
            assertEquals(1, ks.signatures);
            component.publish(event(3));
            component.keyService = null; // the KeyService went away: the next checkpoint cannot be signed
            component.publish(event(4));
            AuditException e = assertThrows(AuditException.class, () -> component.publish(event(5)));
            assertEquals(ReasonCode.AUDIT_SINK_UNAVAILABLE, e.reason());
            component.keyService = ks;
            component.publish(event(5));
            assertEquals(6, component.query(AuditQuery.all()).size());
            assertTrue(component.verify(null, null).intact(), component.verifyDetailed().toString());
        } finally {
            component.deactivate();
        }
    }

    @Test
    void pkcs12KeystoreAndCertificateForTheCommandLine() throws Exception {
        Path p12 = tmp.resolve("audit.p12");
        Path cert = tmp.resolve("audit.pem");
        keytool("-genkeypair", "-alias", "audit", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=audit",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", p12.toString(), "-storepass", PASS,
                "-keypass", PASS);
        keytool("-exportcert", "-rfc", "-alias", "audit", "-keystore", p12.toString(), "-storepass", PASS,
                "-file", cert.toString());
        Config c = config(x -> { x.alias = ""; x.keystore = p12.toString(); x.passwordEnv = "AUDIT_KS_PASS";
            x.keystoreAlias = "audit"; x.cert = cert.toString(); });
        FileAuditComponent component = new FileAuditComponent(c, ENV::get);
        try {
            for (int i = 0; i < 7; i++) {
                component.publish(event(i));
            }
            assertTrue(component.verify(null, null).intact(), component.verifyDetailed().toString());
            assertEquals(7, component.query(AuditQuery.builder().types(SecurityEventType.CONNECTED).build()).size());
        } finally {
            component.deactivate();
        }
        Path dir = Path.of(c.directory);
        assertEquals(0, Verify.run(dir.toString(), "--cert", cert.toString(), "--every", "3"));
        for (Path seg : FileAuditTrail.listSegments(dir)) {
            assertFalse(Files.readString(seg).contains(PASS));
        }
        // signed by another key: the command names the forged checkpoint
        Path other = tmp.resolve("other.p12");
        Path otherCert = tmp.resolve("other.pem");
        keytool("-genkeypair", "-alias", "x", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=x",
                "-validity", "30", "-storetype", "PKCS12", "-keystore", other.toString(), "-storepass", PASS,
                "-keypass", PASS);
        keytool("-exportcert", "-rfc", "-alias", "x", "-keystore", other.toString(), "-storepass", PASS,
                "-file", otherCert.toString());
        assertEquals(1, Verify.run(dir.toString(), "--cert", otherCert.toString()));
    }

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        assertEquals(0, p.exitValue(), out);
    }

    private static SecurityEvent event(int i) {
        return SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.SUCCESS).source("test")
                .detail("i", Integer.toString(i)).build();
    }

    /** An EC key "in a device": signs, and hands out only the public key. */
    static final class FakeKeyService implements KeyService {
        private final KeyPair keys;
        int signatures;

        FakeKeyService() throws Exception {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            keys = g.generateKeyPair();
        }

        @Override public String id() { return "fake"; }
        @Override public Set<String> aliases() { return Set.of("audit"); }

        @Override
        public synchronized byte[] sign(String alias, String algorithm, byte[] data) {
            try {
                Signature s = Signature.getInstance(algorithm);
                s.initSign(keys.getPrivate());
                s.update(data);
                signatures++;
                return s.sign();
            } catch (Exception e) {
                throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, "sign", e);
            }
        }

        @Override public byte[] wrap(String alias, Secret plaintext) { throw new UnsupportedOperationException(); }
        @Override public Secret unwrap(String alias, byte[] wrapped) { throw new UnsupportedOperationException(); }
        @Override public Optional<X509KeyManager> keyManager(String alias) { return Optional.empty(); }
        @Override public Optional<PublicKey> publicKey(String alias) { return Optional.of(keys.getPublic()); }
    }
}
