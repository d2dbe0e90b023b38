package dev.stdb.secure.anomaly.connection.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.lang.annotation.Annotation;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The configuration becomes the five detectors, or a ConfigurationException naming the property. */
class ConnectionAnomalyComponentTest {

    static class Config implements ConnectionAnomalyConfig {
        String identityResponse = "BLOCK";
        double alpha = 0.3;
        int window = 60;

        @Override public Class<? extends Annotation> annotationType() { return ConnectionAnomalyConfig.class; }
        @Override public String detector_id() { return "connection-anomalies"; }
        @Override public int pinMismatch_blockCount() { return 3; }
        @Override public int pinMismatch_windowSeconds() { return 300; }
        @Override public int pinMismatch_blockSeconds() { return 3600; }
        @Override public String identityChanged_response() { return identityResponse; }
        @Override public int identityChanged_blockSeconds() { return 3600; }
        @Override public int reconnect_max() { return 10; }
        @Override public int reconnect_windowSeconds() { return window; }
        @Override public int refresh_maxFailures() { return 3; }
        @Override public double reducerRate_alpha() { return alpha; }
        @Override public double reducerRate_threshold() { return 3.0; }
        @Override public int reducerRate_warmup() { return 5; }
        @Override public double reducerRate_minRate() { return 1.0; }
        @Override public String reducerRate_response() { return "ALERT"; }
    }

    @Test
    void findingsNameTheDetectorThatMadeThem() {
        ConnectionAnomalyComponent c = new ConnectionAnomalyComponent(new Config(), Clock.systemUTC());
        assertEquals("connection-anomalies", c.id());
        List<Finding> f = c.onEvent(SecurityEvent.of(SecurityEventType.IDENTITY_CHANGED, Outcome.FAILURE)
                .source("dev.stdb.secure.core").detail("uri", "ws://h").detail("database", "db").build());
        assertEquals(1, f.size());
        assertEquals("identity-changed", f.get(0).detector());
        assertEquals(List.of(), c.onEvent(SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.SUCCESS)
                .source("dev.stdb.secure.core").build()));
    }

    @Test
    void badValuesNameTheirProperty() {
        Config a = new Config();
        a.alpha = 1.5;
        assertTrue(assertThrows(ConfigurationException.class, () -> new ConnectionAnomalyComponent(a, Clock.systemUTC()))
                .getMessage().contains("reducerRate.alpha"));
        Config r = new Config();
        r.identityResponse = "SHRUG";
        assertTrue(assertThrows(ConfigurationException.class, () -> new ConnectionAnomalyComponent(r, Clock.systemUTC()))
                .getMessage().contains("identityChanged.response"));
        Config w = new Config();
        w.window = 0;
        assertTrue(assertThrows(ConfigurationException.class, () -> new ConnectionAnomalyComponent(w, Clock.systemUTC()))
                .getMessage().contains("reconnect.windowSeconds"));
    }
}
