package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.AuditTrail;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.VerificationResult;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.audit.file.FileAuditTrail;
import dev.stdb.secure.audit.file.Verification;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import javax.net.ssl.X509KeyManager;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One file audit trail per factory configuration {@code dev.stdb.secure.audit.file~<name>}, registered as
 * {@link AuditSink} and {@link AuditTrail}. The configuration is checked at activation (a bad value fails it with a
 * {@link ConfigurationException} naming the property); the trail's files are only touched on first use. With
 * {@code signing.alias} checkpoints are signed by the KeyService bound at that moment (selected by
 * {@code key.service.target}); while none is bound, publishing a record that needs a checkpoint fails with
 * {@code AUDIT_SINK_UNAVAILABLE} and the core spools.
 */
@Designate(ocd = FileAuditConfig.class, factory = true)
@Component(configurationPid = FileAuditComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {AuditSink.class, AuditTrail.class}, immediate = true)
public final class FileAuditComponent implements AuditSink, AuditTrail {

    public static final String PID = "dev.stdb.secure.audit.file";

    @Reference(name = "key.service", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile KeyService keyService;

    private final FileAuditTrail trail;

    @Activate
    public FileAuditComponent(FileAuditConfig config) {
        this(config, System::getenv);
    }

    /** For tests: the environment is injected. */
    FileAuditComponent(FileAuditConfig config, Function<String, String> env) {
        Path dir = absolute("directory", config.directory(), true);
        nonNegative("segment.max.bytes", config.segment_max_bytes());
        nonNegative("segment.max.seconds", config.segment_max_seconds());
        nonNegative("checkpoint.every.records", config.checkpoint_every_records());
        nonNegative("checkpoint.every.seconds", config.checkpoint_every_seconds());
        if (config.checkpoint_every_records() == 0 && config.checkpoint_every_seconds() == 0) {
            throw new ConfigurationException("checkpoint.every.records: 0 together with checkpoint.every.seconds=0"
                    + " would never sign the chain");
        }
        FileAuditTrail.Builder b = FileAuditTrail.builder(dir)
                .segmentMaxBytes(config.segment_max_bytes())
                .segmentMaxAge(Duration.ofSeconds(config.segment_max_seconds()))
                .checkpointEveryRecords(config.checkpoint_every_records())
                .checkpointEvery(Duration.ofSeconds(config.checkpoint_every_seconds()));
        String alias = trim(config.signing_alias());
        String keystore = trim(config.keystore_path());
        if (!alias.isEmpty() && !keystore.isEmpty()) {
            throw new ConfigurationException("signing.alias: set either signing.alias (KeyService) or keystore.path,"
                    + " not both");
        }
        if (!alias.isEmpty()) {
            b.signWith(new CurrentKeyService(), alias);
        } else if (!keystore.isEmpty()) {
            Path ks = absolute("keystore.path", keystore, false);
            String var = trim(config.keystore_password_env());
            if (var.isEmpty()) {
                throw new ConfigurationException("keystore.password.env: required with keystore.path (the name of"
                        + " the environment variable holding the password)");
            }
            String pw = env.apply(var);
            if (pw == null) {
                throw new ConfigurationException("keystore.password.env: environment variable '" + var
                        + "' is not set");
            }
            String ksAlias = trim(config.keystore_alias());
            if (ksAlias.isEmpty()) {
                throw new ConfigurationException("keystore.alias: required with keystore.path");
            }
            char[] chars = pw.toCharArray();
            try {
                b.signWithPkcs12(ks, chars, ksAlias);
            } catch (AuditException e) {
                throw new ConfigurationException("keystore.path: " + e.getMessage(), e);
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        } else {
            throw new ConfigurationException("signing.alias: required (a KeyService key alias), or keystore.path"
                    + " with keystore.password.env and keystore.alias");
        }
        String cert = trim(config.certificate_path());
        if (!cert.isEmpty()) {
            try {
                PublicKey k = Signer.certificateKey(absolute("certificate.path", cert, false));
                b.verifyWith(k);
            } catch (Exception e) {
                throw new ConfigurationException("certificate.path: cannot read certificate " + cert + " ("
                        + e.getClass().getSimpleName() + ")", e);
            }
        }
        this.trail = b.open();
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    private static void nonNegative(String property, long value) {
        if (value < 0) {
            throw new ConfigurationException(property + ": must not be negative, got " + value);
        }
    }

    private static Path absolute(String property, String value, boolean required) {
        String v = trim(value);
        if (v.isEmpty()) {
            throw new ConfigurationException(property + ": required (an absolute path)");
        }
        try {
            Path p = Path.of(v);
            if (!p.isAbsolute()) {
                throw new ConfigurationException(property + ": '" + v + "' must be absolute");
            }
            return p;
        } catch (InvalidPathException e) {
            throw new ConfigurationException(property + ": '" + v + "' is not a valid path", e);
        }
    }

    @Deactivate
    void deactivate() {
        trail.close();
    }

    /** The trail behind this component (tests). */
    FileAuditTrail trail() {
        return trail;
    }

    @Override
    public void publish(SecurityEvent event) throws AuditException {
        trail.publish(event);
    }

    @Override
    public List<SecurityEvent> query(AuditQuery query) throws AuditException {
        return trail.query(query);
    }

    @Override
    public VerificationResult verify(Instant from, Instant to) throws AuditException {
        return trail.verify(from, to);
    }

    /** The detailed result (segment, line, kind), for the shell command. */
    public Verification verifyDetailed() throws AuditException {
        return trail.verifyDetailed();
    }

    @Override
    public String toString() {
        return "FileAuditComponent[" + trail.directory() + "]";
    }

    /** Signs with whichever KeyService is bound when a checkpoint is written. */
    private final class CurrentKeyService implements KeyService {
        private KeyService current() {
            KeyService ks = keyService;
            if (ks == null) {
                throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, "no KeyService bound to sign audit"
                        + " checkpoints");
            }
            return ks;
        }

        @Override
        public String id() {
            KeyService ks = keyService;
            return ks == null ? "(none bound)" : ks.id();
        }

        @Override
        public Set<String> aliases() {
            return current().aliases();
        }

        @Override
        public byte[] sign(String alias, String algorithm, byte[] data) {
            return current().sign(alias, algorithm, data);
        }

        @Override
        public byte[] wrap(String alias, Secret plaintext) {
            return current().wrap(alias, plaintext);
        }

        @Override
        public Secret unwrap(String alias, byte[] wrapped) {
            return current().unwrap(alias, wrapped);
        }

        @Override
        public Optional<X509KeyManager> keyManager(String alias) {
            return current().keyManager(alias);
        }

        @Override
        public Optional<PublicKey> publicKey(String alias) {
            return current().publicKey(alias);
        }
    }
}
