package dev.stdb.secure.itests.tls;

import dev.stdb.secure.sandbox.Sandbox;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.CountDownLatch;

/**
 * The protocol sandbox over TLS <em>requiring client certificates</em>, which the standalone jar's own main cannot
 * start: {@code java -cp <standalone jar>:<itests test-classes> dev.stdb.secure.itests.tls.TlsSandboxMain --port N
 * --keystore server.p12 --client-ca client-ca.pem [--database quickstart]}. The key store password comes from the
 * environment variable {@code SANDBOX_TLS_PASSWORD}. Always binds to 127.0.0.1. Uses the JDK and the sandbox only,
 * so the standalone jar is its whole class path.
 */
public final class TlsSandboxMain {
    private TlsSandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        int port = 0;
        Path keyStore = null;
        Path clientCa = null;
        String database = "quickstart";
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> port = Integer.parseInt(args[i + 1]);
                case "--keystore" -> keyStore = Path.of(args[i + 1]);
                case "--client-ca" -> clientCa = Path.of(args[i + 1]);
                case "--database" -> database = args[i + 1];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (keyStore == null || clientCa == null) {
            throw new IllegalArgumentException("--keystore and --client-ca are required");
        }
        char[] password = System.getenv().getOrDefault("SANDBOX_TLS_PASSWORD", "").toCharArray();
        KeyStore server = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            server.load(in, password);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(clientCa)) {
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("client-ca-" + n++, c);
            }
        }
        Sandbox sandbox = Sandbox.builder().host("127.0.0.1").port(port).database(database)
                .tls(server, password).requireClientCertificates(trust).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }, "sandbox-shutdown"));
        System.out.println(sandbox.banner());
        System.out.println("  TLS: client certificates required, issued by " + clientCa);
        System.out.flush();
        stopped.await();
    }
}
