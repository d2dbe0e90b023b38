package dev.stdb.secure.api.tls;

import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEventSink;
import java.net.URI;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Supplies the TLS setup for connections to a target. Registered as a service with the {@value #PROFILE} property;
 * a connection selects one with a target filter on it.
 *
 * <p>Certificate pins are checked inside the returned context's trust manager, after PKIX path validation and host
 * name verification, never instead of them. Handshake failures should surface as {@link TlsException}s whose
 * {@link dev.stdb.secure.api.ReasonCode} names the check that failed.
 */
@ConsumerType
public interface TlsContextProvider {

    /** Service property naming the TLS profile, for example {@code default} or {@code pinned-prod}. */
    String PROFILE = "tls.profile";

    /** The provider's id, usually equal to its {@value #PROFILE} service property. */
    String id();

    /**
     * The context and parameters to use for {@code target}. Cheap enough to call for every connection attempt, so
     * that rotated certificates and pins take effect on the next reconnect.
     *
     * @throws TlsException if no usable context can be built (missing key, unreadable trust store, bad policy)
     */
    TlsContext contextFor(URI target) throws TlsException;

    /**
     * As {@link #contextFor(URI)}, with the connection's event sink: the security events of handshakes made with the
     * returned context ({@code PIN_MISMATCH}, {@code TLS_FAILURE}, ...) go to {@code events}, so they reach the
     * connection's audit sinks and anomaly detectors. Providers that emit no events need not override it.
     *
     * @param events where the connection routes security events; never null
     * @since 0.2.0
     */
    default TlsContext contextFor(URI target, SecurityEventSink events) throws TlsException {
        return contextFor(target);
    }
}
