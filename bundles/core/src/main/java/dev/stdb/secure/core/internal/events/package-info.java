/**
 * Routing of security events inside the core: {@link dev.stdb.secure.core.internal.events.EventRouter} fans events
 * out to audit sinks and anomaly detectors on one worker thread, and keeps what a sink refuses in a per-sink
 * {@link dev.stdb.secure.core.internal.events.EventSpool} (in memory or a crash-safe
 * {@link dev.stdb.secure.core.internal.events.FileSpool}) until the sink accepts it. Not exported.
 */
package dev.stdb.secure.core.internal.events;
