package dev.stdb.secure.anomaly.auth.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.anomaly.auth.BruteForceSettings;
import dev.stdb.secure.anomaly.auth.FailedAuthDetector;
import dev.stdb.secure.api.ConfigurationException;
import java.lang.annotation.Annotation;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** The factory configuration becomes a detector with Keycloak's settings, or a ConfigurationException. */
class FailedAuthComponentTest {

    static class Config implements FailedAuthConfig {
        int failureFactor = 30;
        String strategy = "MULTIPLE";
        int waitIncrement = 60;

        @Override public Class<? extends Annotation> annotationType() { return FailedAuthConfig.class; }
        @Override public String detector_id() { return "brute-force"; }
        @Override public int failureFactor() { return failureFactor; }
        @Override public int waitIncrementSeconds() { return waitIncrement; }
        @Override public int maxFailureWaitSeconds() { return 900; }
        @Override public long quickLoginCheckMilliSeconds() { return 1000; }
        @Override public int minimumQuickLoginWaitSeconds() { return 60; }
        @Override public int maxDeltaTimeSeconds() { return 43200; }
        @Override public boolean permanentLockout() { return false; }
        @Override public int maxTemporaryLockouts() { return 0; }
        @Override public String bruteForceStrategy() { return strategy; }
        @Override public String[] sources() { return new String[] {"dev.stdb.secure.core"}; }
        @Override public boolean trackSources() { return false; }
    }

    @Test
    void defaultsAreKeycloaks() {
        FailedAuthDetector d = FailedAuthComponent.build(new Config(), Clock.systemUTC());
        assertEquals("brute-force", d.id());
        assertEquals(BruteForceSettings.KEYCLOAK_DEFAULTS, d.settings());
        Config linear = new Config();
        linear.strategy = "linear";
        assertEquals(BruteForceSettings.Strategy.LINEAR,
                FailedAuthComponent.build(linear, Clock.systemUTC()).settings().strategy());
    }

    @Test
    void badValuesNameTheirProperty() {
        Config c = new Config();
        c.failureFactor = 0;
        assertTrue(assertThrows(ConfigurationException.class, () -> FailedAuthComponent.build(c, Clock.systemUTC()))
                .getMessage().contains("failureFactor"));
        Config s = new Config();
        s.strategy = "EXPONENTIAL";
        assertTrue(assertThrows(ConfigurationException.class, () -> FailedAuthComponent.build(s, Clock.systemUTC()))
                .getMessage().contains("bruteForceStrategy"));
        Config w = new Config();
        w.waitIncrement = -1;
        assertTrue(assertThrows(ConfigurationException.class, () -> FailedAuthComponent.build(w, Clock.systemUTC()))
                .getMessage().contains("waitIncrementSeconds"));
    }
}
