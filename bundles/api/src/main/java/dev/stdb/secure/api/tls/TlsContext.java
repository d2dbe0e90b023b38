package dev.stdb.secure.api.tls;

import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * A ready {@link SSLContext} plus the {@link SSLParameters} (protocols, cipher suites, endpoint identification,
 * SNI) to apply to every engine or socket made from it. {@link SSLParameters} is mutable: users copy what they need
 * and never modify the instance they were given.
 *
 * @param sslContext    the context with the provider's trust and key managers
 * @param sslParameters the parameters to apply; endpoint identification should be {@code HTTPS}
 */
public record TlsContext(SSLContext sslContext, SSLParameters sslParameters) {

    public TlsContext {
        Objects.requireNonNull(sslContext, "sslContext");
        Objects.requireNonNull(sslParameters, "sslParameters");
    }
}
