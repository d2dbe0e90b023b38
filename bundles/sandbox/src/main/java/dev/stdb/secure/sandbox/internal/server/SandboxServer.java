package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.TokenValidator;
import dev.stdb.secure.sandbox.internal.module.Database;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/** Wires Jetty: one connector on the chosen address (plain or TLS), the HTTP routes and the WebSocket container. */
public final class SandboxServer implements AutoCloseable {
    private final Server server;
    private final ServerConnector connector;
    private final Engine engine;
    private final FaultControl faults;
    private final boolean tls;

    public SandboxServer(String host, int port, String database, List<Subprotocol> protocols, TlsSettings tlsSettings,
                         Database db, LocalIssuer issuer, TokenValidator validator, FaultState faults, Clock clock)
            throws IOException {
        QueuedThreadPool threads = new QueuedThreadPool(64, 4);
        threads.setName("sandbox-http");
        threads.setDaemon(true);
        server = new Server(threads);
        tls = tlsSettings != null;
        connector = tls ? tlsConnector(tlsSettings) : new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        ServerWebSocketContainer container = ServerWebSocketContainer.ensure(server);
        container.setMaxBinaryMessageSize(ProtocolLimits.DEFAULT_MAX_MESSAGE_BYTES);
        container.setIdleTimeout(Duration.ofSeconds(30));

        engine = new Engine(db, clock, faults);
        this.faults = new FaultControl(faults, engine, validator, issuer, clock);
        Authentication auth = new Authentication(issuer, validator);
        server.setHandler(new HttpApi(database, engine, issuer, auth,
                new SubscribeUpgrade(container, engine, auth, protocols, faults, clock), this.faults));
        try {
            server.start();
        } catch (Exception e) {
            close();
            throw new IOException("cannot start the sandbox on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    private ServerConnector tlsConnector(TlsSettings settings) {
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setKeyStore(settings.keyStore());
        ssl.setKeyStorePassword(new String(settings.keyPassword()));
        if (settings.trustStore() != null) {
            ssl.setTrustStore(settings.trustStore());
        }
        ssl.setNeedClientAuth(settings.needClientAuth());
        ssl.setIncludeProtocols("TLSv1.3", "TLSv1.2");
        HttpConfiguration https = new HttpConfiguration();
        SecureRequestCustomizer customizer = new SecureRequestCustomizer();
        // Tests connect to 127.0.0.1, which no SNI names; the certificate check is the client's job.
        customizer.setSniHostCheck(false);
        https.addCustomizer(customizer);
        return new ServerConnector(server, new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(https));
    }

    public int port() {
        return connector.getLocalPort();
    }

    public boolean isTls() {
        return tls;
    }

    public FaultControl faults() {
        return faults;
    }

    public Engine engine() {
        return engine;
    }

    @Override
    public void close() {
        engine.dropAll();
        try {
            server.stop();
        } catch (Exception e) {
            // Stopping is best effort; the threads are daemons.
        }
        engine.close();
    }
}
