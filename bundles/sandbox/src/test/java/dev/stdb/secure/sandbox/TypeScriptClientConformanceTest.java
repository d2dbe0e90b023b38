package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.frame.Subprotocol;
import dev.stdb.secure.protocol.internal.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Holds the sandbox to the real protocol with the OFFICIAL TypeScript client: runs
 * {@code src/test/conformance/conformance.mjs} (npm {@code spacetimedb@2.10.1}, Node 20 with
 * {@code --experimental-websocket}) against a fresh sandbox, once per subprotocol (v3, and v2 by enabling only v2 on
 * the sandbox) and compression (gzip, none). The script seeds 60 persons over HTTP, connects two clients, subscribes,
 * calls reducers, watches the other client's callbacks, unsubscribes and checks every received frame; see its header.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH: without them this test FAILS (it does not skip), because CI
 * ({@code .ci/run}) installs both. {@code npm ci} runs here if {@code node_modules} is missing.
 */
class TypeScriptClientConformanceTest {
    private static final long RUN_TIMEOUT_SECONDS = 60;
    private static final long NPM_TIMEOUT_SECONDS = 300;
    private static final int SEEDED = 60;

    private static Path conformanceDir;
    private static String nodeVersion;

    @BeforeAll
    static synchronized void prepare() throws Exception {
        String basedir = System.getProperty("basedir");
        Path module = basedir != null ? Path.of(basedir) : Path.of("").toAbsolutePath();
        conformanceDir = module.resolve("src/test/conformance").toAbsolutePath().normalize();
        if (!Files.isRegularFile(conformanceDir.resolve("conformance.mjs"))) {
            fail("conformance suite not found at " + conformanceDir + " (run from bundles/sandbox)");
        }
        requireOnPath("node");
        requireOnPath("npm");
        Result version = run(List.of("node", "--version"), 30);
        if (version.exit != 0) {
            fail("`node --version` failed:\n" + version.describe());
        }
        nodeVersion = version.stdout.strip();
        int major = Integer.parseInt(nodeVersion.replaceFirst("^v(\\d+).*$", "$1"));
        assertTrue(major >= 20, "the conformance suite needs Node >= 20, found " + nodeVersion);
        if (!Files.isRegularFile(conformanceDir.resolve("node_modules/spacetimedb/package.json"))
                || !Files.isRegularFile(conformanceDir.resolve("node_modules/esbuild/package.json"))) {
            Result npm = run(List.of("npm", "ci", "--no-audit", "--no-fund"), NPM_TIMEOUT_SECONDS);
            if (npm.exit != 0) {
                fail("`npm ci` in " + conformanceDir + " failed:\n" + npm.describe());
            }
        }
    }

