package dev.stdb.secure.api.audit;

import org.osgi.annotation.versioning.ProviderType;

/**
 * How providers report security events to the core, which routes them to audit sinks and anomaly detectors.
 * Handed to providers (for example in {@link dev.stdb.secure.api.auth.AuthContext#events()}); implemented by the
 * core. {@link #emit(SecurityEvent)} returns quickly and never throws because of a failing sink.
 */
@ProviderType
@FunctionalInterface
public interface SecurityEventSink {

    /** Reports {@code event}. */
    void emit(SecurityEvent event);
}
