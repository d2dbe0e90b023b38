package dev.stdb.secure.shell.internal;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.VerificationResult;
import java.time.Instant;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sec:audit-verify}: checks the hash chain and signed checkpoints of an audit trail. Prints {@code OK: ...} with
 * the number of records checked, or {@code FAILED: ...} with the first problem as the trail names it, and then fails
 * the command (an {@link AuditException} with {@code AUDIT_CHAIN_BROKEN}), so that a script run through
 * {@code bin/client} sees a non-zero exit status.
 */
@Service
@Command(scope = "sec", name = "audit-verify", description = "Verifies the integrity of an audit trail (hash chain,"
        + " signed checkpoints); fails if it was altered")
public class AuditVerifyCommand extends TrailCommand {

    @Option(name = "--from", description = "Start of the records to count, inclusive (ISO-8601 instant, e.g."
            + " 2026-11-28T00:00:00Z); the whole chain is checked regardless")
    String from;

    @Option(name = "--to", description = "End of the records to count, exclusive (ISO-8601 instant); default now")
    String to;

    @Override
    public Object execute() throws Exception {
        Instant start = Text.instant("--from", from);
        Instant end = Text.instant("--to", to);
        if (start != null && end != null && end.isBefore(start)) {
            throw new IllegalArgumentException("--to " + end + " is before --from " + start);
        }
        try (TrailChooser.Chosen chosen = TrailChooser.choose(context, trail)) {
            VerificationResult r = chosen.trail.verify(start, end);
            String range = (start == null ? "the start" : start.toString()) + " to "
                    + (end == null ? "now" : end.toString());
            if (r.intact()) {
                out().println("OK: " + r.recordsChecked() + " records intact (events and checkpoints, " + range
                        + ") in the audit trail " + chosen.label);
                return null;
            }
            out().println("FAILED: " + Text.clean(r.firstProblem()) + " [first bad record: seq "
                    + r.problemSequence() + "; " + r.recordsChecked() + " records checked, " + range
                    + "] in the audit trail " + chosen.label);
            throw new AuditException(ReasonCode.AUDIT_CHAIN_BROKEN, "the audit trail is not intact from seq "
                    + r.problemSequence());
        }
    }
}
