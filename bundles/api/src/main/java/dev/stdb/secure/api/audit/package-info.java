/**
 * Security events and where they go. Providers and the core report {@link dev.stdb.secure.api.audit.SecurityEvent}s
 * to a {@link dev.stdb.secure.api.audit.SecurityEventSink}; the core routes them to every
 * {@link dev.stdb.secure.api.audit.AuditSink} (spooling and retrying on failure), and an
 * {@link dev.stdb.secure.api.audit.AuditTrail} answers queries and verifies integrity. Events never carry secrets.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.5.0")
package dev.stdb.secure.api.audit;
