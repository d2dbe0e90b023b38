package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Keeps every event; checks that none carries a secret. */
final class RecordingEvents implements SecurityEventSink {
    private final List<SecurityEvent> events = new ArrayList<>();

    @Override
    public synchronized void emit(SecurityEvent event) {
        events.add(event);
    }

    synchronized List<SecurityEvent> all() {
        return List.copyOf(events);
    }

    List<SecurityEvent> of(SecurityEventType type) {
        return all().stream().filter(e -> e.type() == type).collect(Collectors.toList());
    }

    /** Fails if {@code secret} appears in any event (principal, connection, details). */
    void assertNoneContains(String secret) {
        for (SecurityEvent e : all()) {
            assertFalse(e.toString().contains(secret), "an event carries a secret: " + e.type());
        }
    }
}
