package dev.stdb.secure.audit.syslog;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.nio.charset.StandardCharsets;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Formats a {@link SecurityEvent} as one RFC 5424 syslog message and frames it for TCP with octet counting
 * (RFC 6587 §3.4.1, the framing RFC 5425 prescribes for TLS). See the package documentation for the layout.
 */
public final class Rfc5424 {

    /**
     * SD-ID of the event's structured data element. {@code 32473} is the private enterprise number that RFC 5612
     * reserves for documentation examples: a placeholder until the project has its own IANA number.
     */
    public static final String SD_ID = "stdb@32473";
    /** The syslog protocol version this class writes. */
    public static final int VERSION = 1;

    /** Names of the fixed SD-PARAMs; a detail with one of these keys is written as {@code detail="key=value"}. */
    static final Set<String> FIXED = Set.of("seq", "id", "type", "outcome", "principal", "connection", "source",
            "detail");

    private static final DateTimeFormatter TIME = DateTimeFormatter.ISO_INSTANT;

    private Rfc5424() {
    }

    /**
     * The syslog severity for an outcome: {@code FAILURE} → 3 (error), {@code WARNING} → 4 (warning),
     * {@code SUCCESS} → 5 (notice), {@code INFO} → 6 (informational).
     */
    public static int severity(Outcome outcome) {
        switch (Objects.requireNonNull(outcome, "outcome")) {
            case FAILURE:
                return 3;
            case WARNING:
                return 4;
            case SUCCESS:
                return 5;
            default:
                return 6;
        }
    }

    /** Facility codes by name, as in RFC 5424 §6.2.1 (also accepted: the number 0..23). */
    public static int facility(String nameOrNumber) {
        String s = Objects.requireNonNull(nameOrNumber, "facility").trim().toLowerCase(Locale.ROOT);
        String[] names = {"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
            "authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3",
            "local4", "local5", "local6", "local7"};
        for (int i = 0; i < names.length; i++) {
            if (names[i].equals(s)) {
                return i;
            }
        }
        try {
            int n = Integer.parseInt(s);
            if (n >= 0 && n <= 23) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("unknown syslog facility '" + nameOrNumber
                + "' (a name such as authpriv or local0, or a number 0..23)");
    }

    /**
     * The message for {@code event}, without framing.
     *
     * @param facility facility code 0..23
     * @param hostname HOSTNAME field (made printable ASCII, at most 255 characters; empty means {@code -})
     * @param appName  APP-NAME field (at most 48 characters)
     * @param procId   PROCID field (at most 128 characters), or null for {@code -}
     * @param seq      sequence number written as SD-PARAM {@code seq}; equal for every copy of one event
     */
    public static String format(SecurityEvent event, int facility, String hostname, String appName, String procId,
            long seq) {
        if (facility < 0 || facility > 23) {
            throw new IllegalArgumentException("facility out of range: " + facility);
        }
        StringBuilder b = new StringBuilder(256);
        b.append('<').append(facility * 8 + severity(event.outcome())).append('>').append(VERSION).append(' ')
                .append(TIME.format(event.time().truncatedTo(ChronoUnit.MICROS))).append(' ')
                .append(field(hostname, 255)).append(' ')
                .append(field(appName, 48)).append(' ')
                .append(field(procId, 128)).append(' ')
                .append(field(event.type().name(), 32)).append(' ');
        b.append('[').append(SD_ID);
        param(b, "seq", Long.toString(seq));
        param(b, "id", event.id().toString());
        param(b, "type", event.type().name());
        param(b, "outcome", event.outcome().name());
        if (event.principal() != null) {
            param(b, "principal", event.principal());
        }
        if (event.connection() != null) {
            param(b, "connection", event.connection());
        }
        param(b, "source", event.source());
        for (Map.Entry<String, String> d : event.details().entrySet()) {
            if (isSdName(d.getKey()) && !FIXED.contains(d.getKey())) {
                param(b, d.getKey(), d.getValue());
            } else {
                param(b, "detail", d.getKey() + "=" + d.getValue());
            }
        }
        b.append(']');
        // MSG: plain ASCII, so no BOM (RFC 5424 §6.4 MSG-ANY); the structured data carries the facts.
        b.append(' ').append(event.type().name()).append(' ').append(event.outcome().name());
        return b.toString();
    }

    /** {@code MSG-LEN SP SYSLOG-MSG} in UTF-8 (RFC 6587 §3.4.1, RFC 5425 §4.3). */
    public static byte[] frame(String message) {
        byte[] msg = message.getBytes(StandardCharsets.UTF_8);
        byte[] len = (msg.length + " ").getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[len.length + msg.length];
        System.arraycopy(len, 0, out, 0, len.length);
        System.arraycopy(msg, 0, out, len.length, msg.length);
        return out;
    }

    /** Escapes {@code "}, {@code \} and {@code ]} with a backslash (RFC 5424 §6.3.3). */
    public static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    /** True if {@code s} is a valid SD-NAME: 1 to 32 printable US-ASCII characters other than {@code = ] "} and space. */
    static boolean isSdName(String s) {
        if (s.isEmpty() || s.length() > 32) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 33 || c > 126 || c == '=' || c == ']' || c == '"') {
                return false;
            }
        }
        return true;
    }

    private static void param(StringBuilder b, String name, String value) {
        b.append(' ').append(name).append("=\"").append(escape(value)).append('"');
    }

    /** A header field: printable US-ASCII only (others become {@code _}), cut to {@code max}, {@code -} if empty. */
    static String field(String s, int max) {
        if (s == null || s.isEmpty()) {
            return "-";
        }
        StringBuilder b = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && b.length() < max; i++) {
            char c = s.charAt(i);
            b.append(c >= 33 && c <= 126 ? c : '_');
        }
        return b.toString();
    }
}
