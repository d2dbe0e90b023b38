package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ProcedureDef;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.schema.SchemaWriter;
import dev.stdb.secure.protocol.value.SatsJsonValues;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.MintedToken;
import dev.stdb.secure.sandbox.internal.module.ReducerRun;
import dev.stdb.secure.sandbox.internal.module.StoredRow;
import dev.stdb.secure.sandbox.internal.module.Table;
import dev.stdb.secure.sandbox.internal.sql.SqlException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The HTTP routes of PROTOCOL.md §1 that clients use, plus the WebSocket upgrade. */
public final class HttpApi extends Handler.Abstract {
    private static final Pattern DATABASE_ROUTE = Pattern.compile("/v1/database/([^/]+)(/.*)?");
    private static final Pattern CALL = Pattern.compile("/call/([^/]+)");
    private static final Duration WEBSOCKET_TOKEN_LIFETIME = Duration.ofSeconds(60);

    private final String database;
    private final Engine engine;
    private final LocalIssuer issuer;
    private final Authentication auth;
    private final SubscribeUpgrade subscribe;
    private final FaultControl faults;

    HttpApi(String database, Engine engine, LocalIssuer issuer, Authentication auth, SubscribeUpgrade subscribe,
            FaultControl faults) {
        this.faults = faults;
        this.database = database;
        this.engine = engine;
        this.issuer = issuer;
        this.auth = auth;
        this.subscribe = subscribe;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        try {
            if (path.equals("/v1/ping")) {
                return text(response, callback, 200, "");
            }
            if (path.equals("/v1/identity") && HttpMethod.POST.is(method)) {
                MintedToken minted = issuer.mintAnonymous();
                return json(response, callback, JsonText.object("identity", minted.identity().toHex(), "token", minted.token()));
            }
            if (path.equals("/v1/identity/websocket-token") && HttpMethod.POST.is(method)) {
                Authentication.Caller caller = auth.require(request);
                return json(response, callback, JsonText.object("token", issuer.reSign(caller.validated(), WEBSOCKET_TOKEN_LIFETIME)));
            }
            if (path.equals("/v1/identity/public-key") && HttpMethod.GET.is(method)) {
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/pem-certificate-chain");
                Content.Sink.write(response, true, issuer.publicKeyPem(), callback);
                return true;
            }
            if (path.startsWith("/_sandbox/faults/") && HttpMethod.POST.is(method)) {
                fault(path.substring("/_sandbox/faults/".length()), request);
                return text(response, callback, 200, "");
            }
            Matcher m = DATABASE_ROUTE.matcher(path);
            if (m.matches()) {
                if (!database.equals(m.group(1))) {
                    throw new HttpError(404, "no such database: " + m.group(1) + " (the sandbox serves " + database + ")");
                }
                return database(request, response, callback, m.group(2) == null ? "" : m.group(2), method);
            }
            throw new HttpError(404, "not found: " + path);
        } catch (HttpError e) {
            // Read what is left of the body first: an unread body makes the server close the connection after the
            // answer, and a client that reuses pooled connections would then send its next request into a dead one.
            try {
                Content.Source.consumeAll(request);
            } catch (IOException | RuntimeException unreadable) {
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            return text(response, callback, e.status(), e.getMessage());
        }
    }

    private boolean database(Request request, Response response, Callback callback, String route, String method)
            throws HttpError {
        if (route.equals("/subscribe")) {
            subscribe.upgrade(request, response, callback);
            return true;
        }
        if (route.equals("/schema") && HttpMethod.GET.is(method)) {
            auth.authenticate(request);
            String version = Request.extractQueryParameters(request).getValue("version");
            ModuleSchema schema = engine.database().schema();
            if ("9".equals(version)) {
                return json(response, callback, SchemaWriter.writeV9(schema));
            }
            if ("10".equals(version)) {
                return json(response, callback, SchemaWriter.writeV10(schema));
            }
            throw new HttpError(400, "query parameter version must be 9 or 10");
        }
        if (route.equals("/sql") && HttpMethod.POST.is(method)) {
            auth.authenticate(request);
            return json(response, callback, sql(body(request)));
        }
        Matcher call = CALL.matcher(route);
        if (call.matches() && HttpMethod.POST.is(method)) {
            return call(request, response, callback, call.group(1));
        }
        if (route.isEmpty() && HttpMethod.GET.is(method)) {
            return json(response, callback, JsonText.object("database", database, "note",
                    "protocol sandbox: an emulator for tests, not a database"));
        }
        throw new HttpError(404, "not found: /v1/database/" + database + route);
    }

    /**
     * {@code POST /_sandbox/faults/<name>[?millis=N|frames=N]}: the faults of {@code SandboxFaults}, for test clients
     * outside this JVM (the body of {@code revoke-token} is the token).
     */
    private void fault(String name, Request request) throws HttpError {
        org.eclipse.jetty.util.Fields q = Request.extractQueryParameters(request);
        switch (name) {
            case "drop-connections" -> faults.dropConnections();
            case "refuse-connections" -> faults.refuseConnectionsFor(Duration.ofMillis(number(q, "millis")));
            case "delay-frames" -> faults.delayFrames(Duration.ofMillis(number(q, "millis")));
            case "reorder-frames" -> faults.reorderNextFrames((int) number(q, "frames"));
            case "malformed-frame" -> faults.sendMalformedFrame();
            case "revoke-token" -> faults.revokeToken(body(request).trim());
            case "expire-tokens" -> faults.expireAllTokens();
            case "reset" -> faults.reset();
            default -> throw new HttpError(404, "no such fault: " + name + " (drop-connections, refuse-connections,"
                    + " delay-frames, reorder-frames, malformed-frame, revoke-token, expire-tokens, reset)");
        }
    }

    private static long number(org.eclipse.jetty.util.Fields q, String name) throws HttpError {
        try {
            return Long.parseLong(q.getValue(name));
        } catch (NumberFormatException e) {
            throw new HttpError(400, "query parameter " + name + " must be a number");
        }
    }

    /** {@code POST /sql}: one result per statement, as the server answers (PROTOCOL.md §1.4). */
    private String sql(String body) throws HttpError {
        List<String> results = new ArrayList<>();
        for (String statement : statements(body)) {
            long started = System.nanoTime();
            List<StoredRow> rows = await(engine.sql(statement));
            Table table = engine.database().table(tableOf(statement)).orElseThrow();
            StringBuilder r = new StringBuilder("{\"schema\":")
                    .append(SchemaWriter.writeProductType(table.rowType())).append(",\"rows\":")
                    .append(SatsJsonValues.rowsToJson(rows.stream().map(StoredRow::value).toList(), table.rowType(),
                            engine.database().schema().typespace()));
            r.append(",\"total_duration_micros\":").append((System.nanoTime() - started) / 1000)
                    .append(",\"stats\":{\"rows_inserted\":0,\"rows_deleted\":0,\"rows_updated\":0}}");
            results.add(r.toString());
        }
        return "[" + String.join(",", results) + "]";
    }

    private static String tableOf(String select) {
        Matcher m = Pattern.compile("(?is).*?\\bFROM\\s+([A-Za-z_][A-Za-z0-9_]*).*").matcher(select);
        return m.matches() ? m.group(1) : "";
    }

    /** Splits on semicolons outside string literals; empty statements are dropped. */
    static List<String> statements(String sql) {
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (char c : sql.toCharArray()) {
            if (c == '\'') {
                quoted = !quoted;
            }
            if (c == ';' && !quoted) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        out.add(current.toString());
        out.removeIf(s -> s.isBlank());
        return out;
    }

    /** {@code POST /call/<reducer>} with SATS-JSON arguments (PROTOCOL.md §1.5). */
    private boolean call(Request request, Response response, Callback callback, String reducer) throws HttpError {
        Authentication.Caller caller = auth.authenticate(request);
        String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (contentType == null || !contentType.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
            throw new HttpError(400, "Content-Type must be application/json");
        }
        ModuleSchema schema = engine.database().schema();
        if (schema.reducer(reducer).isEmpty() && schema.procedure(reducer).isPresent()) {
            return procedure(request, response, callback, schema.procedure(reducer).get());
        }
        ReducerDef def = schema.reducer(reducer)
                .orElseThrow(() -> new HttpError(404, "no such reducer or procedure: " + reducer));
        if (!def.clientCallable()) {
            throw new HttpError(400, "reducer " + reducer + " is a lifecycle reducer and cannot be called");
        }
        Value.Product args;
        try {
            args = (Value.Product) SatsJsonValues.fromJson(body(request), def.params(), engine.database().schema().typespace(), "args");
        } catch (IllegalArgumentException e) { // ValueMismatchException included
            throw new HttpError(400, "invalid arguments for " + reducer + ": " + e.getMessage());
        }
        ReducerRun run = await(engine.callFromHttp(reducer, args, caller.identity()));
        // 530 carries the reducer's error text, whether it returned an error or panicked.
        return run.status() == ReducerRun.Status.COMMITTED
                ? text(response, callback, 200, "") : text(response, callback, 530, run.message());
    }

    /** A name that is not a reducer is tried as a procedure: 200 with its return value as SATS-JSON. */
    private boolean procedure(Request request, Response response, Callback callback, ProcedureDef def) throws HttpError {
        Typespace ts = engine.database().schema().typespace();
        Value.Product args;
        try {
            args = (Value.Product) SatsJsonValues.fromJson(body(request), def.params(), ts, "args");
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "invalid arguments for " + def.name() + ": " + e.getMessage());
        }
        Value result = await(engine.submit(() -> engine.database().runProcedure(def.name(), args)));
        return json(response, callback, SatsJsonValues.toJson(result, def.returnType(), ts));
    }

    private static <T> T await(java.util.concurrent.CompletableFuture<T> f) throws HttpError {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof SqlException sql) {
                throw new HttpError(400, sql.getMessage());
            }
            throw new HttpError(500, "internal error: " + e.getCause());
        } catch (TimeoutException e) {
            throw new HttpError(504, "the sandbox engine did not answer in time");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpError(503, "interrupted");
        }
    }

    private static String body(Request request) throws HttpError {
        try {
            return Content.Source.asString(request, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new HttpError(400, "cannot read the request body: " + e.getMessage());
        }
    }

    private static boolean json(Response response, Callback callback, String json) {
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        Content.Sink.write(response, true, json, callback);
        return true;
    }

    private static boolean text(Response response, Callback callback, int status, String text) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
        Content.Sink.write(response, true, text, callback);
        return true;
    }
}
