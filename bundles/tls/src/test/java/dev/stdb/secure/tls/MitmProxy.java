package dev.stdb.secure.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS-terminating man in the middle on 127.0.0.1: it completes the client's handshake with its own certificate,
 * opens a TLS connection of its own to the real server and copies bytes both ways, so it sees every plaintext byte.
 */
final class MitmProxy implements AutoCloseable {

    private final SSLServerSocket server;
    private final SSLContext upstream;
    private final String upstreamHost;
    private final int upstreamPort;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mitm-proxy");
        t.setDaemon(true);
        return t;
    });
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger relayed = new AtomicInteger();

    /**
     * @param own          the proxy's server side: its key and the chain it presents to clients
     * @param upstream     the proxy's client side towards the real server (trusts the real server's CA)
     * @param upstreamHost the name the real server's certificate is checked against
     */
    MitmProxy(SSLContext own, SSLContext upstream, String upstreamHost, int upstreamPort) throws IOException {
        this.server = (SSLServerSocket) own.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getByName("127.0.0.1"));
        this.upstream = upstream;
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        threads.execute(this::acceptLoop);
    }

    int port() {
        return server.getLocalPort();
    }

    /** Client connections whose handshake the proxy completed and relayed to the real server. */
    int relayed() {
        return relayed.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket client = (SSLSocket) server.accept();
                open.add(client);
                threads.execute(() -> relay(client));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relay(SSLSocket client) {
        try {
            client.startHandshake();
            Socket tcp = new Socket(InetAddress.getByName("127.0.0.1"), upstreamPort);
            open.add(tcp);
            SSLSocket real = (SSLSocket) upstream.getSocketFactory().createSocket(tcp, upstreamHost, upstreamPort,
                    true);
            open.add(real);
            SSLParameters p = real.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            real.setSSLParameters(p);
            real.startHandshake();
            relayed.incrementAndGet();
            threads.execute(() -> copy(real, client));
            copy(client, real);
        } catch (IOException e) {
            close(client);
        }
    }

    /** Copies until either side ends, then closes both (TLS sockets cannot half-close). */
    private void copy(Socket from, Socket to) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side went away
        } finally {
            close(from);
            close(to);
        }
    }

    private void close(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        open.forEach(this::close);
        threads.shutdownNow();
    }
}
