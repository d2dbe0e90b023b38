package dev.stdb.secure.tls;

import dev.stdb.secure.api.ConfigurationException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The pins for the hosts matching one pattern: SHA-256 hashes of a public key (SPKI, {@code sha256/<base64>}, the
 * default) or of a whole certificate ({@code cert-sha256/<base64>}). A pin matches if any certificate of the
 * <em>validated</em> chain (leaf, intermediates or anchor) has it. At least two pins are required: the backup pin
 * keeps clients online through a key rotation. After {@link #expires()} the set is no longer enforced.
 *
 * @param hostPattern exact host ({@code db.example.com}, {@code 127.0.0.1}) or {@code *.example.com} (one label)
 * @param pins        at least two pins, in their text form
 * @param expires     last day the set is enforced, or null for never
 * @param mode        enforce or only report a mismatch
 */
public record PinSet(String hostPattern, Set<String> pins, LocalDate expires, Mode mode) {

    /** What a mismatch does. */
    public enum Mode {
        /** Refuse the handshake. */
        ENFORCE,
        /** Report the mismatch as an event and let the handshake go on. */
        REPORT_ONLY
    }

    /** Text prefix of an SPKI pin. */
    public static final String SPKI = "sha256/";
    /** Text prefix of a certificate pin. */
    public static final String CERT = "cert-sha256/";

    public PinSet {
        Objects.requireNonNull(hostPattern, "hostPattern");
        hostPattern = hostPattern.trim().toLowerCase(Locale.ROOT);
        if (hostPattern.isEmpty() || hostPattern.indexOf('*') > 0 || hostPattern.lastIndexOf('*') > 0
                || hostPattern.equals("*") || (hostPattern.startsWith("*") && !hostPattern.startsWith("*."))) {
            throw new ConfigurationException("pin host pattern '" + hostPattern
                    + "' is not a host name or '*.domain' (one wildcard label on the left)");
        }
        Objects.requireNonNull(pins, "pins");
        Set<String> normalized = new LinkedHashSet<>();
        for (String pin : pins) {
            normalized.add(normalize(pin));
        }
        if (normalized.size() < 2) {
            throw new ConfigurationException("pin set for '" + hostPattern + "' has " + normalized.size()
                    + " distinct pin(s); a pin set needs at least two pins: a backup pin keeps you online through a"
                    + " key rotation");
        }
        pins = Set.copyOf(normalized);
        mode = mode == null ? Mode.ENFORCE : mode;
    }

    /** Enforced pins for {@code hostPattern}, never expiring. */
    public static PinSet of(String hostPattern, String... pins) {
        return new PinSet(hostPattern, new LinkedHashSet<>(List.of(pins)), null, Mode.ENFORCE);
    }

    public PinSet expiring(LocalDate day) {
        return new PinSet(hostPattern, pins, day, mode);
    }

    public PinSet reportOnly() {
        return new PinSet(hostPattern, pins, expires, Mode.REPORT_ONLY);
    }

    /**
     * Parses {@code host-pattern|pin1,pin2[|expires=2027-01-01][|mode=report-only]}, the form of the {@code pins}
     * configuration property.
     */
    public static PinSet parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String[] parts = spec.split("\\|");
        if (parts.length < 2) {
            throw new ConfigurationException("pins entry '" + spec
                    + "' is not 'host-pattern|pin1,pin2[|expires=YYYY-MM-DD][|mode=enforce|report-only]'");
        }
        Set<String> pins = new LinkedHashSet<>();
        for (String p : parts[1].split(",")) {
            if (!p.isBlank()) {
                pins.add(p.trim());
            }
        }
        LocalDate expires = null;
        Mode mode = Mode.ENFORCE;
        for (int i = 2; i < parts.length; i++) {
            String opt = parts[i].trim();
            if (opt.startsWith("expires=")) {
                try {
                    expires = LocalDate.parse(opt.substring("expires=".length()).trim());
                } catch (DateTimeParseException e) {
                    throw new ConfigurationException("pins entry for '" + parts[0].trim() + "': expires must be"
                            + " YYYY-MM-DD, got '" + opt.substring("expires=".length()) + "'", e);
                }
            } else if (opt.startsWith("mode=")) {
                String m = opt.substring("mode=".length()).trim().toLowerCase(Locale.ROOT);
                if (m.equals("enforce")) {
                    mode = Mode.ENFORCE;
                } else if (m.equals("report-only")) {
                    mode = Mode.REPORT_ONLY;
                } else {
                    throw new ConfigurationException("pins entry for '" + parts[0].trim()
                            + "': mode must be enforce or report-only, got '" + m + "'");
                }
            } else {
                throw new ConfigurationException("pins entry for '" + parts[0].trim() + "': unknown option '" + opt
                        + "' (expected expires=YYYY-MM-DD or mode=enforce|report-only)");
            }
        }
        return new PinSet(parts[0], pins, expires, mode);
    }

    /** True if {@code host} is the pattern or, for {@code *.domain}, one label under the domain. */
    public boolean matches(String host) {
        if (host == null) {
            return false;
        }
        String h = host.toLowerCase(Locale.ROOT);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        if (!hostPattern.startsWith("*.")) {
            return h.equals(hostPattern);
        }
        String suffix = hostPattern.substring(1);
        return h.endsWith(suffix) && h.length() > suffix.length()
                && h.substring(0, h.length() - suffix.length()).indexOf('.') < 0;
    }

    /** True if the set is past its expiration day on {@code today}. */
    public boolean isExpired(LocalDate today) {
        return expires != null && today.isAfter(expires);
    }

    private static String normalize(String pin) {
        Objects.requireNonNull(pin, "pin");
        String p = pin.trim();
        String prefix;
        if (p.startsWith(CERT)) {
            prefix = CERT;
        } else if (p.startsWith(SPKI)) {
            prefix = SPKI;
        } else if (p.startsWith("pin-sha256=")) {
            prefix = SPKI;
            p = SPKI + p.substring("pin-sha256=".length()).replace("\"", "");
        } else {
            prefix = SPKI;
            p = SPKI + p;
        }
        String b64 = p.substring(prefix.length());
        byte[] hash;
        try {
            hash = Base64.getDecoder().decode(b64);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("pin '" + pin + "' is not base64 after '" + prefix + "'", e);
        }
        if (hash.length != 32) {
            throw new ConfigurationException("pin '" + pin + "' is " + hash.length
                    + " bytes; a SHA-256 pin is 32 bytes (44 base64 characters)");
        }
        return prefix + Base64.getEncoder().encodeToString(hash);
    }
}
