package dev.stdb.secure.auth.oauth2;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * An HTTPS server on 127.0.0.1 whose self-signed certificate (made by {@code keytool}, SAN IP 127.0.0.1) nothing but
 * {@link #trustPem()} / {@link #clientTls()} trusts: for proving that a request went through a given TLS, not the
 * JVM's trust store.
 */
public final class LoopbackHttps implements AutoCloseable {
    private static final char[] PASSWORD = "loopback-https".toCharArray();

    private final HttpsServer server;
    private final Path trustPem;
    private final KeyStore keys;

    private LoopbackHttps(HttpsServer server, Path trustPem, KeyStore keys) {
        this.server = server;
        this.trustPem = trustPem;
        this.keys = keys;
    }

    /** Runs the JDK's keytool in {@code dir}; fails the test with keytool's output if it fails. */
    public static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = Paths.get(System.getProperty("java.home"), "bin", "keytool").toString();
        System.arraycopy(args, 0, command, 1, args.length);
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new AssertionError("keytool " + args[0] + " failed: " + out);
        }
    }

    /** A started server, its key and certificate files in {@code dir}; add contexts with {@link #server()}. */
    public static LoopbackHttps start(Path dir) throws Exception {
        String pw = new String(PASSWORD);
        keytool(dir, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                "CN=127.0.0.1", "-ext", "san=ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
                "loopback-server.p12", "-storepass", pw);
        keytool(dir, "-exportcert", "-rfc", "-alias", "server", "-storetype", "PKCS12", "-keystore",
                "loopback-server.p12", "-storepass", pw, "-file", "loopback-server.pem");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(dir.resolve("loopback-server.p12"))) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 8);
        server.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        server.start();
        return new LoopbackHttps(server, dir.resolve("loopback-server.pem"), keys);
    }

    /** Answers 200 with a JSON body. */
    public static void sendJson(HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    public HttpsServer server() {
        return server;
    }

    /** {@code https://127.0.0.1:<port>}, no trailing slash. */
    public String base() {
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    /** The server's certificate as PEM: the only trust anchor that accepts it. */
    public Path trustPem() {
        return trustPem;
    }

    /** Client TLS trusting exactly this server's certificate. */
    public SSLContext clientTls() throws Exception {
        KeyStore anchors = KeyStore.getInstance("PKCS12");
        anchors.load(null, null);
        anchors.setCertificateEntry("server", keys.getCertificate("server"));
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(anchors);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, tmf.getTrustManagers(), null);
        return tls;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
