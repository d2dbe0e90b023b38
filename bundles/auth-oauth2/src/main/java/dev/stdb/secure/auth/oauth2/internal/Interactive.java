package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCode;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.util.URLUtils;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.api.auth.MfaChallenge;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.auth.MfaResponse;
import dev.stdb.secure.auth.oauth2.BrowserLauncher;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The grants in which a person takes part: device authorization (RFC 8628) and authorization code with PKCE S256
 * and a loopback redirect (RFC 8252). Neither blocks a caller: polls and timeouts are timers on the provider's
 * scheduler, HTTP requests run on its executor, and the loopback listener has its own thread while it lives.
 *
 * <p>Device code, authorization code, PKCE verifier, state and nonce never appear in a message, log line or event.
 */
public final class Interactive {
    private static final Logger LOG = Logger.getLogger(Interactive.class.getName());
    /** RFC 8628 3.5: without an interval in the answer, 5 s; slow_down adds 5 s. */
    static final int DEFAULT_INTERVAL_SECONDS = 5;
    static final int SLOW_DOWN_SECONDS = 5;
    static final String CALLBACK_PATH = "/callback";

    /** What the provider lends the grants. */
    public interface Host {
        String providerId();

        String clientId();

        Scope scope();

        Discovery.Endpoints endpoints();

        ClientAuthenticator authenticator();

        Duration connectTimeout();

        Duration readTimeout();

        Clock clock();

        Executor executor();

        ScheduledExecutorService scheduler();

        MfaHandler mfa(AuthContext context);

        /** The configured launcher, or null for the default. */
        BrowserLauncher launcher();

        int redirectPort();

        Duration browserTimeout();

        /** Token request with {@code grant}; ID token validated (nonce {@code expectedNonce} if not null). */
        Credential exchange(AuthorizationGrant grant, AuthContext context, SecurityEventType type, String expectedNonce,
                boolean idTokenRequired);

        OAuth2Exception refused(ErrorObject error, String what, ReasonCode reason);

        /** Reports a failed sign-in (AUTH_FAILURE). */
        void failed(AuthContext context, RuntimeException e);

        void emit(AuthContext context, SecurityEvent.Builder event);
    }

    private final Host host;
    private final Set<Listener> listeners = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<Credential>> pending = ConcurrentHashMap.newKeySet();

    public Interactive(Host host) {
        this.host = host;
    }

    /** Fails every sign-in still waiting for a person and stops every loopback listener, before the timers stop. */
    public void close() {
        for (CompletableFuture<Credential> f : pending) {
            f.completeExceptionally(new OAuth2Exception(ReasonCode.MFA_FAILED, "the OAuth 2.0 provider "
                    + host.providerId() + " was closed during the sign-in", null, 0, null));
        }
        for (Listener l : listeners) {
            l.stopNow();
        }
    }

    /** A stage for one sign-in, tracked until it completes so that {@link #close()} can end it. */
    private CompletableFuture<Credential> tracked() {
        CompletableFuture<Credential> result = new CompletableFuture<>();
        pending.add(result);
        result.whenComplete((c, e) -> pending.remove(result));
        return result;
    }

    // ------------------------------------------------------------------------------------------------------------
    // Device authorization grant

    /** RFC 8628: asks for a device code, shows the user code, polls until the person approved, denied or it expired. */
    public CompletableFuture<Credential> deviceCode(AuthContext context, SecurityEventType type) {
        CompletableFuture<Credential> result = tracked();
        try {
            host.executor().execute(() -> {
                try {
                    DeviceAuthorizationSuccessResponse auth = deviceAuthorization();
                    new DevicePoll(auth, context, type, result).start();
                } catch (RuntimeException e) {
                    fail(result, context, e);
                }
            });
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(closed(closed));
        }
        return result;
    }

