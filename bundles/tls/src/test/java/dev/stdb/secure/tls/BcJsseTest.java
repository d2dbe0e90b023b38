package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.sandbox.Sandbox;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The handshake made by Bouncy Castle's JSSE (jsse.provider=BCJSSE), with the same trust manager and pins. */
class BcJsseTest {

    private static final char[] PASSWORD = "changeit".toCharArray();
    private static Pki.Issued root;
    private static Pki.Issued intermediate;
    private static Pki.Issued leaf;
    private static Pki.Issued otherRoot;

    @TempDir
    Path dir;
    private Sandbox sandbox;
    private Connection connection;
    private final List<SecurityEvent> events = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void certificates() throws Exception {
        root = Pki.root("BCJSSE Root");
        intermediate = Pki.intermediate("BCJSSE Intermediate", root);
        leaf = Pki.leaf(intermediate, "127.0.0.1", "localhost");
        otherRoot = Pki.root("BCJSSE Other Root");
    }

    @AfterEach
    void close() {
        if (connection != null) {
            connection.close();
        }
        if (sandbox != null) {
            sandbox.close();
        }
    }

    private TlsProfile.Builder profile() throws Exception {
        sandbox = Sandbox.builder().tls(Pki.serverKeyStore(PASSWORD, leaf, intermediate.cert()), PASSWORD).start();
        return TlsProfile.builder("bcjsse").trustSystem(false).trustPem(Pki.pem(dir.resolve("ca.pem"), root.cert()))
                .jsseProvider("BCJSSE").events(events::add);
    }

    @Test
    void pinnedConnectionOverBcJsse() throws Exception {
        TlsProfile p = profile().pins(PinSet.of("127.0.0.1", intermediate.spkiPin(), root.spkiPin())).build();
        TlsContext tls = p.contextFor(URI.create("wss://127.0.0.1/"));
        assertEquals("BCJSSE", tls.sslContext().getProvider().getName());
        connection = SandboxClients.connect(sandbox, p);
        assertTrue(connection.identity() != null);
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void pinMismatchIsRefusedOverBcJsseToo() throws Exception {
        TlsProfile p = profile().pins(PinSet.of("127.0.0.1", otherRoot.spkiPin(),
                Pki.root("BCJSSE Backup").spkiPin())).build();
        Throwable failure = SandboxClients.refused(sandbox, p);
        assertEquals(ReasonCode.PIN_MISMATCH, ((TlsException) failure).reason(), failure.toString());
        assertTrue(events.stream().anyMatch(e -> e.type() == SecurityEventType.PIN_MISMATCH), events.toString());
    }

    @Test
    void unknownProviderIsAConfigurationError() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> TlsProfile.builder("x").jsseProvider("NoSuchJsse"));
        assertTrue(e.getMessage().contains("jsse.provider") && e.getMessage().contains("NoSuchJsse"), e.getMessage());
    }
}
