package dev.stdb.secure.protocol;

import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** A SpacetimeDB duration: signed microseconds. */
public record TimeDuration(long micros) {

    public static TimeDuration of(Duration duration) {
        return new TimeDuration(duration.dividedBy(ChronoUnit.MICROS.getDuration()));
    }

    public Duration toDuration() {
        return Duration.of(micros, ChronoUnit.MICROS);
    }

    @Override
    public String toString() {
        return toDuration().toString();
    }
}
