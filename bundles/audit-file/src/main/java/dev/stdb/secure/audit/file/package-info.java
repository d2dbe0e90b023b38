/**
 * A tamper-evident audit trail in files: {@link dev.stdb.secure.audit.file.FileAuditTrail} is an
 * {@link dev.stdb.secure.api.audit.AuditSink} and {@link dev.stdb.secure.api.audit.AuditTrail}; in OSGi one is
 * registered per factory configuration {@code dev.stdb.secure.audit.file}. {@link dev.stdb.secure.audit.file.Verify}
 * checks a trail at rest from the command line.
 *
 * <h2>Files</h2>
 * A directory of segments {@code audit-<first sequence, 20 digits>-<opened, yyyyMMddTHHmmss.SSSZ>.jsonl}; names sort
 * in chain order. A writer rotates to a new segment before a batch would take the current one past
 * {@code segment.max.bytes}, and before writing once the segment is {@code segment.max.seconds} old. Every start of
 * a writer opens a new segment. The chain runs across segments: the first record of a segment links to the last
 * record of the previous one.
 *
 * <h2>Records and their canonical form</h2>
 * UTF-8 JSON Lines, one record per line, each line ending in {@code \n}. Members appear in exactly this order,
 * without spaces; strings escape only {@code "}, {@code \} and characters below U+0020 ({@code \}{@code u00xx});
 * absent values are {@code null}; times are {@link java.time.Instant#toString()}:
 * <pre>
 * {"seq":N,"prev":H,"rec":"event","id":U,"time":T,"type":TYPE,"outcome":O,"principal":S|null,"connection":S|null,
 *  "source":S,"details":{"k":"v",... sorted by key},"hash":H}
 * {"seq":N,"prev":H,"rec":"checkpoint","time":T,"every":N,"alg":"SHA256withECDSA","key":"sha256:&lt;hex&gt;",
 *  "sig":B64,"hash":H}
 * </pre>
 * {@code seq} starts at 1 and grows by one per record (events and checkpoints alike). {@code hash} is the lower-case
 * hex SHA-256 of the UTF-8 bytes of the line up to, not including, {@code ,"hash":}; {@code prev} is the previous
 * record's {@code hash} (64 zeros for record 1). A line that is not byte-for-byte the canonical form of what it
 * parses to is treated as modified. Text is well-formed: {@link dev.stdb.secure.api.audit.SecurityEvent} replaces an
 * unpaired surrogate with U+FFFD before sorting details, so every event has one canonical line that reads back as
 * itself. (Trails written before that hold {@code ?} for one; they still verify, except a record whose detail key's
 * {@code ?} sorts elsewhere than the surrogate did: such a record never verified.)
 *
 * <h2>Checkpoints</h2>
 * After every {@code checkpoint.every.records} event records, when {@code checkpoint.every.seconds} have passed since
 * the last checkpoint (at the next event, or by a timer when idle), as the first record after a writer starts, and on
 * close, the writer appends a checkpoint. Its {@code prev} is the chain head it covers; {@code sig} is the
 * SHA256withECDSA signature (DER, Base64) of the UTF-8 bytes of the line up to, not including, {@code ,"sig":}, made
 * with a KeyService key or a PKCS#12 key; {@code key} is the SHA-256 of the public key's X.509 SubjectPublicKeyInfo.
 * {@code every} is the interval in force. Since checkpoints are records of the chain, a signed checkpoint fixes every
 * record before it; records after the last checkpoint are protected by the chain only.
 *
 * <h2>Durability and acknowledgement</h2>
 * {@code publish} appends the record to the open batch; one caller at a time writes the batch and calls
 * {@link java.nio.channels.FileChannel#force(boolean)}, and every caller whose record was in it returns together
 * (group commit). A record is <em>acknowledged</em> when {@code publish} returns normally: by then its line,
 * newline included, is on disk. If the write or fsync fails (full disk, unwritable directory), what the batch wrote
 * is cut off again, the segment is closed, every caller of that batch and of the batch queued behind it gets an
 * {@link dev.stdb.secure.api.AuditException} with reason {@code AUDIT_SINK_UNAVAILABLE} (the core then spools and
 * retries), and the next record reuses the sequence number.
 *
 * <h2>Verification</h2>
 * Verification walks every segment from record 1 and names the first problem with its segment, line and sequence:
 * MODIFIED (hash or canonical form wrong, or a record that does not link to its predecessor), DELETED (a sequence
 * gap inside a segment), INSERTED (a record that the chain does not contain: a forged line with a recomputed hash is
 * found because its successor still links to the record before it), REORDERED, TRUNCATED (records missing at the end
 * of a segment, or, for a live trail, acknowledged records missing at the end), MISSING_CHECKPOINT (more event
 * records after a checkpoint than its interval) and FORGED_CHECKPOINT (a signature that does not verify, or another
 * key). A process that dies mid-write can leave a cut last line; since that record was never acknowledged, a cut last
 * line is <em>not</em> a problem: it is reported as a note about the unacknowledged tail, as is a cut line at the end
 * of an older segment when the next segment continues the chain from the last complete record. At rest, whole
 * records removed from the end of the newest segment after its last checkpoint cannot be told from records never
 * written; a live trail ({@link dev.stdb.secure.audit.file.FileAuditTrail#verify}) knows its acknowledged head and
 * reports them as TRUNCATED. Verification checks the whole chain whatever the time range asked for; the range only
 * limits which records are counted as checked. It reads the segments as a stream, line by line, keeping the chain
 * state and one record of look-ahead: its memory is bounded by the longest record, not by the trail's length, and so
 * is a query's (besides the events it returns; it stops at its limit).
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("0.1.0")
package dev.stdb.secure.audit.file;
