package dev.stdb.secure.itests;

import dev.stdb.secure.testing.browser.Chrome;
import static dev.stdb.secure.itests.OAuth2GrantsIT.ALICE_IDENTITY;
import static dev.stdb.secure.itests.OAuth2GrantsIT.ALICE_ID;
import static dev.stdb.secure.itests.OAuth2GrantsIT.APPROVE_URI;
import static dev.stdb.secure.itests.OAuth2GrantsIT.ISSUER;
import static dev.stdb.secure.itests.OAuth2GrantsIT.SECRET_ENV;
import static dev.stdb.secure.itests.OAuth2GrantsIT.SVC_ID;
import static dev.stdb.secure.itests.OAuth2GrantsIT.SVC_IDENTITY;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.testing.keycloak.Keycloak;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Host side of {@link OAuth2GrantsIT} (never loaded in the probe: Keycloak and Selenium are not in the framework).
 *
 * <p>The probe's {@code MfaHandler} cannot reach Selenium's classes, so the host serves one loopback endpoint,
 * {@code POST /approve} with body {@code <verification uri>\n<user code>}: a real headless Chromium (started at the
 * first request) opens the verification URI, enters the code, signs in as alice and approves; the answer is 200 once
 * Keycloak shows its result page, else 500 with what went wrong (never the code or password).
 */
final class OAuth2GrantsHost {
    static final String ALICE_PASSWORD = "alice-test-password";
    private static Map<String, String> settings;
    private static Chrome chrome;

    private OAuth2GrantsHost() {
    }

    /**
     * Sets the realm's {@code svc-secret} client's secret to the value of {@value OAuth2GrantsIT#SECRET_ENV} (failsafe
     * sets it; the provider reads it through {@code client.secret.env}), starts the approve endpoint, and returns the
     * issuer, the expected identities and the endpoint's URI.
     */
    static synchronized Map<String, String> setup() throws Exception {
        if (settings != null) {
            return settings;
        }
        String secret = System.getenv(SECRET_ENV);
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException("environment variable " + SECRET_ENV + " is not set (itests/pom.xml)");
        }
        Keycloak k = Keycloak.shared();
        k.setClientSecret(Keycloak.SVC_SECRET, secret);
        String alice = k.userId("alice");

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/approve", OAuth2GrantsHost::approve);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "itest-chromium-approve");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.stop(0);
            closeChrome();
        }, "itest-chromium-stop"));

        Map<String, String> s = new HashMap<>();
        s.put(ISSUER, k.issuer());
        s.put(ALICE_ID, alice);
        s.put(ALICE_IDENTITY, AuthAndStoresHost.identityHex(k.issuer(), alice));
        String svc = k.serviceAccountUserId(Keycloak.SVC_SECRET);
        s.put(SVC_ID, svc);
        s.put(SVC_IDENTITY, AuthAndStoresHost.identityHex(k.issuer(), svc));
        s.put(APPROVE_URI, "http://127.0.0.1:" + server.getAddress().getPort() + "/approve");
        settings = s;
        return s;
    }

    private static void approve(HttpExchange exchange) throws IOException {
        int status;
        String answer;
        try {
            if (!"POST".equals(exchange.getRequestMethod())) {
                throw new IllegalArgumentException("POST only");
            }
            String[] lines = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n");
            if (lines.length != 2) {
                throw new IllegalArgumentException("expected two lines: verification uri, user code");
            }
            chrome().signIn(URI.create(lines[0].trim()), lines[1].trim(), "alice", ALICE_PASSWORD, true);
            status = 200;
            answer = "approved";
        } catch (RuntimeException e) {
            status = 500;
            answer = String.valueOf(e.getMessage());
        }
        byte[] body = answer.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static synchronized Chrome chrome() {
        if (chrome == null) {
            chrome = Chrome.start();
        }
        return chrome;
    }

    private static synchronized void closeChrome() {
        if (chrome != null) {
            chrome.close();
            chrome = null;
        }
    }
}
