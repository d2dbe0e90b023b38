package dev.stdb.secure.anomaly.auth.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of one failed sign-in detector (factory PID {@code dev.stdb.secure.anomaly.auth}). The brute-force
 * properties have the names and defaults of Keycloak's realm settings.
 */
@ObjectClassDefinition(name = "SpacetimeDB Secure failed sign-in detector",
        description = "Keycloak's brute-force protection for this client's credentials: temporary lockouts that grow, "
                + "optionally a permanent one; the core enforces them.")
public @interface FailedAuthConfig {

    @AttributeDefinition(name = "Detector id", description = "Named in findings and ANOMALY events.")
    String detector_id() default "failed-auth";

    @AttributeDefinition(name = "Max login failures", description = "Failures after which the principal is locked out.")
    int failureFactor() default 30;

    @AttributeDefinition(name = "Wait increment (s)", description = "The unit the wait grows by: MULTIPLE waits waitIncrementSeconds * (failures / failureFactor), "
            + "LINEAR waitIncrementSeconds * (1 + failures - failureFactor).")
    int waitIncrementSeconds() default 60;

    @AttributeDefinition(name = "Max wait (s)", description = "The longest temporary lockout.")
    int maxFailureWaitSeconds() default 900;

    @AttributeDefinition(name = "Quick login check (ms)",
            description = "A failure this soon after the previous one is locked out for the minimum quick login wait.")
    long quickLoginCheckMilliSeconds() default 1000;

    @AttributeDefinition(name = "Minimum quick login wait (s)")
    int minimumQuickLoginWaitSeconds() default 60;

    @AttributeDefinition(name = "Failure reset time (s)",
            description = "Failures further apart than this start the count again (not with permanent lockout and 0 "
                    + "temporary lockouts).")
    int maxDeltaTimeSeconds() default 43200;

    @AttributeDefinition(name = "Permanent lockout", description = "Lock out permanently (BLOCK) instead of only "
            + "temporarily, after maxTemporaryLockouts temporary lockouts.")
    boolean permanentLockout() default false;

    @AttributeDefinition(name = "Max temporary lockouts",
            description = "With permanent lockout: temporary lockouts before the permanent one; 0: locked out "
                    + "permanently at failureFactor failures, no temporary lockouts, failures never reset.")
    int maxTemporaryLockouts() default 0;

    @AttributeDefinition(name = "Brute force strategy", description = "MULTIPLE (Keycloak's default) or LINEAR.")
    String bruteForceStrategy() default "MULTIPLE";

    @AttributeDefinition(name = "Counted event sources",
            description = "Sources whose AUTH_FAILURE / AUTH_SUCCESS events count; the core reports each failure once.")
    String[] sources() default {"dev.stdb.secure.core"};

    @AttributeDefinition(name = "Track sources", description = "Also count failures per target and lock it out.")
    boolean trackSources() default false;
}
