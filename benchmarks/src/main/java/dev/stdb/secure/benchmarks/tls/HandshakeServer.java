package dev.stdb.secure.benchmarks.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A TLS server on 127.0.0.1 that completes the handshake of every connection and closes it when the client does:
 * the same peer for every variant of the benchmark, so only the client's trust decision differs.
 */
final class HandshakeServer implements AutoCloseable {

    private final SSLServerSocket server;
    private final ExecutorService workers = Executors.newFixedThreadPool(2, r -> {
        Thread t = new Thread(r, "handshake-server");
        t.setDaemon(true);
        return t;
    });

    HandshakeServer(SSLContext context) throws IOException {
        server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setEnabledProtocols(new String[] {"TLSv1.3", "TLSv1.2"});
        Thread acceptor = new Thread(this::acceptLoop, "handshake-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                SSLSocket s = (SSLSocket) server.accept();
                workers.execute(() -> serve(s));
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void serve(SSLSocket s) {
        try (s; InputStream in = s.getInputStream()) {
            s.setTcpNoDelay(true);
            s.startHandshake();
            // wait for the client to close: reading drives the rest of the TLS 1.3 handshake
            while (in.read() >= 0) {
                // nothing is sent
            }
        } catch (SocketException e) {
            // the client closed first
        } catch (IOException e) {
            // a failed handshake shows on the client side, where the benchmark checks it
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        workers.shutdownNow();
    }
}
