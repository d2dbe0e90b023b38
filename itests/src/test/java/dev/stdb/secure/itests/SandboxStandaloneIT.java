package dev.stdb.secure.itests;

import org.junit.After;
import org.junit.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

/** {@code java -jar} on the sandbox's standalone jar starts it, prints the banner, and serves clients. */
public class SandboxStandaloneIT {
    private Process process;

    @After
    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    @Test
    public void startsWithABannerAndServesTheProtocolRoutes() throws Exception {
        Path jar = Paths.get(Vectors.required("stdb.sandbox.jar"));
        assertTrue("standalone jar missing: " + jar, Files.isRegularFile(jar));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(java, "-jar", jar.toString(), "--port", String.valueOf(port), "--database", "demo")
                .redirectErrorStream(true).start();

        List<String> banner = new ArrayList<>();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String line;
        while ((line = out.readLine()) != null && System.nanoTime() < deadline) {
            banner.add(line);
            if (line.contains("Reducers:")) {
                break;
            }
        }
        String text = String.join("\n", banner);
        if (!text.contains("Reducers:")) {
            fail("no banner within 30 s; output:\n" + text);
        }
        assertTrue(text, text.contains("It is NOT a database"));
        assertTrue(text, text.contains("ws://127.0.0.1:" + port + "/"));
        assertTrue(text, text.contains("Database:   demo"));
        assertTrue(text, text.matches("(?s).*Issuer:\\s+localhost\\s+public key SHA256:\\S+.*"));

        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> identity = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/identity")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, identity.statusCode());
        assertTrue(identity.body(), identity.body().matches("\\{\"identity\":\"c200[0-9a-f]{60}\",\"token\":\"[^\"]+\"}"));

        HttpResponse<String> schema = http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/database/demo/schema?version=9")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, schema.statusCode());
        assertTrue(schema.body().contains("\"person\""));
    }
}
