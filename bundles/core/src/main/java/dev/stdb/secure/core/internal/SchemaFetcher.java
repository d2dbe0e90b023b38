package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ConnectionException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.SchemaException;
import dev.stdb.secure.protocol.schema.SchemaParser;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** {@code GET /v1/database/<db>/schema?version=10}, which names event tables and reducer error types. */
final class SchemaFetcher {
    private SchemaFetcher() {
    }

    static CompletableFuture<ModuleSchema> fetch(HttpClient http, URI httpBase, String database, String token,
                                                 Duration timeout) {
        URI uri = httpBase.resolve("v1/database/" + URLEncoder.encode(database, StandardCharsets.UTF_8)
                + "/schema?version=10");
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET();
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            String failure = "GET " + uri.getPath() + " answered " + r.statusCode() + ": " + abbreviate(r.body());
            if (r.statusCode() == 401 || r.statusCode() == 400 && token != null) {
                throw new AuthenticationException(ReasonCode.TOKEN_INVALID, failure);
            }
            if (r.statusCode() != 200) {
                throw new ConnectionException(ReasonCode.SERVER_REJECTED, failure);
            }
            try {
                return SchemaParser.parse(r.body());
            } catch (SchemaException e) {
                throw new ConnectionException(ReasonCode.PROTOCOL_ERROR, "the module schema cannot be read: " + e.getMessage(), e);
            }
        });
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
