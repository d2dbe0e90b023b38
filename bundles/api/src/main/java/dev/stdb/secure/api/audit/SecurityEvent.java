package dev.stdb.secure.api.audit;

import dev.stdb.secure.api.Secret;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;

/**
 * One security-relevant fact: who did what, on which connection, with what outcome. Events are what audit sinks
 * store, detectors analyse and reports cite.
 *
 * <p>Never a secret: details are strings, and a {@link Secret} can only be added through
 * {@link Builder#detail(String, Secret)}, which records its fingerprint. Write key names, aliases, issuers and
 * fingerprints, never values.
 *
 * <p>Text is well-formed UTF-16: an unpaired surrogate in the principal, connection, source or a detail key or
 * value is replaced with U+FFFD (the replacement character) when the event is made, so the event equals what a
 * UTF-8 record of it reads back as, and details are sorted by the keys as they are stored. Detail keys that become
 * equal that way are one detail; the value met last wins.
 *
 * @param id         unique id of the event
 * @param time       when it happened
 * @param type       what happened
 * @param outcome    how it turned out
 * @param principal  the user or client identity concerned, or null
 * @param connection the connection concerned (its configuration name or target), or null
 * @param source     the bundle or component reporting it, for example {@code dev.stdb.secure.auth.oauth2}
 * @param details    further facts, sorted by key; an unmodifiable copy
 */
public record SecurityEvent(UUID id, Instant time, SecurityEventType type, Outcome outcome, String principal,
        String connection, String source, Map<String, String> details) {

    public SecurityEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(source, "source");
        principal = wellFormed(principal);
        connection = wellFormed(connection);
        source = wellFormed(source);
        details = copy(details);
    }

    /** Starts an event of {@code type} with {@code outcome}, a random id and the current time. */
    public static Builder of(SecurityEventType type, Outcome outcome) {
        return new Builder(type, outcome);
    }

    private static Map<String, String> copy(Map<String, String> details) {
        if (details == null || details.isEmpty()) {
            return Map.of();
        }
        TreeMap<String, String> sorted = new TreeMap<>();
        details.forEach((k, v) -> sorted.put(wellFormed(Objects.requireNonNull(k, "detail key")),
                wellFormed(Objects.requireNonNull(v, () -> "value of detail " + k))));
        return Collections.unmodifiableMap(sorted);
    }

    /**
     * {@code s} with each unpaired surrogate replaced by U+FFFD, or {@code s} itself if it has none (the common case,
     * without a copy). Encoders cannot write an unpaired surrogate as UTF-8; replacing it here, before details are
     * sorted, keeps the event equal to its records.
     */
    private static String wellFormed(String s) {
        if (s == null) {
            return null;
        }
        int i = firstUnpaired(s, 0);
        if (i < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length()).append(s, 0, i);
        while (i >= 0) {
            b.append('\ufffd');
            int next = firstUnpaired(s, i + 1);
            b.append(s, i + 1, next < 0 ? s.length() : next);
            i = next;
        }
        return b.toString();
    }

    /** Index of the first unpaired surrogate at or after {@code from}, or -1. */
    private static int firstUnpaired(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    /** Collects an event; {@link #source(String)} is required. */
    public static final class Builder {
        private final SecurityEventType type;
        private final Outcome outcome;
        private UUID id;
        private Instant time;
        private String principal;
        private String connection;
        private String source;
        private final Map<String, String> details = new TreeMap<>();

        private Builder(SecurityEventType type, Outcome outcome) {
            this.type = Objects.requireNonNull(type, "type");
            this.outcome = Objects.requireNonNull(outcome, "outcome");
        }

        /** Sets the id; a random UUID by default. */
        public Builder id(UUID id) {
            this.id = id;
            return this;
        }

        /** Sets the time; {@link Instant#now()} at {@link #build()} by default. */
        public Builder time(Instant time) {
            this.time = time;
            return this;
        }

        public Builder principal(String principal) {
            this.principal = principal;
            return this;
        }

        public Builder connection(String connection) {
            this.connection = connection;
            return this;
        }

        public Builder source(String source) {
            this.source = source;
            return this;
        }

        /**
         * Adds a detail; a later value for the same key (after unpaired surrogates become U+FFFD) replaces the
         * earlier one.
         */
        public Builder detail(String key, String value) {
            details.put(wellFormed(Objects.requireNonNull(key, "key")), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Adds the {@link Secret#fingerprint() fingerprint} of {@code secret}, never its value. */
        public Builder detail(String key, Secret secret) {
            return detail(key, Objects.requireNonNull(secret, "secret").fingerprint());
        }

        /** Adds all of {@code more}. */
        public Builder details(Map<String, String> more) {
            more.forEach(this::detail);
            return this;
        }

        public SecurityEvent build() {
            return new SecurityEvent(id != null ? id : UUID.randomUUID(), time != null ? time : Instant.now(), type,
                    outcome, principal, connection, source, details);
        }
    }
}
