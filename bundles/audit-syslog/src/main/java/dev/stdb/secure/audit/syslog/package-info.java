/**
 * An {@link dev.stdb.secure.api.audit.AuditSink} that forwards security events to a syslog server:
 * {@link dev.stdb.secure.audit.syslog.SyslogAuditSink} for plain Java, and one sink per factory configuration
 * {@code dev.stdb.secure.audit.syslog} in OSGi.
 *
 * <h2>Message</h2>
 * One RFC 5424 message per event, framed with octet counting ({@code MSG-LEN SP SYSLOG-MSG}, RFC 6587 §3.4.1, the
 * framing RFC 5425 uses for TLS):
 * <pre>
 * &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [stdb@32473 seq="…" id="…" type="…" outcome="…" principal="…"
 *     connection="…" source="…" key="value"…] TYPE OUTCOME
 * </pre>
 * <ul>
 * <li>PRI = facility × 8 + severity. Facility from configuration ({@code authpriv}, 10, by default). Severity from
 * the outcome: {@code FAILURE} → 3 err, {@code WARNING} → 4 warning, {@code SUCCESS} → 5 notice, {@code INFO} → 6
 * info.</li>
 * <li>TIMESTAMP: the event time in UTC with microseconds at most; HOSTNAME: configured or the local host name;
 * APP-NAME: configured ({@code stdb-secure}); PROCID: the JVM's process id; MSGID: the event type.</li>
 * <li>Structured data: one element with SD-ID {@value dev.stdb.secure.audit.syslog.Rfc5424#SD_ID}. <b>32473 is a
 * placeholder</b>: the private enterprise number RFC 5612 reserves for documentation; replace it when the project
 * registers its own. {@code seq} is the sink's sequence number (from 1 for each sink instance; a copy of an event
 * written again after a broken connection or a failed publish keeps it), {@code id} the event's UUID; together they
 * let a reader drop duplicates. {@code principal} and {@code connection} appear only when set. Each detail is a
 * parameter named by its key when the key is a valid SD-NAME (1..32 printable ASCII characters without
 * {@code = ] "} or space) and not one of the fixed names; otherwise it is written as {@code detail="key=value"}.
 * In values {@code "}, {@code \} and {@code ]} are escaped with a backslash (RFC 5424 §6.3.3).</li>
 * <li>MSG: {@code TYPE OUTCOME} in ASCII, for people reading the log; the facts are in the structured data.</li>
 * </ul>
 * Events never carry secrets (see {@link dev.stdb.secure.api.audit.SecurityEvent}), so nothing is filtered here.
 * Servers cut long messages (rsyslog at 8 KiB by default, {@code maxMessageSize}).
 *
 * <h2>Delivery</h2>
 * At least once, with duplicates: see {@link dev.stdb.secure.audit.syslog.SyslogAuditSink}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.audit.syslog;
