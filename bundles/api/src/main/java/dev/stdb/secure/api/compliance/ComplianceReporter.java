package dev.stdb.secure.api.compliance;

import java.time.Instant;
import org.osgi.annotation.versioning.ProviderType;

/**
 * Produces evidence for auditors: which controls of a framework the deployment meets over a period, and why.
 * Provided by the compliance bundle and used by the shell and the dashboard, hence {@link ProviderType}.
 */
@ProviderType
public interface ComplianceReporter {

    /**
     * Evaluates every control of {@code framework} over {@code [from, to)}.
     *
     * @throws dev.stdb.secure.api.AuditException if the audit trail cannot be read or fails verification
     */
    Report report(Framework framework, Instant from, Instant to);

    /** Renders {@code report} as {@code format}, ready to write to a file or an HTTP response. */
    byte[] render(Report report, ReportFormat format);
}
