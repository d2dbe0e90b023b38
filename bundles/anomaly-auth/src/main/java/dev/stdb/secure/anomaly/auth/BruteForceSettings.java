package dev.stdb.secure.anomaly.auth;

/**
 * Keycloak's brute-force detection settings, by the names of its realm representation, with its defaults.
 *
 * @param failureFactor                failures after which the principal is locked out (Keycloak "Max login failures")
 * @param waitIncrementSeconds         how much longer each further lockout lasts
 * @param maxFailureWaitSeconds        the longest temporary lockout
 * @param quickLoginCheckMilliSeconds  a failure this soon after the previous one is "quick"
 * @param minimumQuickLoginWaitSeconds the lockout after a quick failure that is not locked out otherwise
 * @param maxDeltaTimeSeconds          failures further apart than this start the count again ("Failure reset time")
 * @param permanentLockout             whether lockout becomes permanent (BLOCK) instead of only temporary
 * @param maxTemporaryLockouts         with permanent lockout: temporary lockouts before the permanent one; 0 locks
 *                                     out permanently at the first lockout
 * @param strategy                     how the wait grows ({@code bruteForceStrategy})
 */
public record BruteForceSettings(int failureFactor, int waitIncrementSeconds, int maxFailureWaitSeconds,
        long quickLoginCheckMilliSeconds, int minimumQuickLoginWaitSeconds, int maxDeltaTimeSeconds,
        boolean permanentLockout, int maxTemporaryLockouts, Strategy strategy) {

    /** Keycloak's {@code bruteForceStrategy}. */
    public enum Strategy {
        /**
         * Lockout at every multiple of {@code failureFactor}, for {@code waitIncrementSeconds * failures /
         * failureFactor} (Keycloak's default).
         */
        MULTIPLE,
        /**
         * Lockout at {@code failureFactor} and at every failure after it, for {@code waitIncrementSeconds * (1 +
         * failures - failureFactor)}.
         */
        LINEAR
    }

    /** Keycloak's defaults: 30 failures, 60 s increments up to 15 min, quick check 1 s / 60 s, reset after 12 h. */
    public static final BruteForceSettings KEYCLOAK_DEFAULTS = new BruteForceSettings(30, 60, 900, 1000, 60, 43200,
            false, 0, Strategy.MULTIPLE);

    public BruteForceSettings {
        positive(failureFactor, "failureFactor");
        notNegative(waitIncrementSeconds, "waitIncrementSeconds");
        notNegative(maxFailureWaitSeconds, "maxFailureWaitSeconds");
        notNegative(quickLoginCheckMilliSeconds, "quickLoginCheckMilliSeconds");
        notNegative(minimumQuickLoginWaitSeconds, "minimumQuickLoginWaitSeconds");
        positive(maxDeltaTimeSeconds, "maxDeltaTimeSeconds");
        notNegative(maxTemporaryLockouts, "maxTemporaryLockouts");
        if (strategy == null) {
            throw new IllegalArgumentException("bruteForceStrategy: required (MULTIPLE or LINEAR)");
        }
    }

    private static void positive(long v, String name) {
        if (v <= 0) {
            throw new IllegalArgumentException(name + ": must be positive, not " + v);
        }
    }

    private static void notNegative(long v, String name) {
        if (v < 0) {
            throw new IllegalArgumentException(name + ": must not be negative, not " + v);
        }
    }

    /** The lockout, in seconds, after {@code failures} failures in a row (0 for none), before the quick check and cap. */
    int waitSeconds(int failures) {
        if (strategy == Strategy.MULTIPLE) {
            return failures % failureFactor == 0 ? waitIncrementSeconds * (failures / failureFactor) : 0;
        }
        return failures >= failureFactor ? waitIncrementSeconds * (1 + failures - failureFactor) : 0;
    }
}
