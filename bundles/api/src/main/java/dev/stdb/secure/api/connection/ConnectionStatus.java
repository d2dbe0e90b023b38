package dev.stdb.secure.api.connection;

import java.time.Duration;
import java.util.Objects;

/**
 * A connection's state, with what a person or a program needs to judge it: which reconnect attempt comes next and
 * after what delay, and why.
 *
 * @param state   the state
 * @param attempt number of the next reconnect attempt, counting from 1; 0 when not reconnecting
 * @param delay   wait before that attempt, or null when not reconnecting
 * @param reason  why the connection is in this state (a reason code and message), or null
 */
public record ConnectionStatus(ConnectionState state, int attempt, Duration delay, String reason) {

    public ConnectionStatus {
        Objects.requireNonNull(state, "state");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt is negative: " + attempt);
        }
        if (delay != null && delay.isNegative()) {
            throw new IllegalArgumentException("delay is negative: " + delay);
        }
    }

    public static ConnectionStatus connecting() {
        return new ConnectionStatus(ConnectionState.CONNECTING, 0, null, null);
    }

    public static ConnectionStatus connected() {
        return new ConnectionStatus(ConnectionState.CONNECTED, 0, null, null);
    }

    /** Attempt number {@code attempt} (from 1) follows after {@code delay}, because of {@code reason}. */
    public static ConnectionStatus reconnecting(int attempt, Duration delay, String reason) {
        if (attempt < 1) {
            throw new IllegalArgumentException("reconnect attempts count from 1: " + attempt);
        }
        return new ConnectionStatus(ConnectionState.RECONNECTING, attempt, Objects.requireNonNull(delay, "delay"),
                reason);
    }

    public static ConnectionStatus waitingForProvider(String reason) {
        return new ConnectionStatus(ConnectionState.WAITING_FOR_PROVIDER, 0, null, reason);
    }

    public static ConnectionStatus closed(String reason) {
        return new ConnectionStatus(ConnectionState.CLOSED, 0, null, reason);
    }
}
