package dev.stdb.secure.audit.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.lang.annotation.Annotation;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;

class EventAdminBridgeTest {

    static final class Recorder implements EventAdmin {
        final List<Event> posted = new ArrayList<>();

        @Override
        public void postEvent(Event event) {
            posted.add(event);
        }

        @Override
        public void sendEvent(Event event) {
            throw new AssertionError("the bridge posts asynchronously");
        }
    }

    private static EventAdminBridge.Config config(boolean enabled) {
        return new EventAdminBridge.Config() {
            @Override public Class<? extends Annotation> annotationType() { return EventAdminBridge.Config.class; }
            @Override public boolean enabled() { return enabled; }
        };
    }

    @Test
    void postsOnTheTypeTopicWithoutSecrets() {
        Recorder ea = new Recorder();
        EventAdminBridge bridge = new EventAdminBridge(ea, config(true));
        String value = "token-value-never-posted";
        try (Secret s = Secret.ofString(value)) {
            SecurityEvent e = SecurityEvent.of(SecurityEventType.AUTH_FAILURE, Outcome.FAILURE).source("test")
                    .time(Instant.parse("2026-01-01T00:00:01Z")).principal("alice").detail("token", s)
                    .detail("issuer", "https://idp").build();
            bridge.publish(e);
            assertEquals(1, ea.posted.size());
            Event ev = ea.posted.get(0);
            assertEquals("dev/stdb/secure/audit/AUTH_FAILURE", ev.getTopic());
            assertEquals(e.id().toString(), ev.getProperty("id"));
            assertEquals(1000L + Instant.parse("2026-01-01T00:00:00Z").toEpochMilli(), ev.getProperty("timestamp"));
            assertEquals("alice", ev.getProperty("principal"));
            assertFalse(ev.containsProperty("connection"));
            assertEquals("https://idp", ev.getProperty("detail.issuer"));
            assertEquals(s.fingerprint(), ev.getProperty("detail.token"));
            for (String name : ev.getPropertyNames()) {
                assertFalse(String.valueOf(ev.getProperty(name)).contains(value), name);
            }
        }
        new EventAdminBridge(ea, config(false)).publish(SecurityEvent.of(SecurityEventType.CONNECTED,
                Outcome.SUCCESS).source("test").build());
        assertEquals(1, ea.posted.size());
        assertTrue(EventAdminBridge.TOPIC_PREFIX.endsWith("/"));
    }
}
