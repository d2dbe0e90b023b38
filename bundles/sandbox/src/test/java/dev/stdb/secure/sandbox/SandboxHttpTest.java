package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.internal.json.Json;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.SchemaParser;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.value.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.interfaces.ECPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTTP routes of PROTOCOL.md §1.2–§1.5 against a fresh sandbox per test. */
class SandboxHttpTest {
    private Sandbox sandbox;
    private final List<TestClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        sandbox = Sandbox.builder().start();
    }

    @AfterEach
    void stop() {
        clients.forEach(TestClient::close);
        sandbox.close();
    }

    private TestClient connect(TestClient.Connector connector) {
        TestClient c = connector.connect();
        clients.add(c);
        return c;
    }

    // ------------------------------------------------------------------ HTTP helpers

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return TestClient.HTTP.send(request.timeout(TestClient.TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(sandbox.httpUri().resolve(path));
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    private HttpResponse<String> callReducer(String reducer, String json) throws IOException, InterruptedException {
        return post("v1/database/" + sandbox.database() + "/call/" + reducer, json, "Content-Type", "application/json");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(String text) {
        return (Map<String, Object>) Json.parse(text);
    }

    @SuppressWarnings("unchecked")
    private static List<Object> jsonArray(Object value) {
        return (List<Object>) value;
    }

    private static Map<String, Object> jwtPayload(String jwt) {
        String[] parts = jwt.split("\\.");
        assertEquals(3, parts.length, "a compact JWS");
        return jsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    }

    // ------------------------------------------------------------------ identity routes

    @Test
    void postIdentityMintsAnIdentityAndToken() throws Exception {
        HttpResponse<String> r = post("v1/identity", "");
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        Map<String, Object> json = jsonObject(r.body());
        String identity = (String) json.get("identity");
        String token = (String) json.get("token");
        assertTrue(identity.matches("c200[0-9a-f]{60}"), identity);
        Map<String, Object> claims = jwtPayload(token);
        assertEquals(sandbox.issuer(), claims.get("iss"));
        assertEquals(identity, claims.get("hex_identity"));
        assertFalse(claims.containsKey("exp"), "long-lived tokens have no exp");

        Map<String, Object> second = jsonObject(post("v1/identity", "").body());
        assertNotEquals(identity, second.get("identity"));

        TestClient c = connect(TestClient.to(sandbox).bearer(token));
        assertEquals(Identity.fromHex(identity), c.initial().identity());
    }

    @Test
    void websocketTokenNeedsAuthorization() throws Exception {
        HttpResponse<String> r = post("v1/identity/websocket-token", "");
        assertEquals(401, r.statusCode());
        HttpResponse<String> bad = post("v1/identity/websocket-token", "", "Authorization", "Bearer not-a-jwt");
        assertEquals(400, bad.statusCode());
    }

    @Test
    void websocketTokenIsShortLivedAndProvesTheSameIdentity() throws Exception {
        IssuedToken issued = sandbox.issueToken();
        long before = Instant.now().getEpochSecond();
        HttpResponse<String> r = post("v1/identity/websocket-token", "", "Authorization", "Bearer " + issued.token());
        assertEquals(200, r.statusCode(), r.body());
        String shortLived = (String) jsonObject(r.body()).get("token");
        assertNotEquals(issued.token(), shortLived);

        Map<String, Object> claims = jwtPayload(shortLived);
        long exp = ((BigDecimal) claims.get("exp")).longValueExact();
        long after = Instant.now().getEpochSecond();
        assertTrue(exp >= before + 59 && exp <= after + 61, "exp " + exp + " is not now + 60 s (" + before + ".." + after + ")");
        assertEquals(jwtPayload(issued.token()).get("sub"), claims.get("sub"));

        // The official client connects with ?token=<short-lived>.
        TestClient c = connect(TestClient.to(sandbox).tokenParam(shortLived));
        assertEquals(issued.identity(), c.initial().identity());
        assertEquals(shortLived, c.initial().token());

        // The token can also come as a query parameter on this route.
        assertEquals(200, post("v1/identity/websocket-token?token=" + issued.token(), "").statusCode());
    }

    @Test
    void publicKeyIsAPemWhoseFingerprintMatches() throws Exception {
        HttpResponse<String> r = get("v1/identity/public-key");
        assertEquals(200, r.statusCode());
        assertEquals("application/pem-certificate-chain", r.headers().firstValue("Content-Type").orElse(""));
        String pem = r.body().trim();
        assertTrue(pem.startsWith("-----BEGIN PUBLIC KEY-----"), pem);
        assertTrue(pem.endsWith("-----END PUBLIC KEY-----"), pem);
        String base64 = pem.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "")
                .replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        String fingerprint = "SHA256:" + Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(der));
        assertEquals(sandbox.publicKeyFingerprint(), fingerprint);
        ECPublicKey key = (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
        assertEquals(256, key.getParams().getCurve().getField().getFieldSize());
    }

    // ------------------------------------------------------------------ schema

    @Test
    void schemaV10MatchesTheModule() throws Exception {
        HttpResponse<String> r = get("v1/database/" + sandbox.database() + "/schema?version=10");
        assertEquals(200, r.statusCode(), r.body());
        ModuleSchema parsed = SchemaParser.parse(r.body());
        ModuleSchema expected = sandbox.schema();
        assertSameTablesAndReducers(expected, parsed);
        assertTrue(parsed.requireTable("chat_event").event(), "V10 keeps the event table flag");
        assertFalse(parsed.requireTable("person").event());
        assertEquals(expected, parsed);
    }

    @Test
    void schemaV9MatchesTheModule() throws Exception {
        HttpResponse<String> r = get("v1/database/" + sandbox.database() + "/schema?version=9");
        assertEquals(200, r.statusCode(), r.body());
        ModuleSchema parsed = SchemaParser.parse(r.body());
        assertSameTablesAndReducers(sandbox.schema(), parsed);
        assertEquals(sandbox.schema().procedures(), parsed.procedures());
    }

    private static void assertSameTablesAndReducers(ModuleSchema expected, ModuleSchema parsed) {
        assertEquals(expected.tables().stream().map(TableDef::name).toList(), parsed.tables().stream().map(TableDef::name).toList());
        for (TableDef t : expected.tables()) {
            TableDef p = parsed.requireTable(t.name());
            assertEquals(expected.rowType(t), parsed.rowType(p), t.name());
            assertEquals(t.primaryKey(), p.primaryKey(), t.name());
            assertEquals(t.isPublic(), p.isPublic(), t.name());
        }
        assertEquals(expected.reducers().stream().map(ReducerDef::name).toList(),
                parsed.reducers().stream().map(ReducerDef::name).toList());
        for (ReducerDef d : expected.reducers()) {
            ReducerDef p = parsed.requireReducer(d.name());
            assertEquals(d.params(), p.params(), d.name());
            assertEquals(d.clientCallable(), p.clientCallable(), d.name());
            assertEquals(d.lifecycle(), p.lifecycle(), d.name());
        }
    }

    @Test
    void schemaNeedsVersion9Or10() throws Exception {
        String base = "v1/database/" + sandbox.database() + "/schema";
        assertEquals(400, get(base).statusCode());
        assertEquals(400, get(base + "?version=11").statusCode());
        assertEquals(400, get(base + "?version=v9").statusCode());
    }

    // ------------------------------------------------------------------ SQL

    @Test
    void sqlWithTwoStatementsReturnsTwoResults() throws Exception {
        assertEquals(200, callReducer("add_person", "[\"Ada\", 36]").statusCode());
        assertEquals(200, callReducer("add_person", "[\"Bob\", 41]").statusCode());
        HttpResponse<String> r = post("v1/database/" + sandbox.database() + "/sql",
                "SELECT * FROM person; SELECT * FROM person WHERE age = 41;");
        assertEquals(200, r.statusCode(), r.body());
        List<Object> results = jsonArray(Json.parse(r.body()));
        assertEquals(2, results.size());
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) results.get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> second = (Map<String, Object>) results.get(1);
        assertInstanceOf(Map.class, first.get("schema"));
        assertTrue(first.containsKey("total_duration_micros"));
        assertTrue(first.containsKey("stats"));
        assertEquals(List.of(List.of(new BigDecimal(1), "Ada", new BigDecimal(36)),
                List.of(new BigDecimal(2), "Bob", new BigDecimal(41))), first.get("rows"));
        assertEquals(List.of(List.of(new BigDecimal(2), "Bob", new BigDecimal(41))), second.get("rows"));
    }

    @Test
    void sqlErrorIs400() throws Exception {
        String path = "v1/database/" + sandbox.database() + "/sql";
        HttpResponse<String> r = post(path, "SELECT * FROM nope");
        assertEquals(400, r.statusCode());
        assertTrue(r.body().contains("nope"), r.body());
        assertEquals(400, post(path, "SELECT * FROM person; DROP TABLE person").statusCode());
    }

    // ------------------------------------------------------------------ call

    @Test
    void callAddPersonWithArrayAndObjectReachesSubscribers() throws Exception {
        TestClient watcher = connect(TestClient.to(sandbox));
        watcher.subscribe(1, "SELECT * FROM person");

        HttpResponse<String> array = callReducer("add_person", "[\"Ada\", 36]");
        assertEquals(200, array.statusCode(), array.body());
        List<Row> ada = Rows.inserts(sandbox.schema(), watcher.expect(ServerMessage.TransactionUpdate.class), "person");
        assertEquals(List.of("1:Ada:36"), Rows.people(ada));

        HttpResponse<String> object = callReducer("add_person", "{\"age\": 41, \"name\": \"Bob\"}");
        assertEquals(200, object.statusCode(), object.body());
        List<Row> bob = Rows.inserts(sandbox.schema(), watcher.expect(ServerMessage.TransactionUpdate.class), "person");
        assertEquals(List.of("2:Bob:41"), Rows.people(bob));
    }

    @Test
    void callRunsAsTheTokensIdentity() throws Exception {
        IssuedToken issued = sandbox.issueToken();
        TestClient watcher = connect(TestClient.to(sandbox));
        watcher.subscribe(1, "SELECT * FROM message");
        HttpResponse<String> r = post("v1/database/" + sandbox.database() + "/call/send_message", "[\"hi\"]",
                "Content-Type", "application/json; charset=utf-8", "Authorization", "Bearer " + issued.token());
        assertEquals(200, r.statusCode(), r.body());
        List<Row> rows = Rows.inserts(sandbox.schema(), watcher.expect(ServerMessage.TransactionUpdate.class), "message");
        assertEquals(issued.identity(), rows.get(0).getIdentity("sender"));
    }

    @Test
    void callFailIs530WithTheReason() throws Exception {
        TestClient watcher = connect(TestClient.to(sandbox));
        watcher.subscribe(1, "SELECT * FROM person");
        HttpResponse<String> r = callReducer("fail", "[\"out of coffee\"]");
        assertEquals(530, r.statusCode());
        assertTrue(r.body().contains("out of coffee"), r.body());
        watcher.assertNothingPending();
    }

    @Test
    void aNameThatIsNotAReducerIsCalledAsAProcedure() throws Exception {
        HttpResponse<String> echo = callReducer("echo", "{\"text\": \"hi there\"}");
        assertEquals(200, echo.statusCode(), echo.body());
        assertEquals("\"hi there\"", echo.body());
        assertEquals(400, callReducer("echo", "[42]").statusCode());
    }

    @Test
    void callErrors() throws Exception {
        HttpResponse<String> unknown = callReducer("no_such_reducer", "[]");
        assertEquals(404, unknown.statusCode());

        HttpResponse<String> text = post("v1/database/" + sandbox.database() + "/call/add_person", "[\"Ada\", 36]",
                "Content-Type", "text/plain");
        assertEquals(400, text.statusCode());
        HttpResponse<String> none = post("v1/database/" + sandbox.database() + "/call/add_person", "[\"Ada\", 36]");
        assertEquals(400, none.statusCode());

        HttpResponse<String> wrongType = callReducer("add_person", "{\"name\": \"Ada\", \"age\": \"old\"}");
        assertEquals(400, wrongType.statusCode());
        assertTrue(wrongType.body().contains("age"), wrongType.body());
        HttpResponse<String> outOfRange = callReducer("add_person", "[\"Ada\", 300]");
        assertEquals(400, outOfRange.statusCode());
        assertTrue(outOfRange.body().contains("age"), outOfRange.body());
        HttpResponse<String> missing = callReducer("add_person", "{\"name\": \"Ada\"}");
        assertEquals(400, missing.statusCode());
        assertTrue(missing.body().contains("age"), missing.body());
        HttpResponse<String> notJson = callReducer("add_person", "[\"Ada\", ");
        assertEquals(400, notJson.statusCode());

        assertEquals(400, callReducer("init", "[]").statusCode());
        HttpResponse<String> panic = callReducer("panic", "[]");
        assertEquals(530, panic.statusCode());
        assertTrue(panic.body().contains("panic"), panic.body());

        // Nothing was committed by any of them.
        HttpResponse<String> sql = post("v1/database/" + sandbox.database() + "/sql", "SELECT * FROM person");
        assertEquals(List.of(), ((Map<?, ?>) jsonArray(Json.parse(sql.body())).get(0)).get("rows"));
    }

    @Test
    void subscribeWithoutUpgradeIs400AndPingIs200() throws Exception {
        assertEquals(400, get("v1/database/" + sandbox.database() + "/subscribe").statusCode());
        assertEquals(200, get("v1/ping").statusCode());
        assertEquals(404, get("v1/nothing-here").statusCode());
    }

    @Test
    void unknownDatabaseIs404() throws Exception {
        assertEquals(404, get("v1/database/other/schema?version=9").statusCode());
        assertEquals(404, post("v1/database/other/sql", "SELECT * FROM person").statusCode());
        HttpResponse<String> call = post("v1/database/other/call/add_person", "[\"Ada\", 36]",
                "Content-Type", "application/json");
        assertEquals(404, call.statusCode());
        assertEquals(200, get("v1/database/" + sandbox.database()).statusCode());
    }
}
