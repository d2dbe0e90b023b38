package dev.stdb.secure.audit.file;

import dev.stdb.secure.api.audit.VerificationResult;

/**
 * What {@link FileAuditTrail#verifyDetailed} found: the first problem with where it is, or that the records are
 * intact, plus a note about the tail that is not a problem (a torn last line left by a crash, records after the last
 * checkpoint).
 *
 * @param intact         true if no problem was found
 * @param recordsChecked records checked (events and checkpoints)
 * @param kind           the first problem, or null when intact
 * @param segment        file name of the segment holding it, or null
 * @param line           1-based line in that segment where it was found, or 0
 * @param sequence       sequence number of the first bad or missing record, or -1
 * @param message        a sentence naming kind, segment, line and sequence, or null when intact
 * @param tail           a remark about the end of the trail that is not tampering, or null
 * @param signaturesChecked whether checkpoint signatures were checked (false without a verification key)
 */
public record Verification(boolean intact, long recordsChecked, Kind kind, String segment, long line, long sequence,
        String message, String tail, boolean signaturesChecked) {

    /** Kinds of problem, each naming what happened to the first bad record. */
    public enum Kind {
        /** A record's content no longer matches its hash, or the line is not a record. */
        MODIFIED,
        /** One or more records are missing inside the trail (a sequence gap). */
        DELETED,
        /** A record that the chain does not contain sits in the trail (a forged line, a replay). */
        INSERTED,
        /** Records are present but out of order. */
        REORDERED,
        /** Records at the end of a segment or of the trail are gone or cut mid-line. */
        TRUNCATED,
        /** More event records follow a checkpoint than the checkpoint interval allows. */
        MISSING_CHECKPOINT,
        /** A checkpoint's signature does not verify with the trusted key, or names another key. */
        FORGED_CHECKPOINT
    }

    public static Verification ok(long checked, String tail, boolean signatures) {
        return new Verification(true, checked, null, null, 0, -1, null, tail, signatures);
    }

    public static Verification broken(long checked, Kind kind, String segment, long line, long seq, String detail,
            String tail, boolean signatures) {
        String msg = kind + " at segment " + segment + " line " + line + " (seq " + seq + "): " + detail;
        return new Verification(false, checked, kind, segment, line, seq, msg, tail, signatures);
    }

    /** As the API's result; the message carries kind, segment, line and sequence. */
    public VerificationResult toResult() {
        return intact ? VerificationResult.ok(recordsChecked)
                : VerificationResult.broken(recordsChecked, Math.max(0, sequence), message);
    }

    @Override
    public String toString() {
        return intact ? "intact: " + recordsChecked + " records" + (signaturesChecked ? "" : ", checkpoint"
                + " signatures NOT checked (no key)") + (tail == null ? "" : "; " + tail) : message;
    }
}
