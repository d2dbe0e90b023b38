package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.options;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.ConnectionStats;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.itests.TlsConnectionIT.RecordingSink;

import java.net.URI;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * The reducer-rate detector of {@code dev.stdb.secure.anomaly.connection} on a real connection, all in Felix through
 * ConfigurationAdmin: the core's connection reports its reducer calls once per period
 * ({@code stats.period.seconds=1}) as {@code CONNECTION_STATS} events, a steady rate trains the detector's average,
 * and a burst after it becomes a finding that the router publishes as an {@code ANOMALY} event.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ReducerRateIT extends StdbTestSupport {
    private static final String ANOMALY_PID = "dev.stdb.secure.anomaly.connection";

    @Override
    protected Option[] additionalOptions(URI sandbox) {
        return options(bundle(Vectors.bundleJar("anomaly.connection").toURI().toString()));
    }

    @Test
    public void aBurstAfterASteadyRateIsAnAnomalyAtTheAuditSink() throws Exception {
        RecordingSink sink = new RecordingSink();
        registerService(AuditSink.class, sink, null);
        Map<String, Object> detector = new HashMap<>();
        detector.put("detector.id", "itest-connection-anomalies");
        detector.put("reducerRate.warmup", 3);
        detector.put("reducerRate.threshold", 3.0);
        detector.put("reducerRate.minRate", 1.0);
        configureFactory(ANOMALY_PID, detector);
        awaitService(AnomalyDetector.class, "(detector.id=itest-connection-anomalies)", TIMEOUT);

        Map<String, Object> p = connectionProperties("reducer-rate");
        p.put("stats.period.seconds", 1);
        configureConnection(p);
        Connection c = awaitConnection("reducer-rate");

        // Steady: two calls right after each summary, so each period holds two (about 2 calls/s).
        int seen = nextStats(sink);
        for (int period = 0; period < 5; period++) {
            for (int i = 0; i < 2; i++) {
                c.callReducer("add_person", uniqueName(), 30).toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
            int had = seen;
            await("the summary after steady period " + period, () -> stats(sink).size() > had);
            seen = stats(sink).size();
        }
        assertTrue("no finding for the steady rate: " + anomalies(sink), anomalies(sink).isEmpty());

        // A burst of 60 calls in the next period: 60 calls/s against an average of about 2.
        int before = seen;
        List<CompletableFuture<?>> burst = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            burst.add(c.callReducer("add_person", uniqueName(), 31).toCompletableFuture());
        }
        CompletableFuture.allOf(burst.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        await("an ANOMALY event from the reducer-rate detector (events " + sink.types() + ")",
                () -> !anomalies(sink).isEmpty());

        SecurityEvent anomaly = anomalies(sink).get(0);
        assertEquals("reducer-rate", anomaly.details().get("detector"));
        assertEquals("ALERT", anomaly.details().get("response"));
        assertEquals(SecurityEventType.CONNECTION_STATS.name(), anomaly.details().get("trigger.type"));
        SecurityEvent trigger = stats(sink).stream()
                .filter(e -> e.id().toString().equals(anomaly.details().get("trigger"))).findFirst().orElseThrow();
        assertTrue("the burst is in the summary after the steady ones", stats(sink).indexOf(trigger) >= before);
        assertTrue("the trigger counts (most of) the burst, more than a steady period's 2: " + trigger,
                Long.parseLong(trigger.details().get(ConnectionStats.REDUCER_CALLS)) > 2);
        assertTrue(anomaly.details().get("reason"), anomaly.details().get("reason").contains(sandboxUri().toString()));
    }

    /** Waits for the next summary; returns how many there are then. */
    private static int nextStats(RecordingSink sink) {
        int now = stats(sink).size();
        await("a CONNECTION_STATS event", () -> stats(sink).size() > now);
        return stats(sink).size();
    }

    private static List<SecurityEvent> stats(RecordingSink sink) {
        return sink.since(0).stream().filter(e -> e.type() == SecurityEventType.CONNECTION_STATS).toList();
    }

    private static List<SecurityEvent> anomalies(RecordingSink sink) {
        return sink.since(0).stream().filter(e -> e.type() == SecurityEventType.ANOMALY
                && "reducer-rate".equals(e.details().get("detector"))).toList();
    }
}
