package dev.stdb.secure.api.compliance;

/** A compliance framework whose controls a {@link ComplianceReporter} can evaluate. */
public enum Framework {
    /** AICPA SOC 2 trust services criteria (security). */
    SOC2,
    /** HIPAA Security Rule technical safeguards (45 CFR 164.312). */
    HIPAA
}