    private DeviceAuthorizationSuccessResponse deviceAuthorization() {
        URI endpoint = host.endpoints().deviceAuthorization();
        if (endpoint == null) {
            throw new ConfigurationException("grant: the identity provider announces no"
                    + " device_authorization_endpoint; enable the device authorization grant for the realm/client");
        }
        ClientAuthenticator auth = host.authenticator();
        DeviceAuthorizationRequest.Builder b = auth.isPublic()
                ? new DeviceAuthorizationRequest.Builder(auth.clientId())
                : new DeviceAuthorizationRequest.Builder(auth.authenticate(endpoint));
        b.endpointURI(endpoint);
        if (host.scope() != null) {
            b.scope(host.scope());
        }
        HTTPRequest http = Http.closing(b.build().toHTTPRequest());
        http.setConnectTimeout((int) host.connectTimeout().toMillis());
        http.setReadTimeout((int) host.readTimeout().toMillis());
        HTTPResponse response;
        try {
            response = http.send();
        } catch (IOException e) {
            throw Http.unreachable("device authorization request to " + endpoint, e);
        }
        DeviceAuthorizationResponse parsed;
        try {
            parsed = DeviceAuthorizationResponse.parse(response);
        } catch (ParseException e) {
            int status = response.getStatusCode();
            throw new OAuth2Exception(status >= 500 ? ReasonCode.IDP_UNREACHABLE : ReasonCode.INVALID_CREDENTIALS,
                    "the device authorization endpoint " + endpoint + " gave an answer that is not an RFC 8628"
                            + " response (HTTP " + status + ")", null, status, null);
        }
        if (!parsed.indicatesSuccess()) {
            throw host.refused(parsed.toErrorResponse().getErrorObject(), "device authorization request",
                    ReasonCode.INVALID_CREDENTIALS);
        }
        return parsed.toSuccessResponse();
    }

    /** One device-code sign-in: the challenge shown, then polls on timers until an answer ends it. */
    private final class DevicePoll {
        private final DeviceCode deviceCode;
        private final AuthContext context;
        private final SecurityEventType type;
        private final CompletableFuture<Credential> result;
        private final Instant deadline;
        private final Duration lifetime;
        private final MfaChallenge challenge;
        private volatile int intervalSeconds;

        DevicePoll(DeviceAuthorizationSuccessResponse auth, AuthContext context, SecurityEventType type,
                CompletableFuture<Credential> result) {
            this.deviceCode = auth.getDeviceCode();
            this.context = context;
            this.type = type;
            this.result = result;
            this.intervalSeconds = auth.getInterval() > 0 ? (int) auth.getInterval() : DEFAULT_INTERVAL_SECONDS;
            this.lifetime = Duration.ofSeconds(Math.max(1, auth.getLifetime()));
            this.deadline = host.clock().instant().plus(lifetime);
            URI complete = auth.getVerificationURIComplete();
            String userCode = auth.getUserCode().getValue();
            this.challenge = new MfaChallenge(MfaChallenge.Kind.DEVICE_CODE, host.providerId(),
                    "To sign in, open " + auth.getVerificationURI() + " and enter the code " + userCode
                            + (complete != null ? " (or open " + complete + ")" : ""),
                    auth.getVerificationURI(), userCode, lifetime);
        }

        void start() {
            host.emit(context, SecurityEvent.of(SecurityEventType.MFA_CHALLENGE, Outcome.SUCCESS)
                    .detail("kind", "device_code").detail("verification_uri", String.valueOf(challenge.verificationUri()))
                    .detail("expires_in", String.valueOf(lifetime.toSeconds())));
            CompletionStage<MfaResponse> answer;
            try {
                answer = host.mfa(context).answer(challenge);
            } catch (RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            // The identity provider says how it ends; the handler can only cut it short (denied, failed).
            answer.whenComplete((response, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    fail(result, context, new OAuth2Exception(ReasonCode.MFA_FAILED, "the MFA handler could not show"
                            + " the device code of " + host.providerId() + " (" + cause.getClass().getSimpleName()
                            + ": " + cause.getMessage() + ")", null, 0, cause));
                } else if (response != null && !response.approved()) {
                    fail(result, context, new OAuth2Exception(ReasonCode.MFA_FAILED, "the device sign-in of "
                            + host.providerId() + " was abandoned at the MFA handler", "access_denied", 0, null));
                }
            });
            schedule();
        }

        private void schedule() {
            if (result.isDone()) {
                return;
            }
            try {
                host.scheduler().schedule(() -> {
                    try {
                        host.executor().execute(this::poll);
                    } catch (RejectedExecutionException e) {
                        result.completeExceptionally(closed(e));
                    }
                }, intervalSeconds, TimeUnit.SECONDS);
            } catch (RejectedExecutionException e) {
                result.completeExceptionally(closed(e));
            }
        }

