package dev.stdb.secure.api.compliance;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The controls of one framework evaluated over a period.
 *
 * @param framework   the framework evaluated
 * @param from        start of the period, inclusive
 * @param to          end of the period, exclusive
 * @param generatedAt when the report was made
 * @param controls    the controls in the framework's order, an unmodifiable copy
 */
public record Report(Framework framework, Instant from, Instant to, Instant generatedAt, List<Control> controls) {

    public Report {
        Objects.requireNonNull(framework, "framework");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        Objects.requireNonNull(generatedAt, "generatedAt");
        if (to.isBefore(from)) {
            throw new IllegalArgumentException("period ends (" + to + ") before it starts (" + from + ")");
        }
        controls = List.copyOf(controls);
    }

    /**
     * The summary status: {@link ControlStatus#FAIL} if any control fails, else {@link ControlStatus#PARTIAL} if
     * any is partial, else {@link ControlStatus#PASS} if any passes, else {@link ControlStatus#NOT_APPLICABLE}.
     */
    public ControlStatus overall() {
        boolean partial = false;
        boolean pass = false;
        for (Control c : controls) {
            switch (c.status()) {
                case FAIL:
                    return ControlStatus.FAIL;
                case PARTIAL:
                    partial = true;
                    break;
                case PASS:
                    pass = true;
                    break;
                default:
                    break;
            }
        }
        return partial ? ControlStatus.PARTIAL : pass ? ControlStatus.PASS : ControlStatus.NOT_APPLICABLE;
    }
}
