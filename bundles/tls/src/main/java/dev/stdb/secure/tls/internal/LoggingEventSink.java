package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import java.lang.System.Logger.Level;

/**
 * The event sink of a TLS profile used without a connection's sink (for example a context built directly with
 * {@code contextFor(URI)}): pin and handshake events are written to {@link System.Logger}
 * {@code dev.stdb.secure.tls}; failures at WARNING, warnings at WARNING, the rest at INFO.
 */
public final class LoggingEventSink implements SecurityEventSink {

    private static final System.Logger LOG = System.getLogger("dev.stdb.secure.tls");

    @Override
    public void emit(SecurityEvent event) {
        Level level = event.outcome() == Outcome.FAILURE || event.outcome() == Outcome.WARNING
                ? Level.WARNING : Level.INFO;
        LOG.log(level, () -> event.type() + " " + event.outcome() + " " + event.details());
    }
}
