package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code POST /v1/identity/websocket-token}: the caller's claims re-signed for 60 seconds (PROTOCOL.md §1.2). */
final class WebSocketTokenExchange {
    private static final Pattern TOKEN = Pattern.compile("\"token\"\\s*:\\s*\"([^\"]+)\"");

    private WebSocketTokenExchange() {
    }

    static CompletableFuture<String> exchange(HttpClient http, URI httpBase, String token, Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(httpBase.resolve("v1/identity/websocket-token")).timeout(timeout)
                .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build();
        return http.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(r -> {
            Matcher m = TOKEN.matcher(r.body() == null ? "" : r.body());
            if (r.statusCode() != 200 || !m.find()) {
                throw new AuthenticationException(ReasonCode.TOKEN_INVALID,
                        "the server refused the websocket-token exchange (" + r.statusCode() + ")");
            }
            return m.group(1);
        });
    }
}
