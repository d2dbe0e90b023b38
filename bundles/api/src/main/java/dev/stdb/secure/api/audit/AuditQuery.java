package dev.stdb.secure.api.audit;

import java.time.Instant;
import java.util.Collection;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Which events an {@link AuditTrail} should return. Every criterion is optional; an event must match all that are
 * set. Build with {@link #builder()} or start from {@link #all()}.
 *
 * @param from       earliest event time, inclusive, or null
 * @param to         latest event time, exclusive, or null
 * @param types      event types to include; empty means all (an unmodifiable copy)
 * @param principal  only events about this principal, or null
 * @param connection only events on this connection, or null
 * @param limit      most events to return; 0 means no limit
 */
public record AuditQuery(Instant from, Instant to, Set<SecurityEventType> types, String principal,
        String connection, int limit) {

    public AuditQuery {
        if (from != null && to != null && to.isBefore(from)) {
            throw new IllegalArgumentException("query ends (" + to + ") before it starts (" + from + ")");
        }
        if (limit < 0) {
            throw new IllegalArgumentException("limit is negative: " + limit);
        }
        types = types == null || types.isEmpty() ? Set.of() : Set.copyOf(types);
    }

    /** Every event. */
    public static AuditQuery all() {
        return new AuditQuery(null, null, Set.of(), null, null, 0);
    }

    /** Every event in {@code [from, to)}. */
    public static AuditQuery between(Instant from, Instant to) {
        return new AuditQuery(from, to, Set.of(), null, null, 0);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** True if {@code event} meets every criterion but the limit; lets trails and tests filter the same way. */
    public boolean matches(SecurityEvent event) {
        Objects.requireNonNull(event, "event");
        return (from == null || !event.time().isBefore(from))
                && (to == null || event.time().isBefore(to))
                && (types.isEmpty() || types.contains(event.type()))
                && (principal == null || principal.equals(event.principal()))
                && (connection == null || connection.equals(event.connection()));
    }

    /** Collects the criteria of an {@link AuditQuery}. */
    public static final class Builder {
        private Instant from;
        private Instant to;
        private final Set<SecurityEventType> types = EnumSet.noneOf(SecurityEventType.class);
        private String principal;
        private String connection;
        private int limit;

        private Builder() {
        }

        public Builder from(Instant from) {
            this.from = from;
            return this;
        }

        public Builder to(Instant to) {
            this.to = to;
            return this;
        }

        public Builder types(SecurityEventType first, SecurityEventType... more) {
            types.add(Objects.requireNonNull(first, "type"));
            for (SecurityEventType t : more) {
                types.add(Objects.requireNonNull(t, "type"));
            }
            return this;
        }

        public Builder types(Collection<SecurityEventType> more) {
            types.addAll(more);
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

        public Builder limit(int limit) {
            this.limit = limit;
            return this;
        }

        public AuditQuery build() {
            return new AuditQuery(from, to, types, principal, connection, limit);
        }
    }
}
