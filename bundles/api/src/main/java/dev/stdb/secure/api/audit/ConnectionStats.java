package dev.stdb.secure.api.audit;

/**
 * The detail names of a {@link SecurityEventType#CONNECTION_STATS} event, shared by the core that emits it and the
 * detectors that read it. The event also carries the connection's {@code uri} and {@code database} (its target
 * {@code <uri>/<database>}), as every connection event of the core does. Values are decimal strings.
 *
 * <p>One event covers the time since the previous one of the same connection, so the calls of a period in which the
 * connection was down are not lost: they are reported with the next period, whose {@link #PERIOD_MS} is longer. An
 * idle period is reported too ({@code reducer.calls=0}): a rate average that never sees idle time overstates the
 * usual rate, and a burst after a quiet spell would look normal.
 *
 * @since 0.5
 */
public interface ConnectionStats {
    /** Reducer calls the application made on the connection in the period. */
    String REDUCER_CALLS = "reducer.calls";
    /** Length of the period in milliseconds, as measured by the connection's clock. */
    String PERIOD_MS = "period.ms";
}
