package dev.stdb.secure.api.compliance;

/** Whether a {@link Control} is met. */
public enum ControlStatus {
    /** Met, with evidence. */
    PASS,
    /** Not met. */
    FAIL,
    /** Met in part; the evidence says what is missing. */
    PARTIAL,
    /** Does not apply to this deployment. */
    NOT_APPLICABLE
}
