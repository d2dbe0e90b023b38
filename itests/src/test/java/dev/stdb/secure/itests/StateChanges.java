package dev.stdb.secure.itests;

import dev.stdb.secure.api.connection.ConnectionStateListener;
import dev.stdb.secure.api.connection.ConnectionStatus;
import dev.stdb.secure.core.Connection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** The state changes of one connection from now until closed: a swap that keeps the session must show none. */
final class StateChanges implements AutoCloseable {
    private final Connection connection;
    private final List<ConnectionStatus> changes = new CopyOnWriteArrayList<>();
    private final ConnectionStateListener listener = (target, status) -> changes.add(status);

    StateChanges(Connection connection) {
        this.connection = connection;
        connection.addStateListener(listener);
    }

    /** The changes so far, and those still to come (a live view). */
    List<ConnectionStatus> list() {
        return changes;
    }

    @Override
    public void close() {
        connection.removeStateListener(listener);
    }
}