    @ParameterizedTest(name = "{0} + {1}")
    @CsvSource({"v3, gzip", "v3, none", "v2, gzip", "v2, none"})
    void officialClientAgainstSandbox(String protocol, String compression) throws Exception {
        Sandbox.Builder builder = Sandbox.builder().port(0);
        Subprotocol expected = protocol.equals("v2") ? Subprotocol.V2_BSATN : Subprotocol.V3_BSATN;
        if (expected == Subprotocol.V2_BSATN) {
            builder.protocols(Subprotocol.V2_BSATN);
        }
        try (Sandbox sandbox = builder.start()) {
            // Client A connects with a long-lived sandbox token (so the websocket-token swap is exercised); B is anonymous.
            IssuedToken tokenA = sandbox.issueToken();
            List<String> command = List.of("node", "--experimental-websocket", "conformance.mjs",
                    "--uri", "ws://127.0.0.1:" + sandbox.port(), "--database", sandbox.database(),
                    "--compression", compression, "--expect-protocol", protocol, "--token", tokenA.token());
            Result r = run(command, RUN_TIMEOUT_SECONDS);
            String context = "node " + nodeVersion + ", " + protocol + " + " + compression + "\n" + r.describe()
                    .replace(tokenA.token(), "<token A>");
            assertEquals(0, r.exit, "conformance.mjs failed\n" + context);

            Map<String, Object> result = lastJsonLine(r.stdout, context);
            assertEquals(Boolean.TRUE, result.get("ok"), context);
            assertEquals(protocol, result.get("protocol"), context);
            assertEquals(compression, result.get("compression"), context);
            assertEquals("spacetimedb@2.10.1", result.get("sdk"), context);
            assertEquals(SEEDED, number(result, "seeded"), context);
            assertEquals(SEEDED, number(result, "initialRows"), context);

            Map<String, Object> clients = map(result, "clients");
            String identityA = (String) map(clients, "A").get("identity");
            String identityB = (String) map(clients, "B").get("identity");
            assertEquals(tokenA.identity().toHex().toLowerCase(Locale.ROOT), identityA, "A's identity is its token's\n" + context);
            assertTrue(identityB.startsWith("c200"), context);
            assertNotEquals(identityA, identityB, context);

            Map<String, Object> inserted = map(result, "inserted");
            assertEquals(inserted.get("row"), inserted.get("seenByB"), "B saw A's insert\n" + context);
            assertEquals("Grace Brewster Hopper", map(map(result, "updated"), "new").get("name"), context);
            assertEquals("conformance: this reducer fails on purpose", result.get("failError"), context);
            assertEquals(SEEDED, number(map(result, "unsubscribed"), "droppedRows"), context);
            assertEquals(0, number(map(result, "unsubscribed"), "cacheAfter"), context);

            Map<String, Object> wire = map(result, "wire");
            for (String client : List.of("A", "B")) {
                Map<String, Object> w = map(wire, client);
                assertEquals(expected.wireName(), w.get("protocol"), client + "'s subprotocol\n" + context);
                Map<String, Object> tags = map(w, "tags");
                if (compression.equals("gzip")) {
                    assertTrue(tags.containsKey("2"), client + " got no gzip frame\n" + context);
                } else {
                    assertEquals(List.of("0"), List.copyOf(tags.keySet()), client + "'s compression tags\n" + context);
                }
            }
            // Both clients disconnected: the sandbox forgets them.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (sandbox.connectionCount() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(0, sandbox.connectionCount(), "connections left after both clients disconnected\n" + context);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void requireOnPath(String executable) {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                for (String suffix : List.of("", ".exe", ".cmd")) {
                    Path candidate = Path.of(dir.isEmpty() ? "." : dir, executable + suffix);
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                        return;
                    }
                }
            }
        }
        fail("`" + executable + "` is not on the PATH (" + path + "). The TypeScript conformance suite needs Node >= 20 "
                + "and npm; .ci/run installs them (apt-get install nodejs npm). This test fails rather than skips.");
    }

    private record Result(List<String> command, int exit, String stdout, String stderr, boolean timedOut) {
        String describe() {
            return "$ " + String.join(" ", command) + (timedOut ? "\n(TIMED OUT, killed)" : "\n(exit " + exit + ")")
                    + "\n--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path out = Files.createTempFile("conformance-out", ".txt");
        Path err = Files.createTempFile("conformance-err", ".txt");
        try {
            Process p = new ProcessBuilder(command).directory(conformanceDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
            p.getOutputStream().close();
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            return new Result(command, finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), !finished);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> lastJsonLine(String stdout, String context) {
        List<String> lines = new ArrayList<>(stdout.lines().filter(l -> !l.isBlank()).toList());
        assertEquals(1, lines.size(), "conformance.mjs must print exactly one JSON line on stdout\n" + context);
        Object parsed = Json.parse(lines.get(0));
        assertTrue(parsed instanceof Map, "not a JSON object\n" + context);
        return (Map<String, Object>) parsed;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertTrue(v instanceof Map, "expected an object at " + key + " in " + parent);
        return (Map<String, Object>) v;
    }

    private static int number(Map<String, Object> parent, String key) {
        Object v = parent.get(key);
        assertTrue(v instanceof BigDecimal, "expected a number at " + key + " in " + parent);
        return ((BigDecimal) v).intValueExact();
    }
}