        private void poll() {
            if (result.isDone()) {
                return;
            }
            try {
                succeed(result, host.exchange(new DeviceCodeGrant(deviceCode), context, type, null, false));
            } catch (OAuth2Exception e) {
                String error = e.error() == null ? "" : e.error();
                switch (error) {
                    case "authorization_pending":
                        if (host.clock().instant().isAfter(deadline.plusSeconds(intervalSeconds))) {
                            fail(result, context, expired(e.httpStatus()));
                        } else {
                            schedule();
                        }
                        break;
                    case "slow_down":
                        intervalSeconds += SLOW_DOWN_SECONDS;
                        LOG.fine(() -> host.providerId() + ": slow_down, polling every " + intervalSeconds + " s");
                        schedule();
                        break;
                    case "expired_token":
                        fail(result, context, expired(e.httpStatus()));
                        break;
                    case "access_denied":
                        fail(result, context, new OAuth2Exception(ReasonCode.MFA_FAILED, "the person denied the"
                                + " device sign-in of client " + host.clientId() + " (access_denied); sign in again"
                                + " and approve it", "access_denied", e.httpStatus(), null));
                        break;
                    case "invalid_grant":
                        // some providers forget an expired device code instead of answering expired_token
                        fail(result, context, host.clock().instant().isBefore(deadline) ? e : expired(e.httpStatus()));
                        break;
                    default:
                        fail(result, context, e);
                }
            } catch (RuntimeException e) {
                fail(result, context, e);
            }
        }

        private OAuth2Exception expired(int status) {
            return new OAuth2Exception(ReasonCode.MFA_FAILED, "the device code of client " + host.clientId()
                    + " expired after " + lifetime.toSeconds() + " s before anyone approved it (expired_token);"
                    + " sign in again", "expired_token", status, null);
        }
    }

    // ------------------------------------------------------------------------------------------------------------
    // Authorization code grant, PKCE S256, loopback redirect

    /** RFC 6749 4.1 + RFC 7636 (S256) + RFC 8252 7.3: a one-shot listener on 127.0.0.1 receives the code. */
    public CompletableFuture<Credential> authorizationCode(AuthContext context, SecurityEventType type) {
        CompletableFuture<Credential> result = tracked();
        try {
            host.executor().execute(() -> {
                try {
                    new Listener(context, type, result).start();
                } catch (RuntimeException e) {
                    fail(result, context, e);
                } catch (NoClassDefFoundError e) {
                    fail(result, context, new ConfigurationException("grant: authorization_code needs the JDK's"
                            + " HTTP server (module jdk.httpserver, package com.sun.net.httpserver) for its loopback"
                            + " redirect; it is not available (" + e.getMessage() + ")"));
                }
            });
        } catch (RejectedExecutionException closed) {
            result.completeExceptionally(closed(closed));
        }
        return result;
    }

    /** One sign-in's loopback listener: answers one callback, then stops. */
    private final class Listener {
        private final AuthContext context;
        private final SecurityEventType type;
        private final CompletableFuture<Credential> result;
        private final State state = new State();
        private final CodeVerifier verifier = new CodeVerifier();
        private final Nonce nonce;
        private final AtomicBoolean used = new AtomicBoolean();
        private final AtomicBoolean stopped = new AtomicBoolean();
        private HttpServer server;
        private ExecutorService thread;
        private URI redirectUri;

        Listener(AuthContext context, SecurityEventType type, CompletableFuture<Credential> result) {
            this.context = context;
            this.type = type;
            this.result = result;
            this.nonce = host.scope() != null && host.scope().contains("openid") ? new Nonce() : null;
        }

        void start() {
            URI authorizationEndpoint = host.endpoints().authorization();
            if (authorizationEndpoint == null) {
                throw new ConfigurationException("issuer: the identity provider announces no authorization_endpoint");
            }
            InetAddress loopback;
            try {
                loopback = InetAddress.getByAddress("127.0.0.1", new byte[] {127, 0, 0, 1});
                server = HttpServer.create(new InetSocketAddress(loopback, host.redirectPort()), 4);
            } catch (IOException e) {
                throw new ConfigurationException("redirect.port: cannot listen on 127.0.0.1:" + host.redirectPort()
                        + " for the sign-in redirect (" + e.getMessage() + ")");
            }
            thread = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "stdb-oauth2-" + host.providerId() + "-redirect");
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(thread);
            server.createContext("/", this::handle);
            server.start();
            listeners.add(this);
            result.whenComplete((c, e) -> stopSoon());
            redirectUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + CALLBACK_PATH);

