package dev.stdb.secure.audit.syslog;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * An {@link AuditSink} that sends each event as one RFC 5424 message to a syslog server over TCP with octet-counting
 * framing (RFC 6587) or over TLS (RFC 5425). Build with {@link #builder(String, int)}.
 *
 * <h2>Delivery</h2>
 * {@link #publish} returns once the framed message was written and flushed to the socket. If there is no connection
 * and none can be made, or the write fails, it throws {@link AuditException} with
 * {@link ReasonCode#AUDIT_SINK_UNAVAILABLE} naming {@code host:port} and the cause; the core's router then spools the
 * event and retries it. Connection attempts after a failure are spaced by an exponential backoff (100 ms doubling up
 * to {@link Builder#maxBackoff}); during the backoff {@code publish} fails at once without touching the network.
 *
 * <p>TCP acknowledges bytes to the kernel, not to rsyslog: a server that stops may drop what it had not read yet.
 * So the sink keeps the frames it wrote last (up to {@link Builder#replayBytes}, 4 MiB by default) and, when a
 * connection breaks (the server closed it, which a reader thread notices, or a write failed), writes them again on
 * the next connection before anything new. Delivery is therefore at least once; copies carry the same SD-PARAM
 * {@code seq} and the same event {@code id}, by which a reader removes duplicates. An event the router retries after a
 * failed {@code publish} keeps its sequence number too.
 *
 * <p>Thread-safe; {@code publish} calls are serialised.
 */
public final class SyslogAuditSink implements AuditSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.stdb.secure.audit.syslog");
    private static final long INITIAL_BACKOFF = Duration.ofMillis(100).toNanos();
    /** Closes connections whose write passed its deadline; one daemon thread for all sinks. */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "stdb-syslog-write-deadline");
                t.setDaemon(true);
                return t;
            });

    /** How messages travel. */
    public enum Transport {
        /** Plain TCP, octet-counting framing (RFC 6587 §3.4.1). */
        TCP,
        /** TLS (RFC 5425), same framing. */
        TLS;

        /** {@code tcp} or {@code tls}, any case. */
        public static Transport parse(String s) {
            switch (Objects.requireNonNull(s, "transport").trim().toLowerCase(Locale.ROOT)) {
                case "tcp":
                    return TCP;
                case "tls":
                    return TLS;
                default:
                    throw new IllegalArgumentException("unknown transport '" + s + "' (tcp or tls)");
            }
        }
    }

    private final String host;
    private final int port;
    private final String where;
    private final Transport transport;
    private final Supplier<TlsContextProvider> tls;
    private final String appName;
    private final String hostname;
    private final String procId;
    private final int facility;
    private final int connectTimeoutMillis;
    private final long writeTimeoutMillis;
    private final long maxBackoff;
    private final long replayLimit;

    // guarded by this
    private Connection connection;
    private boolean closed;
    private long nextSeq = 1;
    private UUID pendingId;
    private long pendingSeq;
    private final ArrayDeque<byte[]> replay = new ArrayDeque<>();
    private long replayHeld;
    private boolean replayDue;
    private long backoff;
    private long nextConnect;
    private String lastFailure;

    private SyslogAuditSink(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.where = (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        this.transport = b.transport;
        this.tls = b.tls;
        this.appName = b.appName;
        this.hostname = b.hostname != null ? b.hostname : localHostname();
        this.procId = Long.toString(ProcessHandle.current().pid());
        this.facility = b.facility;
        this.connectTimeoutMillis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, b.connectTimeout.toMillis()));
        this.writeTimeoutMillis = Math.max(1, b.writeTimeout.toMillis());
        this.maxBackoff = Math.max(INITIAL_BACKOFF, b.maxBackoff.toNanos());
        this.replayLimit = b.replayBytes;
        if (transport == Transport.TLS && tls == null) {
            throw new IllegalArgumentException("transport tls needs a TlsContextProvider");
        }
    }

    /** A builder for a sink sending to {@code host:port}. */
    public static Builder builder(String host, int port) {
        return new Builder(host, port);
    }

    /** {@code host:port} of the syslog server. */
    public String target() {
        return where;
    }

    /** The HOSTNAME field written in every message. */
    public String hostname() {
        return hostname;
    }

    @Override
    public synchronized void publish(SecurityEvent event) throws AuditException {
        Objects.requireNonNull(event, "event");
        if (closed) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "syslog sink for " + where + " is closed");
        }
        long seq;
        if (event.id().equals(pendingId)) {
            seq = pendingSeq; // the router retries the event that failed: same sequence number
        } else {
            seq = nextSeq++;
            pendingId = event.id();
            pendingSeq = seq;
        }
        byte[] frame = Rfc5424.frame(Rfc5424.format(event, facility, hostname, appName, procId, seq));
        Connection c = connected();
        // A server that accepts but stops reading fills the socket buffers and a write would block for ever, and
        // with it the core's router: past the deadline the connection is closed, the write fails, the event spools.
        java.util.concurrent.atomic.AtomicBoolean timedOut = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.ScheduledFuture<?> deadline = WATCHDOG.schedule(() -> {
            timedOut.set(true);
            c.close();
        }, writeTimeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        try {
            if (replayDue) {
                for (byte[] r : replay) {
                    c.out.write(r);
                }
                LOG.log(System.Logger.Level.INFO, "Syslog " + where + ": wrote the last " + replay.size()
                        + " messages again on the new connection (duplicates carry the same seq)");
            }
            c.out.write(frame);
            c.out.flush();
        } catch (IOException e) {
            broken(c);
            throw unavailable("writing to syslog server " + where + (timedOut.get() ? " timed out after "
                    + writeTimeoutMillis + " ms (the server stopped reading)" : " failed: " + describe(e)), e);
        } finally {
            deadline.cancel(false);
        }
        if (timedOut.get()) {
            // the deadline fired just as the write completed: the connection is closed, so the bytes may be lost
            broken(c);
            throw unavailable("writing to syslog server " + where + " timed out after " + writeTimeoutMillis
                    + " ms", null);
        }
        replayDue = false;
        pendingId = null;
        remember(frame);
    }

    /** Closes the connection; later {@code publish} calls fail. Idempotent. */
    @Override
    public synchronized void close() {
        closed = true;
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private Connection connected() throws AuditException {
        if (connection != null && !connection.broken) {
            return connection;
        }
        if (connection != null) {
            LOG.log(System.Logger.Level.WARNING, "Syslog server " + where + " closed the connection; reconnecting");
            broken(connection);
        }
        long now = System.nanoTime();
        if (backoff != 0 && now - nextConnect < 0) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "not connected to syslog server " + where
                    + " over " + transport.name().toLowerCase(Locale.ROOT) + "; next attempt in "
                    + Duration.ofNanos(nextConnect - now).toMillis() + " ms; last failure: " + lastFailure);
        }
        try {
            connection = connect();
        } catch (IOException | RuntimeException e) {
            backoff = backoff == 0 ? INITIAL_BACKOFF : Math.min(maxBackoff, backoff * 2);
            nextConnect = System.nanoTime() + backoff;
            lastFailure = describe(e);
            throw unavailable("cannot connect to syslog server " + where + " over "
                    + transport.name().toLowerCase(Locale.ROOT) + ": " + lastFailure, e);
        }
        if (backoff != 0) {
            LOG.log(System.Logger.Level.INFO, "Connected to syslog server " + where + " again");
        }
        backoff = 0;
        return connection;
    }

    private void broken(Connection c) {
        c.close();
        if (connection == c) {
            connection = null;
        }
        replayDue = !replay.isEmpty();
    }

    private void remember(byte[] frame) {
        if (replayLimit <= 0) {
            return;
        }
        replay.addLast(frame);
        replayHeld += frame.length;
        while (replayHeld > replayLimit && !replay.isEmpty()) {
            replayHeld -= replay.removeFirst().length;
        }
    }

    private Connection connect() throws IOException, SecureClientException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.setKeepAlive(true);
            s.connect(new InetSocketAddress(host, port), connectTimeoutMillis);
            Socket used = s;
            if (transport == Transport.TLS) {
                TlsContextProvider provider = tls.get();
                if (provider == null) {
                    throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE,
                            "no TlsContextProvider is bound (check tls.target)");
                }
                TlsContext ctx = provider.contextFor(URI.create("tls://" + where));
                SSLSocket ssl = (SSLSocket) ctx.sslContext().getSocketFactory().createSocket(s, host, port, true);
                ssl.setUseClientMode(true);
                ssl.setSSLParameters(ctx.sslParameters());
                if (ssl.getSSLParameters().getEndpointIdentificationAlgorithm() == null) {
                    // the provider should set it; never talk TLS to a syslog server without checking its name
                    SSLParameters p = ssl.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    ssl.setSSLParameters(p);
                }
                ssl.setSoTimeout(connectTimeoutMillis);
                ssl.startHandshake();
                ssl.setSoTimeout(0);
                used = ssl;
            }
            return new Connection(used, where);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing a failed socket
            }
            throw e;
        }
    }

    private static AuditException unavailable(String message, Throwable cause) {
        return new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, message, cause);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() != null ? " (" + e.getMessage() + ")" : "");
    }

    private static String localHostname() {
        try {
            String h = InetAddress.getLocalHost().getHostName();
            return h == null || h.isBlank() ? "-" : h;
        } catch (IOException | SecurityException e) {
            return "-";
        }
    }

    /** One socket and the thread that notices when the server closes it (a syslog server never sends data). */
    private static final class Connection {
        final Socket socket;
        final OutputStream out;
        volatile boolean broken;

        Connection(Socket socket, String where) throws IOException {
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            InputStream in = socket.getInputStream();
            Thread reader = new Thread(() -> {
                byte[] buf = new byte[512];
                try {
                    while (in.read(buf) >= 0) {
                        // discard anything the server sends
                    }
                } catch (IOException e) {
                    // closed or reset
                } finally {
                    broken = true;
                }
            }, "stdb-syslog-reader " + where);
            reader.setDaemon(true);
            reader.start();
        }

        void close() {
            broken = true;
            try {
                socket.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing the syslog socket", e);
            }
        }
    }

    /** Options of a {@link SyslogAuditSink}. */
    public static final class Builder {
        private final String host;
        private final int port;
        private Transport transport = Transport.TCP;
        private Supplier<TlsContextProvider> tls;
        private String appName = "stdb-secure";
        private String hostname;
        private int facility = 10;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration writeTimeout = Duration.ofSeconds(10);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private long replayBytes = 4L * 1024 * 1024;

        private Builder(String host, int port) {
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("host is empty");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            this.host = host.trim();
            this.port = port;
        }

        /** Plain TCP (the default). */
        public Builder tcp() {
            this.transport = Transport.TCP;
            this.tls = null;
            return this;
        }

        /** TLS with this provider's context and parameters. */
        public Builder tls(TlsContextProvider provider) {
            Objects.requireNonNull(provider, "provider");
            return tls(() -> provider);
        }

        /** TLS with the provider the supplier returns at each connection attempt (null: none bound, not connected). */
        public Builder tls(Supplier<TlsContextProvider> provider) {
            this.transport = Transport.TLS;
            this.tls = Objects.requireNonNull(provider, "provider");
            return this;
        }

        /** APP-NAME, {@code stdb-secure} by default. */
        public Builder appName(String appName) {
            this.appName = Objects.requireNonNull(appName, "appName");
            return this;
        }

        /** HOSTNAME; the local host name by default. */
        public Builder hostname(String hostname) {
            this.hostname = hostname == null || hostname.isBlank() ? null : hostname.trim();
            return this;
        }

        /** Facility code 0..23; 10 (authpriv) by default. See {@link Rfc5424#facility(String)}. */
        public Builder facility(int facility) {
            if (facility < 0 || facility > 23) {
                throw new IllegalArgumentException("facility out of range 0..23: " + facility);
            }
            this.facility = facility;
            return this;
        }

        /** How long one message may take to write before the connection is given up (default 10 s). */
        public Builder writeTimeout(Duration timeout) {
            this.writeTimeout = positive(timeout, "writeTimeout");
            return this;
        }

        /** Timeout of a TCP connect and of the TLS handshake; 5 s by default. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** Longest delay between connection attempts; 30 s by default. */
        public Builder maxBackoff(Duration delay) {
            this.maxBackoff = positive(delay, "maxBackoff");
            return this;
        }

        /** How many bytes of recently written frames are written again after a broken connection; 0 turns it off. */
        public Builder replayBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("replayBytes is negative: " + bytes);
            }
            this.replayBytes = bytes;
            return this;
        }

        public SyslogAuditSink build() {
            return new SyslogAuditSink(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
