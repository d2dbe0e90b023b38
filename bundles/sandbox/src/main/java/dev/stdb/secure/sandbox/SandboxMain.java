package dev.stdb.secure.sandbox;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar dev.stdb.secure.sandbox-<version>-standalone.jar [--port 3000] [--host 127.0.0.1]
 * [--database quickstart] [--issuer localhost] [--tls-keystore file.p12]} (the key store password comes from the
 * environment variable {@code SANDBOX_TLS_PASSWORD}, never from the command line).
 */
public final class SandboxMain {
    private SandboxMain() {
    }

    public static void main(String[] args) throws Exception {
        Sandbox.Builder builder = Sandbox.builder().port(3000);
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) {
                System.out.println("usage: java -jar sandbox.jar [--port 3000] [--host 127.0.0.1] [--database quickstart]"
                        + " [--issuer localhost] [--tls-keystore server.p12 (password in SANDBOX_TLS_PASSWORD)]");
                return;
            }
            if (i + 1 >= args.length) {
                fail("missing value for " + a);
            }
            String v = args[++i];
            switch (a) {
                case "--port" -> builder.port(Integer.parseInt(v));
                case "--host" -> builder.host(v);
                case "--database" -> builder.database(v);
                case "--issuer" -> builder.issuer(v);
                case "--tls-keystore" -> {
                    char[] password = System.getenv().getOrDefault("SANDBOX_TLS_PASSWORD", "").toCharArray();
                    builder.tls(load(Path.of(v), password), password);
                }
                default -> fail("unknown option " + a + " (try --help)");
            }
        }
        Sandbox sandbox = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sandbox.close();
            stopped.countDown();
        }, "sandbox-shutdown"));
        System.out.println(sandbox.banner());
        System.out.flush();
        stopped.await();
    }

    private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(file)) {
            ks.load(in, password);
        }
        return ks;
    }

    private static void fail(String message) {
        System.err.println("sandbox: " + message);
        System.exit(2);
    }
}
