package dev.stdb.secure.api.anomaly;

/** How serious a {@link Finding} is, weakest first so the natural order is the order of severity. */
public enum Severity {
    LOW, MEDIUM, HIGH, CRITICAL
}
