package dev.stdb.secure.tls.internal;

import java.security.cert.CRLReason;
import java.time.Instant;
import java.util.Objects;

/**
 * What one source said about one certificate: good, revoked (when, why), or nothing usable (and why not). A good or
 * revoked status is definitive and may be cached until {@link #validUntil()} (the response's or CRL's
 * {@code nextUpdate}, null when it has none).
 */
public final class RevocationStatus {

    /** The kinds of answer. */
    public enum Kind {
        GOOD, REVOKED, UNKNOWN
    }

    private final Kind kind;
    private final String source;
    private final Instant revokedAt;
    private final String reason;
    private final String detail;
    private final Instant validUntil;

    private RevocationStatus(Kind kind, String source, Instant revokedAt, String reason, String detail,
            Instant validUntil) {
        this.kind = kind;
        this.source = Objects.requireNonNull(source, "source");
        this.revokedAt = revokedAt;
        this.reason = reason;
        this.detail = detail;
        this.validUntil = validUntil;
    }

    static RevocationStatus good(String source, Instant validUntil) {
        return new RevocationStatus(Kind.GOOD, source, null, null, null, validUntil);
    }

    static RevocationStatus revoked(String source, Instant revokedAt, String reason, Instant validUntil) {
        return new RevocationStatus(Kind.REVOKED, source, revokedAt, reason, null, validUntil);
    }

    static RevocationStatus unknown(String source, String why) {
        return new RevocationStatus(Kind.UNKNOWN, source, null, null, why, null);
    }

    /** The RFC 5280 reason name for a CRLReason code ({@code keyCompromise}, ...), or {@code unspecified}. */
    static String reasonName(int code) {
        CRLReason[] all = CRLReason.values();
        return code >= 0 && code < all.length ? reasonName(all[code]) : "reason " + code;
    }

    static String reasonName(CRLReason reason) {
        if (reason == null) {
            return "unspecified";
        }
        String[] words = reason.name().toLowerCase(java.util.Locale.ROOT).split("_");
        StringBuilder b = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            b.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        String name = b.toString();
        return name.equals("caCompromise") ? "cACompromise" : name.equals("aaCompromise") ? "aACompromise"
                : name.equals("removeFromCrl") ? "removeFromCRL" : name;
    }

    public Kind kind() {
        return kind;
    }

    public boolean definitive() {
        return kind != Kind.UNKNOWN;
    }

    /** {@code stapled OCSP}, {@code OCSP at <url>} or {@code CRL at <url>}. */
    public String source() {
        return source;
    }

    public Instant revokedAt() {
        return revokedAt;
    }

    public String reason() {
        return reason;
    }

    /** Why an unknown status is unknown. */
    public String detail() {
        return detail;
    }

    public Instant validUntil() {
        return validUntil;
    }

    @Override
    public String toString() {
        switch (kind) {
            case GOOD:
                return "good (" + source + ")";
            case REVOKED:
                return "revoked at " + revokedAt + ", reason " + reason + " (" + source + ")";
            default:
                return source + ": " + detail;
        }
    }
}
