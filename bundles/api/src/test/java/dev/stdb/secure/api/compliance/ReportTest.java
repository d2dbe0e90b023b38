package dev.stdb.secure.api.compliance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static Report report(ControlStatus... statuses) {
        List<Control> controls = new ArrayList<>();
        for (int i = 0; i < statuses.length; i++) {
            controls.add(new Control("C" + i, "control " + i, statuses[i], List.of()));
        }
        return new Report(Framework.SOC2, T0, T0.plusSeconds(86400), T0.plusSeconds(90000), controls);
    }

    @Test
    void overallTakesTheWorstStatus() {
        assertEquals(ControlStatus.PASS, report(ControlStatus.PASS, ControlStatus.NOT_APPLICABLE).overall());
        assertEquals(ControlStatus.PARTIAL, report(ControlStatus.PASS, ControlStatus.PARTIAL).overall());
        assertEquals(ControlStatus.FAIL,
                report(ControlStatus.PARTIAL, ControlStatus.FAIL, ControlStatus.PASS).overall());
        assertEquals(ControlStatus.NOT_APPLICABLE, report(ControlStatus.NOT_APPLICABLE).overall());
        assertEquals(ControlStatus.NOT_APPLICABLE, report().overall());
    }

    @Test
    void controlsAreCopiedAndPeriodChecked() {
        List<Control> controls = new ArrayList<>();
        Report r = new Report(Framework.HIPAA, T0, T0, T0, controls);
        controls.add(new Control("x", "x", ControlStatus.FAIL, null));
        assertEquals(0, r.controls().size());
        assertThrows(IllegalArgumentException.class,
                () -> new Report(Framework.HIPAA, T0, T0.minusSeconds(1), T0, List.of()));
    }
}
