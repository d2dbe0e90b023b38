package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The canonical form of records (see the package documentation): builds the text of a line and parses one back.
 */
public final class Codec {

    public static final String GENESIS = "0".repeat(64);
    public static final String ALGORITHM = "SHA256withECDSA";
    static final String HASH_MEMBER = ",\"hash\":\"";

    private Codec() {
    }

    /** The canonical prefix (everything before {@code ,"hash":}) of an event record. */
    public static String eventPrefix(long seq, String prev, SecurityEvent e) {
        StringBuilder b = new StringBuilder(256);
        b.append("{\"seq\":").append(seq).append(",\"prev\":").append(Json.quote(prev))
                .append(",\"rec\":\"event\",\"id\":").append(Json.quote(e.id().toString()))
                .append(",\"time\":").append(Json.quote(e.time().toString()))
                .append(",\"type\":").append(Json.quote(e.type().name()))
                .append(",\"outcome\":").append(Json.quote(e.outcome().name()))
                .append(",\"principal\":").append(Json.quote(e.principal()))
                .append(",\"connection\":").append(Json.quote(e.connection()))
                .append(",\"source\":").append(Json.quote(e.source()))
                .append(",\"details\":{");
        boolean first = true;
        for (Map.Entry<String, String> d : e.details().entrySet()) { // sorted by key
            if (!first) {
                b.append(',');
            }
            first = false;
            b.append(Json.quote(d.getKey())).append(':').append(Json.quote(d.getValue()));
        }
        return b.append('}').toString();
    }

    /** The part of a checkpoint that is signed: everything before {@code ,"sig":}. */
    public static String checkpointSigned(long seq, String prev, Instant time, long every, String key) {
        return "{\"seq\":" + seq + ",\"prev\":" + Json.quote(prev) + ",\"rec\":\"checkpoint\",\"time\":"
                + Json.quote(time.toString()) + ",\"every\":" + every + ",\"alg\":" + Json.quote(ALGORITHM)
                + ",\"key\":" + Json.quote(key);
    }

    public static String checkpointPrefix(String signed, String signatureBase64) {
        return signed + ",\"sig\":" + Json.quote(signatureBase64);
    }

    /** The full line, newline included, for a canonical prefix. */
    public static String line(String prefix) {
        return prefix + HASH_MEMBER + sha256Hex(prefix) + "\"}\n";
    }

    public static String sha256Hex(String text) {
        return HexFormat.of().formatHex(sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** One digest per thread: looking the algorithm up costs about as much as hashing a record. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    public static byte[] sha256(byte[] data) {
        MessageDigest d = SHA256.get();
        d.reset();
        return d.digest(data);
    }

    /** {@code sha256:<hex>} of the key's X.509 SubjectPublicKeyInfo encoding. */
    public static String fingerprint(PublicKey key) {
        return "sha256:" + HexFormat.of().formatHex(sha256(key.getEncoded()));
    }

    /** Why a line is not a valid record. */
    public static final class BadRecord extends Exception {
        private static final long serialVersionUID = 1L;
        /** The sequence number the line claims, if it could be read, else -1. */
        public final long claimedSeq;

        BadRecord(String message, long claimedSeq) {
            super(message);
            this.claimedSeq = claimedSeq;
        }
    }

    /** A parsed line whose hash and canonical form are verified. */
    public record Record(long seq, String prev, String hash, String kind, SecurityEvent event, Instant time,
            long every, String key, String signed, String signature) {

        public boolean isCheckpoint() {
            return "checkpoint".equals(kind);
        }
    }

    /** Parses a line (without its newline), checking its hash and that it is in canonical form. */
    public static Record parse(String line) throws BadRecord {
        long claimed = claimedSeq(line);
        int h = line.lastIndexOf(HASH_MEMBER);
        if (h < 0 || !line.endsWith("\"}") || line.length() - 2 - (h + HASH_MEMBER.length()) != 64) {
            throw new BadRecord("no hash member", claimed);
        }
        String prefix = line.substring(0, h);
        String hash = line.substring(h + HASH_MEMBER.length(), line.length() - 2);
        if (!hash.equals(sha256Hex(prefix))) {
            throw new BadRecord("hash does not match the record's content", claimed);
        }
        Map<String, Object> m;
        try {
            m = Json.parseObject(prefix + "}");
            long seq = (Long) m.get("seq");
            String prev = (String) m.get("prev");
            String kind = (String) m.get("rec");
            if ("event".equals(kind)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> raw = (Map<String, Object>) m.get("details");
                Map<String, String> details = new LinkedHashMap<>();
                raw.forEach((k, v) -> details.put(k, (String) v));
                SecurityEvent e = new SecurityEvent(UUID.fromString((String) m.get("id")),
                        Instant.parse((String) m.get("time")), SecurityEventType.valueOf((String) m.get("type")),
                        Outcome.valueOf((String) m.get("outcome")), (String) m.get("principal"),
                        (String) m.get("connection"), (String) m.get("source"), details);
                if (!eventPrefix(seq, prev, e).equals(prefix)) {
                    throw new BadRecord("not in canonical form", seq);
                }
                return new Record(seq, prev, hash, kind, e, e.time(), 0, null, null, null);
            }
            if ("checkpoint".equals(kind)) {
                Instant time = Instant.parse((String) m.get("time"));
                long every = (Long) m.get("every");
                String key = (String) m.get("key");
                String sig = (String) m.get("sig");
                String signed = checkpointSigned(seq, prev, time, every, key);
                if (!ALGORITHM.equals(m.get("alg")) || !checkpointPrefix(signed, sig).equals(prefix)) {
                    throw new BadRecord("not in canonical form", seq);
                }
                return new Record(seq, prev, hash, kind, null, time, every, key, signed, sig);
            }
            throw new BadRecord("unknown record kind " + kind, seq);
        } catch (RuntimeException e) {
            throw new BadRecord("unreadable record (" + e.getClass().getSimpleName() + ")", claimed);
        }
    }

    private static long claimedSeq(String line) {
        if (!line.startsWith("{\"seq\":")) {
            return -1;
        }
        int i = 7;
        int start = i;
        while (i < line.length() && i - start < 19 && Character.isDigit(line.charAt(i))) {
            i++;
        }
        return i == start ? -1 : Long.parseLong(line.substring(start, i));
    }
}
