package dev.stdb.secure.api.compliance;

import java.util.List;
import java.util.Objects;

/**
 * One control of a framework and how the deployment fares against it.
 *
 * @param id       the framework's identifier, for example {@code CC6.1} or {@code 164.312(b)}
 * @param title    a short title
 * @param status   whether it is met
 * @param evidence facts supporting the status (configuration values, audit counts, verification results), an
 *                 unmodifiable copy; never secrets
 */
public record Control(String id, String title, ControlStatus status, List<String> evidence) {

    public Control {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(status, "status");
        evidence = evidence == null ? List.of() : List.copyOf(evidence);
    }
}
