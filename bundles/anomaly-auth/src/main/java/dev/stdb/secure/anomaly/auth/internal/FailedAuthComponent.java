package dev.stdb.secure.anomaly.auth.internal;

import dev.stdb.secure.anomaly.auth.BruteForceSettings;
import dev.stdb.secure.anomaly.auth.FailedAuthDetector;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link FailedAuthDetector} per factory configuration {@code dev.stdb.secure.anomaly.auth~<name>}; every
 * connection binds it. A bad configuration fails activation with a {@link ConfigurationException} naming the property.
 */
@Designate(ocd = FailedAuthConfig.class, factory = true)
@Component(configurationPid = FailedAuthComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AnomalyDetector.class)
public final class FailedAuthComponent implements AnomalyDetector {

    public static final String PID = "dev.stdb.secure.anomaly.auth";

    private final FailedAuthDetector detector;

    @Activate
    public FailedAuthComponent(FailedAuthConfig config) {
        this.detector = build(config, Clock.systemUTC());
    }

    static FailedAuthDetector build(FailedAuthConfig c, Clock clock) {
        BruteForceSettings.Strategy strategy;
        try {
            strategy = BruteForceSettings.Strategy.valueOf(c.bruteForceStrategy().trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("bruteForceStrategy: '" + c.bruteForceStrategy()
                    + "' is not MULTIPLE or LINEAR");
        }
        try {
            BruteForceSettings s = new BruteForceSettings(c.failureFactor(), c.waitIncrementSeconds(),
                    c.maxFailureWaitSeconds(), c.quickLoginCheckMilliSeconds(), c.minimumQuickLoginWaitSeconds(),
                    c.maxDeltaTimeSeconds(), c.permanentLockout(), c.maxTemporaryLockouts(), strategy);
            return FailedAuthDetector.builder().id(c.detector_id()).settings(s)
                    .sources(c.sources() == null ? Set.of() : Set.of(c.sources())).trackSources(c.trackSources())
                    .clock(clock).build();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    @Override
    public String id() {
        return detector.id();
    }

    @Override
    public List<Finding> onEvent(SecurityEvent event) {
        return detector.onEvent(event);
    }
}
