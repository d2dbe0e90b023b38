package dev.stdb.secure.protocol;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** A SpacetimeDB timestamp: signed microseconds since the Unix epoch (the v2.rs comment saying nanoseconds is wrong). */
public record Timestamp(long micros) implements Comparable<Timestamp> {

    public static Timestamp of(Instant instant) {
        return new Timestamp(ChronoUnit.MICROS.between(Instant.EPOCH, instant));
    }

    public Instant toInstant() {
        return Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
    }

    @Override
    public int compareTo(Timestamp o) {
        return Long.compare(micros, o.micros);
    }

    @Override
    public String toString() {
        return toInstant().toString();
    }
}