            URI authorize;
            if (nonce != null) {
                authorize = new AuthenticationRequest.Builder(ResponseType.CODE, host.scope(),
                        host.authenticator().clientId(), redirectUri).endpointURI(authorizationEndpoint)
                        .state(state).nonce(nonce).codeChallenge(verifier, CodeChallengeMethod.S256).build().toURI();
            } else {
                AuthorizationRequest.Builder b = new AuthorizationRequest.Builder(ResponseType.CODE,
                        host.authenticator().clientId()).endpointURI(authorizationEndpoint).redirectionURI(redirectUri)
                        .state(state).codeChallenge(verifier, CodeChallengeMethod.S256);
                if (host.scope() != null) {
                    b.scope(host.scope());
                }
                authorize = b.build().toURI();
            }
            Duration timeout = host.browserTimeout();
            try {
                java.util.concurrent.ScheduledFuture<?> timer = host.scheduler().schedule(() -> fail(
                        new OAuth2Exception(ReasonCode.MFA_FAILED, "no sign-in reached " + redirectUri + " within "
                                + timeout.toSeconds() + " s (browser.timeout.seconds); sign in again", "timeout", 0,
                                null)), timeout.toMillis(), TimeUnit.MILLISECONDS);
                result.whenComplete((c, e) -> timer.cancel(false));
            } catch (RejectedExecutionException e) {
                fail(closed(e));
                return;
            }
            host.emit(context, SecurityEvent.of(SecurityEventType.MFA_CHALLENGE, Outcome.SUCCESS)
                    .detail("kind", "authorization_code").detail("redirect_uri", redirectUri.toString())
                    .detail("authorization_endpoint", authorizationEndpoint.toString()));
            launch(authorize).whenComplete((v, error) -> {
                if (error != null) {
                    Throwable cause = unwrap(error);
                    fail(new OAuth2Exception(ReasonCode.MFA_FAILED, "the browser could not be opened for the"
                            + " sign-in of " + host.providerId() + " (" + cause.getClass().getSimpleName() + ": "
                            + cause.getMessage() + ")", null, 0, cause));
                }
            });
        }

        private CompletionStage<Void> launch(URI authorize) {
            try {
                BrowserLauncher launcher = host.launcher();
                if (launcher != null) {
                    return launcher.open(authorize);
                }
                if (desktopBrowse(authorize)) {
                    return CompletableFuture.completedFuture(null);
                }
                // No desktop: a person opens the URL from the prompt; the handler's answer does not matter.
                host.mfa(context).answer(new MfaChallenge(MfaChallenge.Kind.OTHER, host.providerId(),
                        "To sign in, open this URL in a browser on this machine: " + authorize, authorize, null,
                        host.browserTimeout()));
                return CompletableFuture.completedFuture(null);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }

        private void handle(HttpExchange exchange) throws IOException {
            try (exchange) {
                if (!CALLBACK_PATH.equals(exchange.getRequestURI().getPath())) {
                    reply(exchange, 404, "Not found", "This listener only takes the sign-in redirect.");
                    return;
                }
                if (!"GET".equals(exchange.getRequestMethod())) {
                    reply(exchange, 405, "Method not allowed", "The sign-in redirect is a GET request.");
                    return;
                }
                if (!used.compareAndSet(false, true)) {
                    reply(exchange, 400, "Already used", "This sign-in link was used already.");
                    return;
                }
                String query = exchange.getRequestURI().getRawQuery();
                Map<String, List<String>> params = URLUtils.parseParameters(query == null ? "" : query);
                String returnedState = first(params, "state");
                if (returnedState == null || !MessageDigest.isEqual(returnedState.getBytes(StandardCharsets.UTF_8),
                        state.getValue().getBytes(StandardCharsets.UTF_8))) {
                    reply(exchange, 400, "Sign-in refused", "The answer does not belong to this sign-in (state"
                            + " mismatch). Close this window and sign in again.");
                    fail(new OAuth2Exception(ReasonCode.TOKEN_FORGED, "the sign-in redirect to " + redirectUri
                            + " carried a state that does not belong to this sign-in (forged or replayed); no token"
                            + " was requested", "state_mismatch", 0, null));
                    return;
                }
                String error = first(params, "error");
                if (error != null) {
                    reply(exchange, 400, "Sign-in not completed", "The identity provider answered " + escape(error)
                            + ". Close this window.");
                    fail(host.refused(new ErrorObject(error, first(params, "error_description")),
                            "authorization request", ReasonCode.MFA_FAILED));
                    return;
                }
                String code = first(params, "code");
                if (code == null) {
                    reply(exchange, 400, "Sign-in refused", "The answer carries no authorization code.");
                    fail(new OAuth2Exception(ReasonCode.TOKEN_INVALID, "the sign-in redirect carried no"
                            + " authorization code", "invalid_request", 0, null));
                    return;
                }
                CompletableFuture<Credential> token = CompletableFuture.supplyAsync(() -> host.exchange(
                        new AuthorizationCodeGrant(new AuthorizationCode(code), redirectUri, verifier), context, type,
                        nonce == null ? null : nonce.getValue(), nonce != null), host.executor());
                Credential credential;
                try {
                    credential = token.get(host.connectTimeout().plus(host.readTimeout()).toMillis() * 2 + 5000,
                            TimeUnit.MILLISECONDS);
                } catch (java.util.concurrent.ExecutionException e) {
                    reply(exchange, 400, "Sign-in failed", "The code could not be exchanged for a token. Close this"
                            + " window; the application reports why.");
                    Throwable cause = unwrap(e.getCause());
                    fail(cause instanceof RuntimeException ? (RuntimeException) cause
                            : new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "token exchange failed", null, 0, cause));
                    return;
                } catch (TimeoutException e) {
                    reply(exchange, 504, "Sign-in failed", "The identity provider did not answer in time.");
                    fail(new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "the token exchange of the sign-in timed"
                            + " out", null, 0, e));
                    return;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    fail(new OAuth2Exception(ReasonCode.MFA_FAILED, "the sign-in was interrupted", null, 0, e));
                    return;
                } catch (RejectedExecutionException e) {
                    fail(closed(e));
                    return;
                }
                reply(exchange, 200, "Signed in", "You are signed in. You can close this window.");
                succeed(result, credential);
            } catch (RuntimeException e) {
                fail(e);
            }
        }

        void fail(RuntimeException e) {
            Interactive.this.fail(result, context, e);
        }

        private void stopSoon() {
            try {
                host.scheduler().execute(this::stopNow); // not on the listener's thread, which may still be answering
            } catch (RejectedExecutionException closed) {
                stopNow();
            }
        }

        void stopNow() {
            if (stopped.compareAndSet(false, true)) {
                listeners.remove(this);
                server.stop(0);
                thread.shutdownNow();
            }
        }
    }

    /**
     * java.awt.Desktop, reflectively: the bundle neither imports java.awt nor requires module java.desktop (the
     * package name is put together at run time, or bnd would import the constant's package).
     */
    private static boolean desktopBrowse(URI uri) {
        try {
            String awt = String.join(".", "java", "awt") + ".";
            Class<?> ge = Class.forName(awt + "GraphicsEnvironment");
            if ((Boolean) ge.getMethod("isHeadless").invoke(null)) {
                return false;
            }
            Class<?> desktop = Class.forName(awt + "Desktop");
            if (!(Boolean) desktop.getMethod("isDesktopSupported").invoke(null)) {
                return false;
            }
            Object d = desktop.getMethod("getDesktop").invoke(null);
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object browse = Enum.valueOf((Class) Class.forName(awt + "Desktop$Action"), "BROWSE");
            if (!(Boolean) desktop.getMethod("isSupported", browse.getClass()).invoke(d, browse)) {
                return false;
            }
            desktop.getMethod("browse", URI.class).invoke(d, uri);
            return true;
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            LOG.log(Level.FINE, "no desktop browser: {0}", e.toString());
            return false;
        }
    }

    private static void reply(HttpExchange exchange, int status, String title, String text) throws IOException {
        byte[] body = ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>" + title + "</title></head><body>"
                + "<h1>" + title + "</h1><p>" + text + "</p></body></html>").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** Reports the failure (AUTH_FAILURE) before anyone waiting on {@code result} sees it; only the first counts. */
    private void fail(CompletableFuture<Credential> result, AuthContext context, RuntimeException e) {
        synchronized (result) {
            if (result.isDone()) {
                return;
            }
            host.failed(context, e);
            result.completeExceptionally(e);
        }
    }

    private static void succeed(CompletableFuture<Credential> result, Credential credential) {
        synchronized (result) {
            result.complete(credential);
        }
    }

    private OAuth2Exception closed(RejectedExecutionException e) {
        return new OAuth2Exception(ReasonCode.MFA_FAILED, "the OAuth 2.0 provider " + host.providerId()
                + " is closed", null, 0, e);
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
