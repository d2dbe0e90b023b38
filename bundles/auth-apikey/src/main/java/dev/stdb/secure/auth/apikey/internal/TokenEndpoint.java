package dev.stdb.secure.auth.apikey.internal;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One token request: {@code client_credentials} with the API key as the client secret, or an RFC 8693 token exchange
 * with the key as the subject token. Errors name the endpoint and the IdP's {@code error} code, never a secret.
 *
 * <p>Secrets go into the form body only ({@code client_secret_post}, the default): the body is built in a byte array
 * of this class's own ({@link FormBody}), handed to the HTTP client without a copy, and zeroed once the response has
 * arrived, so no secret stays on the heap after a request. With {@code client_secret_basic} the client secret (the
 * API key in client-credentials mode) goes into the {@code Authorization} header instead: the JDK's HTTP client takes
 * headers only as {@link String}s, which cannot be zeroed and stay on the heap until collected; use it only for an IdP
 * that refuses {@code client_secret_post}.
 */
public final class TokenEndpoint {

    /** RFC 8693 token type of an access token. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    private static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final int MAX_RESPONSE = 1 << 20;

    private final URI uri;
    private final boolean exchange;
    private final boolean basic;
    private final String clientId;
    private final Supplier<Secret> clientSecret;
    private final String scope;
    private final String audience;
    private final String subjectTokenType;
    private final Duration timeout;
    private volatile HttpClient http;

    /**
     * @param basic {@code client_secret_basic} (an {@code Authorization} header) instead of {@code client_secret_post}
     */
    public TokenEndpoint(URI uri, boolean exchange, boolean basic, String clientId, Supplier<Secret> clientSecret,
            String scope, String audience, String subjectTokenType, Duration timeout) {
        this.uri = uri;
        this.exchange = exchange;
        this.basic = basic;
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
        HttpClient client = http;
        if (client == null) {
            throw new AuthenticationException(ReasonCode.IDP_UNREACHABLE, "token endpoint " + uri
                    + ": the provider is closed");
        }
        String authorization = null;
        HttpResponse<byte[]> response;
        try (FormBody body = new FormBody()) {
            if (exchange) {
                body.append("grant_type", TOKEN_EXCHANGE).append("subject_token_type", subjectTokenType)
                        .append("requested_token_type", ACCESS_TOKEN_TYPE);
                if (clientId != null && clientSecret != null) {
                    Secret secret = clientSecret.get();
                    try {
                        authorization = clientAuth(body, secret);
                    } finally {
                        secret.destroy();
                    }
                } else if (clientId != null) {
                    body.append("client_id", clientId);
                }
            } else {
                body.append("grant_type", "client_credentials");
                authorization = clientAuth(body, key);
            }
            if (scope != null) {
                body.append("scope", scope);
            }
            if (audience != null) {
                body.append("audience", audience);
            }
            if (exchange) {
                body.appendSecret("subject_token", key);
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                    .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "application/json")
                    .POST(body.publisher());
            if (authorization != null) {
                request.header("Authorization", authorization);
            }
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new AuthenticationException(ReasonCode.IDP_UNREACHABLE, "token endpoint " + uri
                    + " cannot be reached: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")"), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuthenticationException(ReasonCode.IDP_UNREACHABLE, "interrupted while asking " + uri);
        }
        try {
            return parse(response);
        } finally {
            Arrays.fill(response.body(), (byte) 0);
        }
    }

    /**
     * Drops the HTTP client (Java 17's has no close): once unreachable, its selector thread ends and its connection
     * pool goes with it. Later requests fail.
     */
    public void close() {
        http = null;
    }

    /** {@code client_secret_post}: id and secret into the body (null); {@code client_secret_basic}: the header. */
    private String clientAuth(FormBody body, Secret secret) {
        if (!basic) {
            body.append("client_id", clientId).appendSecret("client_secret", secret);
            return null;
        }
        return basic(clientId, secret);
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

    /** RFC 6749 §2.3.1: both parts form-encoded before base64. The result is a String: it cannot be zeroed. */
    private static String basic(String clientId, Secret secret) {
        byte[] id = FormBody.encoded(clientId.getBytes(StandardCharsets.UTF_8));
        byte[] pass = secret.withBytes(FormBody::encoded);
        byte[] pair = new byte[id.length + 1 + pass.length];
        byte[] b64 = null;
        try {
            System.arraycopy(id, 0, pair, 0, id.length);
            pair[id.length] = ':';
            System.arraycopy(pass, 0, pair, id.length + 1, pass.length);
            b64 = Base64.getEncoder().encode(pair);
            return "Basic " + new String(b64, StandardCharsets.US_ASCII);
        } finally {
            Arrays.fill(pass, (byte) 0);
            Arrays.fill(pair, (byte) 0);
            if (b64 != null) {
                Arrays.fill(b64, (byte) 0);
            }
        }
    }
}
