package dev.stdb.secure.api.connection;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Told about every state change of a connection, in order, on the connection's callback thread, so it must return
 * quickly. Registered with a connection or, in OSGi, as a whiteboard service.
 */
@ConsumerType
@FunctionalInterface
public interface ConnectionStateListener {

    /** The connection to {@code target} is now in {@code status}. */
    void stateChanged(ConnectionTarget target, ConnectionStatus status);
}
