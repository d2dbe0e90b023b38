package dev.stdb.secure.auth.apikey.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One token request: {@code client_credentials} with the API key as the client secret, or an RFC 8693 token exchange
 * with the key as the subject token. The key and the client secret go only into the request body or the
 * {@code Authorization} header; errors name the endpoint and the IdP's {@code error} code, never a secret.
 */
public final class TokenEndpoint {

    /** RFC 8693 token type of an access token. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final int MAX_RESPONSE = 1 << 20;

    private final URI uri;
    private final boolean exchange;
    private final String clientId;
    private final Supplier<Secret> clientSecret;
    private final String scope;
    private final String audience;
    private final String subjectTokenType;
    private final Duration timeout;
    private final HttpClient http;

    public TokenEndpoint(URI uri, boolean exchange, String clientId, Supplier<Secret> clientSecret, String scope,
            String audience, String subjectTokenType, Duration timeout) {
        this.uri = uri;
        this.exchange = exchange;
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.scope = scope;
        this.audience = audience;
        this.subjectTokenType = subjectTokenType;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** True for a host name or address of the loopback interface. */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        if (host.equals("localhost")) {
            return true;
        }
        try {
            return (Character.isDigit(host.charAt(0)) || host.startsWith("["))
                    && InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** Trades {@code key} for a token; runs on the caller's (the provider's) thread. */
    public Credential exchange(Secret key) {
        Map<String, String> form = new LinkedHashMap<>();
        String authorization = null;
        if (exchange) {
            form.put("grant_type", TOKEN_EXCHANGE);
            form.put("subject_token_type", subjectTokenType);
            form.put("requested_token_type", ACCESS_TOKEN_TYPE);
            if (clientId != null && clientSecret != null) {
                Secret secret = clientSecret.get();
                try {
                    authorization = basic(clientId, secret);
                } finally {
                    secret.destroy();
                }
            } else if (clientId != null) {
                form.put("client_id", clientId);
            }
        } else {
            form.put("grant_type", "client_credentials");
            authorization = basic(clientId, key);
        }
        if (scope != null) {
            form.put("scope", scope);
        }
        if (audience != null) {
            form.put("audience", audience);
        }
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> append(body, k, v));
        if (exchange) {
            key.withChars(chars -> {
                append(body, "subject_token", new String(chars));
                return null;
            });
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        body.setLength(0);
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AuthenticationException(ReasonCode.IDP_UNREACHABLE, "token endpoint " + uri
                    + " cannot be reached: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthenticationException(ReasonCode.IDP_UNREACHABLE, "interrupted while asking " + uri);
        }
        return parse(response);
    }

    private Credential parse(HttpResponse<byte[]> response) {
        byte[] bytes = response.body();
        if (bytes.length > MAX_RESPONSE) {
            throw new AuthenticationException(ReasonCode.TOKEN_INVALID, "token endpoint " + uri
                    + " answered with more than 1 MiB");
        }
        Map<String, Object> json;
        try {
            json = JSONObjectUtils.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (ParseException e) {
            throw new AuthenticationException(response.statusCode() >= 500 ? ReasonCode.IDP_UNREACHABLE
                    : ReasonCode.TOKEN_INVALID, "token endpoint " + uri + " answered " + response.statusCode()
                    + " without a JSON body");
        }
        if (response.statusCode() != 200) {
            String error = String.valueOf(json.get("error"));
            ReasonCode reason = response.statusCode() >= 500 ? ReasonCode.IDP_UNREACHABLE
                    : error.equals("invalid_client") || error.equals("unauthorized_client")
                    || error.equals("invalid_grant") || error.equals("invalid_request")
                    || response.statusCode() == 401 ? ReasonCode.INVALID_CREDENTIALS : ReasonCode.TOKEN_INVALID;
            Object description = json.get("error_description");
            throw new AuthenticationException(reason, "token endpoint " + uri + " refused the API key: "
                    + response.statusCode() + " " + error + (description == null ? "" : " (" + description + ")"));
        }
        Object accessToken = json.get("access_token");
        if (!(accessToken instanceof String) || ((String) accessToken).isEmpty()) {
            throw new AuthenticationException(ReasonCode.TOKEN_INVALID, "token endpoint " + uri
                    + " answered 200 without an access_token");
        }
        Credential fromClaims = KeyClaims.credential(Secret.ofString((String) accessToken));
        if (fromClaims.expiresAt() == null && json.get("expires_in") instanceof Number) {
            long seconds = ((Number) json.get("expires_in")).longValue();
            Instant now = Instant.now();
            return Credential.builder(fromClaims.token()).issuer(fromClaims.issuer()).subject(fromClaims.subject())
                    .issuedAt(now).expiresAt(now.plusSeconds(seconds)).build();
        }
        return fromClaims;
    }

    private static String basic(String clientId, Secret secret) {
        // RFC 6749 §2.3.1: both parts form-encoded before base64
        return secret.withChars(chars -> "Basic " + Base64.getEncoder().encodeToString(
                (encode(clientId) + ":" + encode(new String(chars))).getBytes(StandardCharsets.UTF_8)));
    }

    private static void append(StringBuilder body, String key, String value) {
        if (body.length() > 0) {
            body.append('&');
        }
        body.append(encode(key)).append('=').append(encode(value));
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
