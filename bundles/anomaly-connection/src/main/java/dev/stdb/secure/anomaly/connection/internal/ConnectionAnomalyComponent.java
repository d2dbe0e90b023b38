package dev.stdb.secure.anomaly.connection.internal;

import dev.stdb.secure.anomaly.connection.IdentityChangedDetector;
import dev.stdb.secure.anomaly.connection.PinMismatchBurstDetector;
import dev.stdb.secure.anomaly.connection.ReconnectStormDetector;
import dev.stdb.secure.anomaly.connection.ReducerRateDetector;
import dev.stdb.secure.anomaly.connection.RefreshFailureDetector;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The five connection detectors as one {@link AnomalyDetector} service per factory configuration
 * {@code dev.stdb.secure.anomaly.connection~<name>}; each finding names the detector that made it. A bad
 * configuration fails activation with a {@link ConfigurationException} naming the property.
 */
@Designate(ocd = ConnectionAnomalyConfig.class, factory = true)
@Component(configurationPid = ConnectionAnomalyComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AnomalyDetector.class)
public final class ConnectionAnomalyComponent implements AnomalyDetector {

    public static final String PID = "dev.stdb.secure.anomaly.connection";

    private final String id;
    private final List<AnomalyDetector> detectors;

    @Activate
    public ConnectionAnomalyComponent(ConnectionAnomalyConfig config) {
        this(config, Clock.systemUTC());
    }

    ConnectionAnomalyComponent(ConnectionAnomalyConfig c, Clock clock) {
        this.id = c.detector_id();
        try {
            this.detectors = List.of(
                    new PinMismatchBurstDetector(c.pinMismatch_blockCount(),
                            seconds(c.pinMismatch_windowSeconds(), "pinMismatch.windowSeconds"),
                            Duration.ofSeconds(c.pinMismatch_blockSeconds()), clock),
                    new IdentityChangedDetector(response(c.identityChanged_response(), "identityChanged.response"),
                            Duration.ofSeconds(c.identityChanged_blockSeconds()), clock),
                    new ReconnectStormDetector(c.reconnect_max(),
                            seconds(c.reconnect_windowSeconds(), "reconnect.windowSeconds"), clock),
                    new RefreshFailureDetector(c.refresh_maxFailures()),
                    new ReducerRateDetector(c.reducerRate_alpha(), c.reducerRate_threshold(), c.reducerRate_warmup(),
                            c.reducerRate_minRate(), response(c.reducerRate_response(), "reducerRate.response")));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException(e.getMessage());
        }
    }

    private static Duration seconds(int s, String name) {
        if (s <= 0) {
            throw new ConfigurationException(name + ": must be positive, not " + s);
        }
        return Duration.ofSeconds(s);
    }

    private static Response response(String value, String name) {
        try {
            return Response.valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw new ConfigurationException(name + ": '" + value + "' is not a response");
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public List<Finding> onEvent(SecurityEvent event) {
        List<Finding> all = null;
        for (AnomalyDetector d : detectors) {
            List<Finding> f = d.onEvent(event);
            if (!f.isEmpty()) {
                if (all == null) {
                    all = new ArrayList<>(f.size());
                }
                all.addAll(f);
            }
        }
        return all == null ? List.of() : all;
    }
}
