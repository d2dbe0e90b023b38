package dev.stdb.secure.shell.internal;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Parsing and printing helpers shared by the commands. */
final class Text {

    private Text() {
    }

    /** An ISO-8601 instant (e.g. {@code 2026-11-28T00:00:00Z}) from option {@code name}, or null if absent. */
    static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + ": '" + clean(value) + "' is not an ISO-8601 instant such as"
                    + " 2026-11-28T00:00:00Z", e);
        }
    }

    /**
     * {@code s} with control characters escaped as {@code \}{@code uXXXX}: values written into the trail by others
     * (principals, details) must not move the cursor, clear the screen or forge extra lines on an operator's terminal.
     */
    static String clean(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                if (b == null) {
                    b = new StringBuilder(s.length() + 8).append(s, 0, i);
                }
                b.append(String.format("\\u%04x", (int) c));
            } else if (b != null) {
                b.append(c);
            }
        }
        return b == null ? s : b.toString();
    }
}
