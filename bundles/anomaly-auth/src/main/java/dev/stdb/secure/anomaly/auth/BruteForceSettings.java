package dev.stdb.secure.anomaly.auth;

/**
 * Keycloak's brute-force detection settings, by the names of its realm representation, with its defaults.
 *
 * @param failureFactor                failures after which the principal is locked out (Keycloak "Max login failures")
 * @param waitIncrementSeconds         the unit the wait grows by ({@link Strategy})
 * @param maxFailureWaitSeconds        the longest temporary lockout
 * @param quickLoginCheckMilliSeconds  a failure this soon after the previous one is "quick"
 * @param minimumQuickLoginWaitSeconds the lockout after a quick failure that is not locked out otherwise
 * @param maxDeltaTimeSeconds          failures further apart than this start the count again ("Failure reset time")
 * @param permanentLockout             whether lockout becomes permanent (BLOCK) instead of only temporary
 * @param maxTemporaryLockouts         with permanent lockout: temporary lockouts before the permanent one; 0 locks
 *                                     out permanently once {@code failureFactor} failures are counted, with no
 *                                     temporary lockouts and no failure reset time (Keycloak's "Lockout permanently")
 * @param strategy                     how the wait grows ({@code bruteForceStrategy})
 */
public record BruteForceSettings(int failureFactor, int waitIncrementSeconds, int maxFailureWaitSeconds,
        long quickLoginCheckMilliSeconds, int minimumQuickLoginWaitSeconds, int maxDeltaTimeSeconds,
        boolean permanentLockout, int maxTemporaryLockouts, Strategy strategy) {

    /** Keycloak's {@code bruteForceStrategy} ({@code RealmRepresentation.BruteForceStrategy}). */
    public enum Strategy {
        /**
         * {@code waitIncrementSeconds * (failures / failureFactor)}, an integer division: no wait below
         * {@code failureFactor}, then the same wait for every failure up to the next multiple, where it grows by
         * {@code waitIncrementSeconds} (Keycloak's default).
         */
        MULTIPLE,
        /**
         * {@code waitIncrementSeconds * (1 + failures - failureFactor)}: from {@code failureFactor} on, every failure
         * waits {@code waitIncrementSeconds} longer.
         */
        LINEAR
    }

    /**
     * Keycloak's realm defaults (26.7.3 {@code RealmManager}): 30 failures, 60 s increments up to 15 min, quick check
     * 1 s / 60 s, reset after 12 h, temporary lockout only, MULTIPLE.
     */
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

    /**
     * Keycloak's strategy wait after {@code failures} failures in a row, in seconds, before the quick-login rule and
     * the {@code maxFailureWaitSeconds} cap; 0 or less is no lockout. In long arithmetic, as Keycloak computes it.
     */
    long waitSeconds(int failures) {
        if (strategy == Strategy.MULTIPLE) {
            return waitIncrementSeconds * ((long) failures / failureFactor);
        }
        return waitIncrementSeconds * (1L + failures - failureFactor);
    }
}
