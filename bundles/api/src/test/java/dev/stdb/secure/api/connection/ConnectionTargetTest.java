package dev.stdb.secure.api.connection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionTargetTest {

    @Test
    void acceptsTheFourSchemes() {
        assertTrue(ConnectionTarget.of("wss://db.example:443", "chat").secure());
        assertTrue(ConnectionTarget.of("HTTPS://db.example", "chat").secure());
        assertFalse(ConnectionTarget.of("ws://localhost:3000", "chat").secure());
        assertFalse(ConnectionTarget.of("http://localhost:3000", "chat").secure());
    }

    @Test
    void rejectsBadTargets() {
        assertThrows(IllegalArgumentException.class, () -> ConnectionTarget.of("ftp://h", "db"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTarget.of("localhost:3000", "db"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTarget.of("wss:///path", "db"));
        assertThrows(IllegalArgumentException.class, () -> ConnectionTarget.of("wss://h", " "));
        assertThrows(NullPointerException.class, () -> ConnectionTarget.of("wss://h", null));
    }

    @Test
    void userInfoIsRejectedWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConnectionTarget.of("wss://alice:hunter2@h/db", "db"));
        assertFalse(e.getMessage().contains("hunter2"), e.getMessage());
        assertTrue(e.getMessage().contains("wss://h/db"), e.getMessage());
    }

    @Test
    void statusFactories() {
        ConnectionStatus r = ConnectionStatus.reconnecting(2, Duration.ofSeconds(2), "connection.lost");
        assertEquals(ConnectionState.RECONNECTING, r.state());
        assertEquals(2, r.attempt());
        assertEquals(ConnectionState.WAITING_FOR_PROVIDER, ConnectionStatus.waitingForProvider("no auth").state());
        assertThrows(IllegalArgumentException.class, () -> ConnectionStatus.reconnecting(0, Duration.ZERO, null));
        assertThrows(IllegalArgumentException.class,
                () -> new ConnectionStatus(ConnectionState.RECONNECTING, 1, Duration.ofSeconds(-1), null));
    }
}
