package dev.stdb.secure.auth.oauth2.internal;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.auth.oauth2.OAuth2Exception;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;

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

    /** {@link ReasonCode#IDP_UNREACHABLE}, saying whether the connection was refused, timed out or the host unknown. */
    public static OAuth2Exception unreachable(String what, IOException e) {
        String why = e instanceof ConnectException ? "connection refused"
                : e instanceof SocketTimeoutException ? "timed out"
                : e instanceof UnknownHostException ? "unknown host"
                : e.getClass().getSimpleName();
        return new OAuth2Exception(ReasonCode.IDP_UNREACHABLE, "the identity provider cannot be reached: " + what
                + " failed (" + why + "); check the network, proxy and issuer URL", null, 0, e);
    }
}
