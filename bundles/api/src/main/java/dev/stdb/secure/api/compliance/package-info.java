/**
 * Compliance reporting contracts: a {@link dev.stdb.secure.api.compliance.ComplianceReporter} evaluates
 * {@link dev.stdb.secure.api.compliance.Control}s of a {@link dev.stdb.secure.api.compliance.Framework} against the
 * configuration and the audit trail for a period, and renders the {@link dev.stdb.secure.api.compliance.Report}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.api.compliance;
