package dev.stdb.secure.api.audit;

import java.util.Objects;

/**
 * What {@link AuditTrail#verify} found.
 *
 * @param intact          true if every record checked is unaltered and none is missing
 * @param recordsChecked  how many records were checked
 * @param firstProblem    what is wrong with the first bad record, or null when intact
 * @param problemSequence sequence number of the first bad record, or -1 when intact
 */
public record VerificationResult(boolean intact, long recordsChecked, String firstProblem, long problemSequence) {

    public VerificationResult {
        if (recordsChecked < 0) {
            throw new IllegalArgumentException("recordsChecked is negative: " + recordsChecked);
        }
        if (intact && (firstProblem != null || problemSequence != -1)) {
            throw new IllegalArgumentException("an intact result has no problem");
        }
        if (!intact) {
            Objects.requireNonNull(firstProblem, "firstProblem");
            if (problemSequence < 0) {
                throw new IllegalArgumentException("problemSequence is negative: " + problemSequence);
            }
        }
    }

    /** All {@code recordsChecked} records are intact. */
    public static VerificationResult ok(long recordsChecked) {
        return new VerificationResult(true, recordsChecked, null, -1);
    }

    /** The record with sequence number {@code sequence} is the first bad one. */
    public static VerificationResult broken(long recordsChecked, long sequence, String problem) {
        return new VerificationResult(false, recordsChecked, problem, sequence);
    }
}
