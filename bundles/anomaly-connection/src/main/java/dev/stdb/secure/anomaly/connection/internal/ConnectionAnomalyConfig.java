package dev.stdb.secure.anomaly.connection.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the connection anomaly detectors (factory PID {@code dev.stdb.secure.anomaly.connection}). */
@ObjectClassDefinition(name = "SpacetimeDB Secure connection anomaly detectors",
        description = "Pin mismatch bursts, identity changes, reconnect storms, refresh failures in a row and "
                + "unusual reducer-call rates.")
public @interface ConnectionAnomalyConfig {

    @AttributeDefinition(name = "Detector id", description = "The id of the service; findings name each detector.")
    String detector_id() default "connection-anomalies";

    @AttributeDefinition(name = "Pin mismatches before BLOCK")
    int pinMismatch_blockCount() default 3;

    @AttributeDefinition(name = "Pin mismatch window (s)")
    int pinMismatch_windowSeconds() default 300;

    @AttributeDefinition(name = "Pin mismatch block (s)")
    int pinMismatch_blockSeconds() default 3600;

    @AttributeDefinition(name = "Identity change response", description = "BLOCK or ALERT.")
    String identityChanged_response() default "BLOCK";

    @AttributeDefinition(name = "Identity change block (s)", description = "0 blocks until an operator lifts it.")
    int identityChanged_blockSeconds() default 3600;

    @AttributeDefinition(name = "Reconnects that make a storm")
    int reconnect_max() default 10;

    @AttributeDefinition(name = "Reconnect storm window (s)")
    int reconnect_windowSeconds() default 60;

    @AttributeDefinition(name = "Refresh failures in a row")
    int refresh_maxFailures() default 3;

    @AttributeDefinition(name = "Reducer rate EWMA alpha", description = "Weight of the newest rate, in (0, 1].")
    double reducerRate_alpha() default 0.3;

    @AttributeDefinition(name = "Reducer rate threshold", description = "Rate above this many times the average.")
    double reducerRate_threshold() default 3.0;

    @AttributeDefinition(name = "Reducer rate warm-up summaries")
    int reducerRate_warmup() default 5;

    @AttributeDefinition(name = "Reducer rate minimum (calls/s)", description = "Lower rates are never unusual.")
    double reducerRate_minRate() default 1.0;

    @AttributeDefinition(name = "Reducer rate response", description = "ALERT or THROTTLE.")
    String reducerRate_response() default "ALERT";
}
