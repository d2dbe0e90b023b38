package dev.stdb.secure.testing.keycloak;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One real Keycloak per test JVM, started on first use and stopped by a shutdown hook.
 *
 * <p>The distribution ({@code org.keycloak:keycloak-quarkus-dist}) is unpacked by the consuming module's build into
 * one shared folder, passed as system property {@value #HOME_PROPERTY}; its Quarkus re-augmentation then happens
 * once per build tree. Each start gets a fresh H2 database in a temporary folder holding the {@value #REALM}
 * realm ({@code stdb-realm.json} beside this class): confidential clients {@value #SVC_SECRET} (client secret, no
 * refresh tokens), {@value #SVC_REFRESH} (client secret, refresh tokens on, 40 s access tokens), {@value #SVC_JWT}
 * ({@code private_key_jwt} with the test key {@link #svcJwtKeyPem()}), public clients {@value #APP_PKCE} (code flow,
 * PKCE S256, redirect {@code http://127.0.0.1/*}) and {@value #DEVICE} (device authorization grant), users
 * {@code alice} and {@code bob}. Refresh tokens rotate ({@code revokeRefreshToken}, no reuse).
 *
 * <p>Besides HTTP, Keycloak listens for HTTPS on 127.0.0.1 ({@link #httpsPort()}) with the test PKI of this JVM
 * ({@link #pki()}: server certificate, client CA in {@code --truststore-paths}) and {@code --https-client-auth=request}:
 * a certificate is asked for but not required, so everything else works over HTTPS as over HTTP. There confidential
 * client {@value #SVC_MTLS} authenticates with RFC 8705 {@code tls_client_auth} (authenticator {@code client-x509},
 * subject {@link MtlsPki#CLIENT_DN}) and gets certificate-bound access tokens ({@code cnf.x5t#S256}).
 *
 * <p>The first start per distribution folder and realm file makes a database template (schema plus imported realm,
 * under {@code <home>/data/stdb-templates/}); every run copies it, so runs are independent and start in seconds.
 *
 * <p>Keycloak binds to 127.0.0.1 on a free port. A start that does not answer discovery within 180 s fails with the
 * last lines of Keycloak's log; nothing is skipped.
 */
public final class Keycloak {

    public static final String VERSION = "26.7.3";
    /** System property naming the unpacked distribution, e.g. {@code target/keycloak/keycloak-26.7.3}. */
    public static final String HOME_PROPERTY = "stdb.keycloak.home";
    public static final String REALM = "stdb";
    public static final String ADMIN_USER = "admin";
    public static final String ADMIN_PASSWORD = "admin-test-password";

    public static final String SVC_SECRET = "svc-secret";
    public static final String SVC_SECRET_SECRET = "svc-secret-test-secret";
    public static final String SVC_REFRESH = "svc-refresh";
    public static final String SVC_REFRESH_SECRET = "svc-refresh-test-secret";
    public static final String SVC_JWT = "svc-jwt";
    /** The {@code kid} of the svc-jwt test key in the realm's JWKS. */
    public static final String SVC_JWT_KID = "svc-jwt-test";
    public static final String APP_PKCE = "app-pkce";
    public static final String DEVICE = "device";
    /** Confidential client authenticated by its TLS client certificate (RFC 8705 tls_client_auth), over HTTPS. */
    public static final String SVC_MTLS = "svc-mtls";
    /** Access-token lifetime of {@value #SVC_REFRESH}, in seconds. */
    public static final int SVC_REFRESH_ACCESS_TOKEN_SECONDS = 40;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final int LOG_TAIL_LINES = 60;
    private static Keycloak shared;
    private static MtlsPki pki;

    private final Path home;
    private final Path runDir;
    private final Path log;
    private final int port;
    private final int httpsPort;
    private final Process process;
    private final Duration startTime;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Keycloak(Path home, Path runDir, Path log, int port, int httpsPort, Process process,
            Duration startTime) {
        this.home = home;
        this.runDir = runDir;
        this.log = log;
        this.port = port;
        this.httpsPort = httpsPort;
        this.process = process;
        this.startTime = startTime;
    }

    /** The JVM's Keycloak, started now if this is the first call; stopped when the JVM exits. */
    public static synchronized Keycloak shared() {
        if (shared == null) {
            shared = start();
            Keycloak k = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                k.stop();
                pki().delete(); // test keys, but keys: not left behind in /tmp
            }, "keycloak-stop"));
        }
        return shared;
    }

    private static Keycloak start() {
        String homeProperty = System.getProperty(HOME_PROPERTY);
        if (homeProperty == null || homeProperty.isBlank()) {
            throw new IllegalStateException("system property " + HOME_PROPERTY + " is not set: the module's build must"
                    + " unpack org.keycloak:keycloak-quarkus-dist:" + VERSION + ":zip and pass its folder");
        }
        Path home = Path.of(homeProperty).toAbsolutePath();
        Path script = home.resolve("bin/kc.sh");
        if (!Files.isRegularFile(script)) {
            throw new IllegalStateException("no Keycloak at " + home + " (" + script + " is missing)");
        }
        try {
            script.toFile().setExecutable(true);
            byte[] realm;
            try (InputStream in = resource("stdb-realm.json")) {
                realm = in.readAllBytes();
            }
            Path runDir = Files.createTempDirectory("stdb-keycloak-");
            pki();
            // A fresh copy of the pristine database (schema + realm, nothing a test did) for every run.
            copyTemplate(home, script, realm, runDir.resolve("h2"));
            Keycloak k = launch(home, script, runDir, false);
            System.out.println("Keycloak " + VERSION + " ready at " + k.baseUri() + " and " + k.httpsBaseUri() + " in "
                    + k.startTime.toMillis() + " ms (log " + k.log + ")");
            return k;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start Keycloak from " + home, e);
        }
    }

    /**
     * Copies the pristine database of this realm file to {@code to}: the template is made once per distribution
     * folder and realm content (the first start creates the schema and imports the realm, the slow part).
     */
    private static void copyTemplate(Path home, Path script, byte[] realm, Path to) throws IOException {
        String hash;
        try {
            hash = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(realm)).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        Path templates = home.resolve("data/stdb-templates");
        Files.createDirectories(templates);
        Path template = templates.resolve(hash);
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(templates.resolve(".lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
             java.nio.channels.FileLock held = lock.lock()) {
            if (Files.isRegularFile(template.resolve("done"))) {
                copyTree(template.resolve("h2"), to); // under the lock: no other JVM deletes it meanwhile
                return;
            }
            // Templates of earlier realm files (and builds that died half way) are of no further use.
            try (var old = Files.list(templates)) {
                for (Path p : (Iterable<Path>) old::iterator) {
                    if (Files.isDirectory(p)) {
                        deleteTree(p);
                    }
                }
            }
            Path importDir = home.resolve("data/import");
            Files.createDirectories(importDir);
            Files.write(importDir.resolve("stdb-realm.json"), realm);
            Path build = Files.createTempDirectory(templates, "building-");
            Keycloak k = launch(home, script, build, true);
            System.out.println("Keycloak " + VERSION + ": made the database template " + template + " in "
                    + k.startTime.toMillis() + " ms");
            k.stop();
            Files.deleteIfExists(importDir.resolve("stdb-realm.json"));
            if (Files.exists(template)) {
                deleteTree(template);
            }
            Files.move(build, template);
            Files.createFile(template.resolve("done"));
            copyTree(template.resolve("h2"), to);
        }
    }

    /** The test PKI of this JVM's Keycloak (made on first use). */
    public static synchronized MtlsPki pki() {
        if (pki == null) {
            pki = MtlsPki.create();
        }
        return pki;
    }

    private static Keycloak launch(Path home, Path script, Path runDir, boolean importRealm) throws IOException {
        int port = freePort();
        int httpsPort = freePort();
        Path log = runDir.resolve("keycloak.log");
        MtlsPki tls = pki();
        // The template build gets the same options: a different set would make start-dev re-augment each time.
        List<String> command = new ArrayList<>(List.of(script.toString(), "start-dev", "--http-host", "127.0.0.1",
                "--http-port", String.valueOf(port), "--https-port", String.valueOf(httpsPort),
                "--https-certificate-file", tls.serverPem().toString(),
                "--https-certificate-key-file", tls.serverKeyPem().toString(),
                "--https-client-auth", "request", "--truststore-paths", tls.caPem().toString()));
        if (importRealm) {
            command.add("--import-realm");
        }
        ProcessBuilder pb = new ProcessBuilder(command).directory(home.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("KC_BOOTSTRAP_ADMIN_USERNAME", ADMIN_USER);
        env.put("KC_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD);
        env.put("KC_DB_URL", "jdbc:h2:file:" + runDir.resolve("h2/keycloakdb") + ";NON_KEYWORDS=VALUE");
        env.put("JAVA_OPTS_KC_HEAP", "-Xms64m -Xmx512m");
        long t0 = System.nanoTime();
        Process process = pb.start();
        Keycloak starting = new Keycloak(home, runDir, log, port, httpsPort, process, null);
        starting.awaitReady(t0);
        return new Keycloak(home, runDir, log, port, httpsPort, process, Duration.ofNanos(System.nanoTime() - t0));
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (var files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }

    private void awaitReady(long t0) {
        URI discovery = URI.create(issuer() + "/.well-known/openid-configuration");
        long deadline = t0 + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Keycloak exited with " + process.exitValue()
                        + " before it was ready; last lines of " + log + ":\n" + logTail());
            }
            try {
                HttpResponse<Void> r = http.send(HttpRequest.newBuilder(discovery).timeout(Duration.ofSeconds(5))
                        .GET().build(), HttpResponse.BodyHandlers.discarding());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
        }
        stop();
        throw new IllegalStateException("Keycloak did not answer " + discovery + " within " + START_TIMEOUT.toSeconds()
                + " s; last lines of " + log + ":\n" + logTail());
    }

    /** The last lines of Keycloak's log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - LOG_TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops Keycloak: SIGTERM to the java process (kc.sh's child) and the script, then waits up to 30 s. */
    public synchronized void stop() {
        if (!process.isAlive()) {
            return;
        }
        List<ProcessHandle> family = new ArrayList<>(process.descendants().collect(Collectors.toList()));
        family.forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            for (ProcessHandle h : family) {
                h.onExit().get(30, TimeUnit.SECONDS);
            }
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            family.forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    /** How long the start took until discovery answered. */
    public Duration startTime() {
        return startTime;
    }

    public int port() {
        return port;
    }

    /** The distribution folder. */
    public Path home() {
        return home;
    }

    /** This run's folder (database, log). */
    public Path runDir() {
        return runDir;
    }

    /** The HTTPS port (test PKI, client certificates requested, not required). */
    public int httpsPort() {
        return httpsPort;
    }

    /** {@code https://127.0.0.1:<httpsPort>}; Keycloak names its endpoints after the URL a request came to. */
    public URI httpsBaseUri() {
        return URI.create("https://127.0.0.1:" + httpsPort);
    }

    /** The realm's issuer as seen over HTTPS: its discovery, endpoints and tokens then say https. */
    public String httpsIssuer() {
        return httpsBaseUri() + "/realms/" + REALM;
    }

    public URI baseUri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** {@code http://127.0.0.1:<port>/realms/stdb}. */
    public String issuer() {
        return baseUri() + "/realms/" + REALM;
    }

    public URI tokenEndpoint() {
        return URI.create(issuer() + "/protocol/openid-connect/token");
    }

    public URI revocationEndpoint() {
        return URI.create(issuer() + "/protocol/openid-connect/revoke");
    }

    public URI introspectionEndpoint() {
        return URI.create(issuer() + "/protocol/openid-connect/token/introspect");
    }

    /** PKCS#8 PEM of the test private key whose public half the realm trusts for {@value #SVC_JWT}. */
    public static String svcJwtKeyPem() {
        try (InputStream in = resource("svc-jwt-test-key.pem")) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Token endpoint and admin REST helpers (test code: values are test secrets)

    /** POSTs a form to {@code uri} and returns status and parsed JSON body (empty map when the body is not JSON). */
    public Response postForm(URI uri, Map<String, String> form, String basicUser, String basicPassword) {
        String body = form.entrySet().stream().map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (basicUser != null) {
            String creds = enc(basicUser) + ":" + enc(basicPassword);
            b.header("Authorization", "Basic " + java.util.Base64.getEncoder()
                    .encodeToString(creds.getBytes(StandardCharsets.UTF_8)));
        }
        return send(b.build());
    }

    /** A token of the master realm's admin. */
    public String adminToken() {
        Response r = postForm(URI.create(baseUri() + "/realms/master/protocol/openid-connect/token"),
                Map.of("grant_type", "password", "client_id", "admin-cli", "username", ADMIN_USER,
                        "password", ADMIN_PASSWORD), null, null);
        if (r.status() != 200) {
            throw new IllegalStateException("admin token: HTTP " + r.status() + " " + r.json());
        }
        return (String) r.json().get("access_token");
    }

    /** Calls the admin REST API of realm stdb: {@code method} on {@code /admin/realms/stdb<path>}. */
    public Response admin(String method, String path, String jsonBody) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUri() + "/admin/realms/" + REALM + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + adminToken());
        if (jsonBody != null) {
            b.header("Content-Type", "application/json");
            b.method(method, HttpRequest.BodyPublishers.ofString(jsonBody));
        } else {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        }
        return send(b.build());
    }

    /** The internal id of client {@code clientId}. */
    public String clientUuid(String clientId) {
        Response r = admin("GET", "/clients?clientId=" + enc(clientId), null);
        List<?> list = r.list();
        if (r.status() != 200 || list.size() != 1) {
            throw new IllegalStateException("client " + clientId + ": HTTP " + r.status() + " " + r.body());
        }
        return (String) ((Map<?, ?>) list.get(0)).get("id");
    }

    /** The user id of the service account of {@code clientId} (the {@code sub} of its client-credentials tokens). */
    public String serviceAccountUserId(String clientId) {
        Response r = admin("GET", "/clients/" + clientUuid(clientId) + "/service-account-user", null);
        return (String) r.json().get("id");
    }

    /** The id of user {@code username}. */
    public String userId(String username) {
        Response r = admin("GET", "/users?exact=true&username=" + enc(username), null);
        return (String) ((Map<?, ?>) r.list().get(0)).get("id");
    }

    /** Ends every session of user {@code userId}: their refresh tokens stop working. */
    public void logoutUser(String userId) {
        Response r = admin("POST", "/users/" + userId + "/logout", null);
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("logout " + userId + ": HTTP " + r.status() + " " + r.body());
        }
    }

    /** Sets the client secret of confidential client {@code clientId}; see {@link #setClientSecret(String, char[])}. */
    public void setClientSecret(String clientId, String secret) {
        char[] chars = secret.toCharArray();
        try {
            setClientSecret(clientId, chars);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /**
     * Sets the client secret of confidential client {@code clientId}, leaving no copy of it on this JVM's heap (the
     * caller zeroes {@code secret}): a partial representation {@code {"secret":"..."}} (Keycloak updates only the
     * fields present) built in a byte array and sent by {@link #adminWithSecret}. The client's representation holds
     * the old secret, so it is never fetched through the shared HTTP client: the client's id is looked up over a plain
     * socket as well, into an array zeroed afterwards.
     */
    public void setClientSecret(String clientId, char[] secret) {
        String uuid = clientUuidQuietly(clientId);
        byte[] json = jsonObject("secret", secret);
        Response r;
        try {
            r = adminWithSecret("PUT", "/clients/" + uuid, json);
        } finally {
            java.util.Arrays.fill(json, (byte) 0);
        }
        if (r.status() / 100 != 2) {
            throw new IllegalStateException("set secret of " + clientId + ": HTTP " + r.status() + " " + r.body());
        }
    }

    /**
     * Calls the admin REST API like {@link #admin} with a JSON body that holds a secret, without java.net.http: its
     * pooled connections keep the first exchange of each connection reachable (request headers and body publisher,
     * through {@code PlainHttpConnection.connectTimerEvent}) and the last bytes read (its 16 KiB read buffer) for as
     * long as the client lives, which for this shared instance is the whole JVM. Here the request goes over a plain
     * socket ({@code Connection: close}) from {@code jsonBody}, which the caller zeroes, and the answer is read into
     * an array zeroed before returning; its body is returned only if the status is not 2xx (an error message).
     */
    public Response adminWithSecret(String method, String path, byte[] jsonBody) {
        byte[] answer = new byte[64 * 1024];
        try {
            int n = rawAdmin(method, path, jsonBody, answer);
            int status = status(method, path, answer, n);
            String body = "";
            if (status / 100 != 2) {
                String all = new String(answer, 0, n, StandardCharsets.UTF_8);
                int start = all.indexOf("\r\n\r\n");
                body = start < 0 ? "" : all.substring(start + 4);
            }
            return new Response(status, body);
        } finally {
            java.util.Arrays.fill(answer, (byte) 0);
        }
    }

    /**
     * {@link #clientUuid} without a String of the answer, which holds the client's secret: the first {@code "id"} of
     * the list is taken from the raw bytes, read over a plain socket into an array zeroed afterwards.
     */
    private String clientUuidQuietly(String clientId) {
        byte[] answer = new byte[64 * 1024];
        try {
            String path = "/clients?clientId=" + enc(clientId);
            int n = rawAdmin("GET", path, null, answer);
            int status = status("GET", path, answer, n);
            byte[] key = "\"id\":\"".getBytes(StandardCharsets.US_ASCII);
            for (int i = 0; status == 200 && i + key.length + 36 <= n; i++) {
                if (java.util.Arrays.equals(answer, i, i + key.length, key, 0, key.length)) {
                    String id = new String(answer, i + key.length, 36, StandardCharsets.US_ASCII);
                    if (id.matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")) {
                        return id;
                    }
                    break;
                }
            }
            throw new IllegalStateException("client " + clientId + ": HTTP " + status + ", no id in the answer");
        } finally {
            java.util.Arrays.fill(answer, (byte) 0);
        }
    }

    /** One admin request over a plain socket ({@code Connection: close}); the whole answer goes into {@code answer}. */
    private int rawAdmin(String method, String path, byte[] jsonBody, byte[] answer) {
        String head = method + " /admin/realms/" + REALM + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                + "\r\nAuthorization: Bearer " + adminToken() + "\r\nAccept: application/json\r\n"
                + (jsonBody == null ? "" : "Content-Type: application/json\r\nContent-Length: " + jsonBody.length
                        + "\r\n") + "Connection: close\r\n\r\n";
        int n = 0;
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            java.io.OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            if (jsonBody != null) {
                out.write(jsonBody);
            }
            out.flush();
            InputStream in = socket.getInputStream();
            int r;
            while (n < answer.length && (r = in.read(answer, n, answer.length - n)) > 0) {
                n += r;
            }
            if (n == answer.length) {
                throw new IllegalStateException(method + " " + path + ": answer longer than " + n + " bytes");
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        }
    }

    private static int status(String method, String path, byte[] answer, int n) {
        String text = new String(answer, 0, Math.min(n, 16), StandardCharsets.US_ASCII);
        if (!text.startsWith("HTTP/1.1 ") || text.length() < 12) {
            throw new IllegalStateException(method + " " + path + ": not an HTTP/1.1 answer");
        }
        return Integer.parseInt(text.substring(9, 12));
    }

    /**
     * {@code {"<name>":"<value>"}} as UTF-8 bytes, built without a String of {@code value} (JSON escapes for quote,
     * backslash and control characters); the caller zeroes the result.
     */
    public static byte[] jsonObject(String name, char[] value) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(value.length * 6 + name.length() * 3 + 16) {
            @Override
            public synchronized byte[] toByteArray() {
                byte[] copy = super.toByteArray();
                java.util.Arrays.fill(buf, (byte) 0);
                return copy;
            }
        };
        out.writeBytes(("{\"" + name + "\":\"").getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < value.length; i++) {
            char c = value[i];
            int cp = c;
            if (Character.isHighSurrogate(c) && i + 1 < value.length && Character.isLowSurrogate(value[i + 1])) {
                cp = Character.toCodePoint(c, value[++i]);
            }
            if (cp == '"' || cp == '\\') {
                out.write('\\');
                out.write(cp);
            } else if (cp < 0x20) {
                out.writeBytes(String.format("\\u%04x", cp).getBytes(StandardCharsets.US_ASCII));
            } else if (cp < 0x80) {
                out.write(cp);
            } else if (cp < 0x800) {
                out.write(0xc0 | cp >> 6);
                out.write(0x80 | cp & 0x3f);
            } else if (cp < 0x10000) {
                out.write(0xe0 | cp >> 12);
                out.write(0x80 | cp >> 6 & 0x3f);
                out.write(0x80 | cp & 0x3f);
            } else {
                out.write(0xf0 | cp >> 18);
                out.write(0x80 | cp >> 12 & 0x3f);
                out.write(0x80 | cp >> 6 & 0x3f);
                out.write(0x80 | cp & 0x3f);
            }
        }
        out.writeBytes("\"}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** RFC 7662 introspection of {@code token} as client {@code clientId}. */
    public Map<String, Object> introspect(String token, String clientId, String clientSecret) {
        return postForm(introspectionEndpoint(), Map.of("token", token), clientId, clientSecret).json();
    }

    /** A raw refresh-token grant, outside the code under test. */
    public Response refreshGrant(String refreshToken, String clientId, String clientSecret) {
        return postForm(tokenEndpoint(), Map.of("grant_type", "refresh_token", "refresh_token", refreshToken),
                clientId, clientSecret);
    }

    private Response send(HttpRequest request) {
        try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body());
        } catch (IOException e) {
            throw new UncheckedIOException(request.method() + " " + request.uri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static InputStream resource(String name) {
        return Objects.requireNonNull(Keycloak.class.getResourceAsStream(name), name);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** An HTTP answer: status and body. */
    public record Response(int status, String body) {
        /** The body as a JSON object; empty if it is not one. */
        public Map<String, Object> json() {
            try {
                return body == null || !body.trim().startsWith("{") ? new java.util.HashMap<>()
                        : JSONObjectUtils.parse(body);
            } catch (ParseException e) {
                return new java.util.HashMap<>();
            }
        }

        /** The body as a JSON array. */
        public List<?> list() {
            try {
                Map<String, Object> wrapped = JSONObjectUtils.parse("{\"a\":" + body + "}");
                return (List<?>) wrapped.get("a");
            } catch (ParseException | ClassCastException e) {
                return List.of();
            }
        }
    }
}
