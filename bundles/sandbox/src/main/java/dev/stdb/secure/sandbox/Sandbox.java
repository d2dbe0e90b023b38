package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.MintedToken;
import dev.stdb.secure.sandbox.internal.auth.TokenValidator;
import dev.stdb.secure.sandbox.internal.module.BuiltInModule;
import dev.stdb.secure.sandbox.internal.server.FaultState;
import dev.stdb.secure.sandbox.internal.server.SandboxServer;
import dev.stdb.secure.sandbox.internal.server.TlsSettings;

import java.io.IOException;
import java.net.URI;
import java.security.KeyStore;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * A local emulator of the SpacetimeDB client protocol (PROTOCOL.md): the test bed of every end-to-end test and a
 * target for local development. It serves one database with a small built-in module, validates tokens as
 * SpacetimeDB does, and can inject faults. <b>It is not a database</b>: rows live in memory and vanish on close.
 *
 * <pre>{@code
 * try (Sandbox sandbox = Sandbox.builder().database("quickstart").start()) {
 *     URI uri = sandbox.wsUri();               // ws://127.0.0.1:<port>/
 *     sandbox.faults().dropConnections();
 * }
 * }</pre>
 */
public final class Sandbox implements AutoCloseable {
    private final SandboxServer server;
    private final LocalIssuer issuer;
    private final String host;
    private final String database;
    private final SandboxFaults faults;

    private Sandbox(Builder b) throws IOException {
        this.host = b.host;
        this.database = b.database;
        this.issuer = LocalIssuer.generate(b.issuer, b.clock);
        TokenValidator.Builder tokens = TokenValidator.builder(issuer).clock(b.clock);
        if (b.oidcTrust != null) {
            tokens.sslContext(b.oidcTrust);
        }
        TokenValidator validator = tokens.build();
        FaultState faultState = new FaultState();
        TlsSettings tls = b.keyStore == null ? null
                : new TlsSettings(b.keyStore, b.keyPassword, b.trustStore, b.trustStore != null);
        this.server = new SandboxServer(b.host, b.port, b.database, b.protocols, tls, BuiltInModule.create(),
                issuer, validator, faultState, b.clock);
        this.faults = new SandboxFaults(server.faults());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** {@code http://host:port/} or {@code https://...}: the base of the HTTP routes. */
    public URI httpUri() {
        return URI.create((server.isTls() ? "https" : "http") + "://" + hostForUri() + ":" + port() + "/");
    }

    /** {@code ws://host:port/} or {@code wss://...}: what a client connects to. */
    public URI wsUri() {
        return URI.create((server.isTls() ? "wss" : "ws") + "://" + hostForUri() + ":" + port() + "/");
    }

    private String hostForUri() {
        return host.contains(":") ? "[" + host + "]" : host;
    }

    public int port() {
        return server.port();
    }

    public String database() {
        return database;
    }

    /** The {@code iss} of the tokens the sandbox mints ({@code localhost}, like a standalone SpacetimeDB). */
    public String issuer() {
        return issuer.issuer();
    }

    /** SHA-256 fingerprint of the sandbox's ES256 public key. */
    public String publicKeyFingerprint() {
        return issuer.publicKeyFingerprint();
    }

    /** The built-in module's schema, as {@code GET /v1/database/<db>/schema} serves it. */
    public ModuleSchema schema() {
        return server.engine().database().schema();
    }

    /** A fresh anonymous identity and its long-lived token, as {@code POST /v1/identity} gives. */
    public IssuedToken issueToken() {
        MintedToken minted = issuer.mintAnonymous();
        return new IssuedToken(minted.identity(), minted.token());
    }

    public SandboxFaults faults() {
        return faults;
    }

    /** Live WebSocket connections. */
    public int connectionCount() {
        return server.engine().connectionCount();
    }

    /** What the sandbox prints when it starts. */
    public String banner() {
        return String.join(System.lineSeparator(),
                "SpacetimeDB protocol sandbox: an emulator for tests and development. It is NOT a database;",
                "rows live in memory and are gone when it stops.",
                "  URL:        " + wsUri() + "   (HTTP: " + httpUri() + ")",
                "  Database:   " + database,
                "  Issuer:     " + issuer() + "   public key " + publicKeyFingerprint(),
                "  Tables:     person (primary key id), message, chat_event (event table)",
                "  Reducers:   add_person, update_person, delete_person, send_message, fail, panic");
    }

    @Override
    public void close() {
        server.close();
    }

    /** Settings of a sandbox; every one has a default that suits tests. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private String database = "quickstart";
        private String issuer = "localhost";
        private List<Subprotocol> protocols = Subprotocol.CLIENT_OFFER;
        private KeyStore keyStore;
        private char[] keyPassword;
        private KeyStore trustStore;
        private javax.net.ssl.SSLContext oidcTrust;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** Address to listen on; 127.0.0.1 by default, and tests keep it there. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** Port; 0 (the default) picks a free one. */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.port = port;
            return this;
        }

        public Builder database(String database) {
            if (database == null || database.isBlank() || database.contains("/")) {
                throw new IllegalArgumentException("invalid database name: " + database);
            }
            this.database = database;
            return this;
        }

        /** The {@code iss} of minted tokens; {@code localhost} by default. */
        public Builder issuer(String issuer) {
            this.issuer = Objects.requireNonNull(issuer, "issuer");
            return this;
        }

        /** Subprotocols the sandbox accepts, most preferred first (v3 then v2 by default). */
        public Builder protocols(Subprotocol... protocols) {
            if (protocols.length == 0) {
                throw new IllegalArgumentException("at least one subprotocol");
            }
            this.protocols = List.of(protocols);
            return this;
        }

        /** Serves {@code wss}/{@code https} with this key and certificate chain. */
        public Builder tls(KeyStore keyStore, char[] password) {
            this.keyStore = Objects.requireNonNull(keyStore, "keyStore");
            this.keyPassword = password.clone();
            return this;
        }

        /** With {@link #tls}: requires a client certificate that chains to these anchors. */
        public Builder requireClientCertificates(KeyStore trustStore) {
            this.trustStore = Objects.requireNonNull(trustStore, "trustStore");
            return this;
        }

        /**
         * The TLS trust for fetching discovery and JWKS of {@code https} token issuers (an IdP with a test CA, such
         * as Keycloak's HTTPS port in testing/keycloak); default the JVM's trust store.
         */
        public Builder oidcTrust(javax.net.ssl.SSLContext context) {
            this.oidcTrust = Objects.requireNonNull(context, "context");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public Sandbox start() throws IOException {
            if (trustStore != null && keyStore == null) {
                throw new IllegalStateException("client certificates need tls(...) too");
            }
            return new Sandbox(this);
        }
    }
}
