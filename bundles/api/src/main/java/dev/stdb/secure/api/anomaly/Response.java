package dev.stdb.secure.api.anomaly;

/** What a detector suggests the core do about a {@link Finding}. */
public enum Response {
    /** Record and notify only. */
    ALERT,
    /** Slow the principal or source down until {@link Finding#until()}. */
    THROTTLE,
    /** Refuse the principal or source until {@link Finding#until()}, or until an operator lifts the block. */
    BLOCK,
    /** Demand a second factor before going on (step-up authentication). */
    REQUIRE_MFA
}
