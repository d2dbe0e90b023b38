package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import javax.net.ssl.SSLException;
import dev.stdb.secure.api.TlsException;

/** Maps I/O failures towards the identity provider to typed errors. */
public final class Http {
    private Http() {
    }

    /**
     * Marks a request that carries secrets (client credentials, a grant, a token) or whose answer does (tokens, a
     * device code) with {@code Connection: close}. Nimbus sends through {@code HttpURLConnection}, whose keep-alive
     * cache holds an idle connection's {@code sun.net.www.http.HttpClient} for seconds to minutes, and with it the
     * buffers of its last exchange, never zeroed: the request written ({@code serverOutput}, a
     * {@code BufferedOutputStream} of 8 KiB: issue 7 found the access token of a revocation there) and the answer read.
     * A closed connection is not cached, so its buffers become garbage with it. Token requests are rare (one per
     * access-token lifetime), so the extra TCP (and TLS) handshake costs little.
     */
    public static HTTPRequest closing(HTTPRequest request) {
        request.setHeader("Connection", "close");
        return request;
    }

    /**
     * {@link ReasonCode#IDP_UNREACHABLE}, saying whether the connection was refused, timed out or the host unknown;
     * a failed TLS handshake gets the reason of the TLS check that failed when the trust manager said which
     * (a {@link TlsException} in the causes), else {@link ReasonCode#UNTRUSTED_CHAIN}: one side did not accept the
     * other's certificate, which retrying does not fix.
     */
    public static OAuth2Exception unreachable(String what, IOException e) {
        if (e instanceof SSLException) {
            ReasonCode reason = ReasonCode.UNTRUSTED_CHAIN;
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof TlsException) {
                    reason = ((TlsException) t).reason();
                    break;
                }
            }
            return new OAuth2Exception(reason, "the TLS handshake with the identity provider failed: " + what
                    + " (" + e.getMessage() + "); check its certificate against the trusted CAs and pins, and that"
                    + " it accepts the client certificate", null, 0, e);
        }
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof SocketTimeoutException ? "timed out"
                : e instanceof UnknownHostException ? "unknown host"
                // Under TLS 1.3 a server that refuses the client certificate just closes the connection.
                : e instanceof java.net.SocketException ? "connection closed (" + e.getMessage() + "; with a TLS client"
                        + " certificate, the provider may have refused it)"
                : e.getClass().getSimpleName();
        return new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "the identity provider cannot be reached: " + what
                + " failed (" + why + "); check the network, proxy and issuer URL", null, 0, e);
    }
}
