package dev.stdb.secure.auth.oauth2.internal;

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
