package dev.stdb.secure.core.internal.events;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;

import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Routes security events to every {@link AuditSink} and every {@link AnomalyDetector}, spooling and retrying for
 * sinks that fail, so that no event is silently lost (DESIGN §3).
 *
 * <h2>Threading</h2>
 * {@link #emit} only enqueues (an unbounded queue): it never blocks and never throws. One daemon thread named
 * {@value #THREAD_NAME} takes events in emit order, up to {@link Builder#maxBatch} ({@value #MAX_BATCH} by default)
 * queued events at a time (never past a
 * queued command), feeds each to every detector, and publishes the batch (with the ANOMALY events of its findings,
 * each right after the event that caused it) to every sink with one {@link AuditSink#publishAll} call, so a sink
 * that makes a batch durable together (one fsync) keeps up with many emitters. {@code addSink}, {@code removeSink}, {@code addDetector} and {@code removeDetector} are queued the same
 * way, so they take effect between two events, in call order relative to {@code emit} from the same thread; they
 * may be called at any time from any thread, also from a sink or detector. Sinks, detectors and the finding
 * listener are only ever called on the worker thread, one call at a time.
 *
 * <h2>Keys</h2>
 * Sinks and detectors are registered under a key that must be a stable identity across restarts: the service's
 * {@code service.pid} when it has one, else its {@code component.name} (or another fixed name), never the
 * {@code service.id}. A sink's spool belongs to its key, not to the sink object: adding a sink under a key that is
 * registered already replaces the sink and keeps its spool, and a {@link FileSpool} is found again by key after a
 * restart.
 *
 * <h2>Failing sinks</h2>
 * A sink whose {@code publishAll} throws (any exception; {@link AuditException} by contract) gets the events after
 * the {@link AuditException#acceptedCount() accepted prefix} appended, in order, to its key's {@link EventSpool}. While that spool is not empty, new events for the sink are
 * appended behind the older ones without trying the sink, so each sink sees events in emit order. The spool is
 * retried with exponential backoff ({@link Builder#initialBackoff} doubling up to {@link Builder#maxBackoff}); a
 * retry delivers from the head, one event per {@code publish}, until the sink throws again or the spool is empty. Other sinks are never held up.
 * When a sink starts failing the router emits one {@link SecurityEventType#AUDIT_FAILURE} event (sink key, exception
 * class and reason code; never the message, which might carry anything).
 *
 * <p>If a spool cannot keep an event (disk full) the event is kept in memory behind the spool, with an error logged.
 * When a sink is removed while events are spooled for it, the spool is kept and drains, in order, once a sink is
 * added under the same key again; events emitted while no sink has the key are not spooled for it.
 *
 * <h2>Detectors</h2>
 * Each event except {@link SecurityEventType#ANOMALY} events goes to every detector; ANOMALY events are never fed
 * to detectors, so findings cannot feed back. A detector that throws is logged and skipped for that event. Every
 * finding becomes an ANOMALY event (outcome {@link Outcome#WARNING}, details {@code detector}, {@code severity},
 * {@code reason}, {@code response}, {@code trigger} (the id of the event that caused it), {@code trigger.type}, and
 * {@code principal}, {@code source}, {@code until} when present), published to the sinks right after the event
 * that caused it; before that, the finding goes to the {@link Builder#findingListener finding listener}, where the
 * core enforces the suggested response.
 *
 * <h2>Closing</h2>
 * {@link #close()} stops accepting events and lets the worker go on delivering what is queued for up to
 * {@link Builder#closeGrace}; after that, queued events are only appended to the spools of their sinks. Undelivered
 * events stay in the spools: with a spool directory they are on disk and a new router on the same directory
 * delivers them when the sink key is added; memory spools are lost with the process.
 */
public final class EventRouter implements SecurityEventSink, AutoCloseable {
    private static final System.Logger LOG = System.getLogger(EventRouter.class.getName());

    /** Name of the worker thread. */
    public static final String THREAD_NAME = "stdb-security-events";
    /** Source of the events the router itself emits (ANOMALY, AUDIT_FAILURE). */
    public static final String SOURCE = "dev.stdb.secure.core";

    /** Most events handed to a sink in one {@code publishAll}, by default. */
    public static final int MAX_BATCH = 1024;

    private static final Object STOP = new Object();

    /** Something to do on the worker thread, queued with the events. */
    private record Command(String description, Runnable action) {
    }

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Function<String, EventSpool> spoolFactory;
    private final Path spoolDirectory;
    private final long initialBackoff;
    private final long maxBackoff;
    private final long closeGrace;
    private final int maxBatch;
    private final Consumer<Finding> findingListener;
    private final Map<String, Integer> spooledCounts = new ConcurrentHashMap<>();
    private final Thread worker;
    private volatile long closeDeadline;
    private volatile boolean closed;

    // confined to the worker thread
    /** Items taken from the queue in bulk (one lock for many events) and not handled yet; handled first. */
    private final ArrayDeque<Object> pending = new ArrayDeque<>();
    private final Map<String, SinkState> sinks = new LinkedHashMap<>();
    private final Map<String, AnomalyDetector> detectors = new LinkedHashMap<>();

    /** A router with memory spools and default timings. */
    public EventRouter() {
        this(builder());
    }

    /** A router whose spools are {@link FileSpool}s in {@code spoolDirectory}, with default timings. */
    public EventRouter(Path spoolDirectory) {
        this(builder().spoolDirectory(spoolDirectory));
    }

    private EventRouter(Builder b) {
        this.spoolDirectory = b.spoolDirectory;
        this.spoolFactory = b.spoolFactory != null ? b.spoolFactory
                : b.spoolDirectory != null ? key -> FileSpool.open(b.spoolDirectory, key)
                : key -> new MemorySpool();
        this.initialBackoff = b.initialBackoff.toNanos();
        this.maxBackoff = Math.max(b.maxBackoff.toNanos(), initialBackoff);
        this.closeGrace = b.closeGrace.toNanos();
        this.maxBatch = b.maxBatch;
        this.findingListener = b.findingListener;
        this.worker = new Thread(this::run, THREAD_NAME);
        worker.setDaemon(true);
        worker.start();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------------------------------------ API

    /** Queues {@code event} for every sink and detector; never blocks, never throws. */
    @Override
    public void emit(SecurityEvent event) {
        try {
            if (event == null) {
                LOG.log(Level.WARNING, "Ignoring a null security event");
            } else if (closed) {
                LOG.log(Level.WARNING, "Security event " + event.type() + " " + event.id() + " from "
                        + event.source() + " was emitted after the event router closed and is not delivered");
            } else {
                queue.add(event);
            }
        } catch (RuntimeException e) {
            LOG.log(Level.ERROR, "Cannot queue a security event", e);
        }
    }

    /**
     * Registers {@code sink} under {@code key} (see the class comment on keys), replacing any sink with that key.
     * Events spooled for the key, also by an earlier run with the same spool directory, are delivered first.
     */
    public void addSink(String key, AuditSink sink) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(sink, "sink");
        command("add sink " + key, () -> bindSink(key, sink));
    }

    /** Unregisters the sink under {@code key}; its spooled events are kept for a later sink with the same key. */
    public void removeSink(String key) {
        Objects.requireNonNull(key, "key");
        command("remove sink " + key, () -> unbindSink(key));
    }

    /** Registers {@code detector} under {@code key}, replacing any detector with that key. */
    public void addDetector(String key, AnomalyDetector detector) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(detector, "detector");
        command("add detector " + key, () -> detectors.put(key, detector));
    }

    /** Unregisters the detector under {@code key}. */
    public void removeDetector(String key) {
        Objects.requireNonNull(key, "key");
        command("remove detector " + key, () -> detectors.remove(key));
    }

    /**
     * Events waiting in spools, by sink key, as last updated by the worker; includes keys whose sink is removed.
     * Empty when every sink is up to date.
     */
    public Map<String, Integer> spooled() {
        return Map.copyOf(spooledCounts);
    }

    /** The spool directory, or null for memory spools. */
    public Path spoolDirectory() {
        return spoolDirectory;
    }

    /**
     * Stops the router: delivers what is queued for up to the close grace period, leaves the rest in the spools,
     * closes the spools and returns once the worker has ended (or, if a sink hangs, shortly after the grace period,
     * having interrupted the worker). Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (!closed) {
                closeDeadline = System.nanoTime() + closeGrace;
                closed = true;
                queue.add(STOP);
            }
        }
        if (Thread.currentThread() == worker) {
            return; // called by a sink or detector; the worker stops after this event
        }
        try {
            long waitMillis = TimeUnit.NANOSECONDS.toMillis(closeGrace) + 2000;
            worker.join(waitMillis);
            if (worker.isAlive()) {
                LOG.log(Level.WARNING, "The security event worker is still busy " + waitMillis
                        + " ms after close (a sink or detector hangs?); interrupting it");
                worker.interrupt();
                worker.join(1000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void command(String description, Runnable action) {
        if (closed) {
            LOG.log(Level.DEBUG, "Event router closed; ignoring " + description);
            return;
        }
        queue.add(new Command(description, action));
    }

    // --------------------------------------------------------------------------------------------- worker

    private void run() {
        try {
            while (true) {
                Object item = pending.pollFirst();
                try {
                    if (item == null) {
                        long wait = nanosToNextRetry();
                        item = wait == Long.MAX_VALUE ? queue.take()
                                : wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
                    }
                } catch (InterruptedException e) {
                    if (closed) {
                        shutdown();
                        return;
                    }
                    continue;
                }
                if (item == STOP) {
                    shutdown();
                    return;
                }
                if (item instanceof SecurityEvent) {
                    handleBatch(takeBatch((SecurityEvent) item));
                } else if (item != null) {
                    handle(item);
                }
                retryDue();
            }
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "The security event router stopped unexpectedly; events are no longer delivered",
                    t);
            throw t;
        }
    }

    /**
     * {@code first} and the plain events queued right behind it, up to {@code maxBatch}; stops at a command. Takes
     * from the queue with {@code drainTo} (one lock for the lot, not two per event); what it took past a command
     * stays in {@link #pending}, in order.
     */
    private List<SecurityEvent> takeBatch(SecurityEvent first) {
        List<SecurityEvent> batch = new ArrayList<>(Math.min(maxBatch, 1 + pending.size() + queue.size()));
        batch.add(first);
        while (batch.size() < maxBatch) {
            if (pending.isEmpty() && queue.drainTo(pending, maxBatch - batch.size()) == 0) {
                break;
            }
            if (!(pending.peekFirst() instanceof SecurityEvent)) {
                break;
            }
            batch.add((SecurityEvent) pending.pollFirst());
        }
        return batch;
    }

    private void handleBatch(List<SecurityEvent> batch) {
        try {
            route(batch);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "Security event router failed on a batch of " + batch.size() + " events from "
                    + describeItem(batch.get(0)) + "; going on", t);
        }
    }

    private void handle(Object item) {
        try {
            if (item instanceof SecurityEvent) {
                route(List.of((SecurityEvent) item));
            } else if (item instanceof Command) {
                ((Command) item).action().run();
            }
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            LOG.log(Level.ERROR, "Security event router failed on " + describeItem(item) + "; going on", t);
        }
    }

    private static String describeItem(Object item) {
        if (item instanceof SecurityEvent) {
            SecurityEvent e = (SecurityEvent) item;
            return "event " + e.type() + " " + e.id();
        }
        return item instanceof Command ? ((Command) item).description() : String.valueOf(item);
    }

    /** Feeds {@code events} to the detectors, then publishes them with their ANOMALY events to every sink. */
    private void route(List<SecurityEvent> events) {
        List<SecurityEvent> out = new ArrayList<>(events.size());
        for (SecurityEvent event : events) {
            out.add(event);
            detect(event, out);
        }
        publishToSinks(Collections.unmodifiableList(out));
    }

    /** Feeds {@code event} to every detector; the ANOMALY events of their findings are added to {@code out}. */
    private void detect(SecurityEvent event, List<SecurityEvent> out) {
        if (event.type() == SecurityEventType.ANOMALY || detectors.isEmpty()) {
            return; // never fed to detectors: findings must not feed back
        }
        for (Map.Entry<String, AnomalyDetector> d : new ArrayList<>(detectors.entrySet())) {
            List<Finding> findings;
            try {
                findings = d.getValue().onEvent(event);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "Anomaly detector " + d.getKey() + " failed on event " + event.type() + " "
                        + event.id() + "; skipped", t);
                continue;
            }
            if (findings == null) {
                continue;
            }
            for (Finding f : findings) {
                if (f == null) {
                    continue;
                }
                if (findingListener != null) {
                    try {
                        findingListener.accept(f);
                    } catch (VirtualMachineError e) {
                        throw e;
                    } catch (Throwable t) {
                        LOG.log(Level.WARNING, "The finding listener failed on a finding of " + f.detector(), t);
                    }
                }
                out.add(anomaly(f, event));
            }
        }
    }

    static SecurityEvent anomaly(Finding f, SecurityEvent cause) {
        SecurityEvent.Builder b = SecurityEvent.of(SecurityEventType.ANOMALY, Outcome.WARNING)
                .source(SOURCE)
                .principal(f.principal())
                .connection(cause.connection())
                .detail("detector", f.detector())
                .detail("severity", f.severity().name())
                .detail("reason", f.reason())
                .detail("response", f.response().name())
                .detail("trigger", cause.id().toString())
                .detail("trigger.type", cause.type().name());
        if (f.principal() != null) {
            b.detail("principal", f.principal());
        }
        if (f.source() != null) {
            b.detail("source", f.source());
        }
        if (f.until() != null) {
            b.detail("until", f.until().toString());
        }
        return b.build();
    }

    private void publishToSinks(List<SecurityEvent> events) {
        for (SinkState s : new ArrayList<>(sinks.values())) {
            if (s.sink != null) {
                s.offer(events);
            }
        }
    }

    private void bindSink(String key, AuditSink sink) {
        SinkState s = sinks.get(key);
        if (s == null) {
            s = new SinkState(key);
            sinks.put(key, s);
        }
        s.sink = sink;
        s.backoff = 0;
        s.nextAttempt = System.nanoTime();
        if (s.hasBacklog()) {
            LOG.log(Level.INFO, "Audit sink " + key + " added; delivering " + s.count() + " spooled events first");
        }
        s.updateCount();
    }

    private void unbindSink(String key) {
        SinkState s = sinks.get(key);
        if (s == null) {
            return;
        }
        s.sink = null;
        if (s.hasBacklog()) {
            LOG.log(Level.INFO, "Audit sink " + key + " removed with " + s.count() + " events spooled; they are "
                    + "kept and delivered when a sink with key " + key + " is added again");
        } else {
            sinks.remove(key);
            s.closeSpool();
        }
    }

    private long nanosToNextRetry() {
        long now = System.nanoTime();
        long best = Long.MAX_VALUE;
        for (SinkState s : sinks.values()) {
            if (s.sink != null && s.hasBacklog()) {
                best = Math.min(best, Math.max(0, s.nextAttempt - now));
            }
        }
        return best;
    }

    private void retryDue() {
        long now = System.nanoTime();
        for (SinkState s : new ArrayList<>(sinks.values())) {
            if (s.sink != null && s.hasBacklog() && s.nextAttempt - now <= 0) {
                try {
                    s.drain();
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    LOG.log(Level.ERROR, "Retrying audit sink " + s.key + " failed unexpectedly", t);
                    s.failed(t, false);
                }
            }
        }
    }

    private boolean pastDeadline() {
        return closed && System.nanoTime() - closeDeadline >= 0;
    }

    private void shutdown() {
        Object item;
        while ((item = pending.pollFirst()) != null || (item = queue.poll()) != null) {
            if (item != STOP) {
                handle(item); // emits that raced with close(); delivered or spooled
            }
        }
        for (SinkState s : new ArrayList<>(sinks.values())) {
            try {
                if (s.sink != null && s.hasBacklog() && !pastDeadline() && !Thread.currentThread().isInterrupted()) {
                    s.drain();
                }
                s.flushOverflow();
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                LOG.log(Level.WARNING, "Final delivery to audit sink " + s.key + " failed", t);
            }
            if (s.hasBacklog()) {
                LOG.log(Level.WARNING, s.count() + " security events for audit sink " + s.key + " remain "
                        + (s.overflow.isEmpty() && spoolDirectory != null ? "spooled in " + spoolDirectory
                        : "in memory and are lost with this process"));
            }
            s.closeSpool();
        }
        LOG.log(Level.DEBUG, "Security event router stopped");
    }

    private void emitInternal(SecurityEvent event) {
        if (!closed) {
            queue.add(event);
        }
    }

    private static String errorName(Throwable t) {
        return t.getClass().getName();
    }

    /** One sink key: the sink (null while removed), its spool, and the retry schedule. Worker-confined. */
    private final class SinkState {
        final String key;
        AuditSink sink;
        EventSpool spool;
        /** Events the spool could not keep, behind those it holds. */
        final ArrayDeque<SecurityEvent> overflow = new ArrayDeque<>();
        /** Current retry delay; 0 while the sink is healthy. */
        long backoff;
        long nextAttempt;

        SinkState(String key) {
            this.key = key;
            openSpool();
        }

        private void openSpool() {
            try {
                spool = spoolFactory.apply(key);
            } catch (RuntimeException e) {
                LOG.log(Level.ERROR, "Cannot open the event spool for audit sink " + key
                        + "; spooling its events in memory only", e);
                spool = new MemorySpool();
            }
        }

        boolean hasBacklog() {
            return !spool.isEmpty() || !overflow.isEmpty();
        }

        int count() {
            return spool.size() + overflow.size();
        }

        /** Publishes {@code events} with one {@code publishAll}; what the sink did not accept is spooled in order. */
        void offer(List<SecurityEvent> events) {
            if (hasBacklog() || pastDeadline()) {
                events.forEach(this::keep);
                return;
            }
            try {
                sink.publishAll(events);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                int accepted = t instanceof AuditException ? Math.max(0, ((AuditException) t).acceptedCount()) : 0;
                if (accepted >= events.size()) {
                    LOG.log(Level.WARNING, "Audit sink " + key + " reported a failure after accepting all "
                            + events.size() + " events; taking them as delivered", t);
                    return;
                }
                for (int i = accepted; i < events.size(); i++) {
                    keep(events.get(i));
                }
                failed(t, true);
            }
        }

        /** Tries the spooled events in order until the sink throws or the spool is empty. */
        void drain() {
            while (hasBacklog()) {
                if (pastDeadline()) {
                    return;
                }
                boolean fromSpool = !spool.isEmpty();
                SecurityEvent head = fromSpool ? spool.peek() : overflow.peekFirst();
                try {
                    sink.publish(head);
                } catch (VirtualMachineError e) {
                    throw e;
                } catch (Throwable t) {
                    failed(t, true);
                    return;
                }
                if (fromSpool) {
                    spool.removeHead();
                } else {
                    overflow.removeFirst();
                }
                updateCount();
            }
            if (backoff != 0) {
                LOG.log(Level.INFO, "Audit sink " + key + " accepts events again; its spool is delivered");
            }
            backoff = 0;
        }

        void keep(SecurityEvent event) {
            if (overflow.isEmpty()) {
                try {
                    spool.append(event);
                    updateCount();
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.ERROR, "Cannot spool event " + event.id() + " for audit sink " + key
                            + "; keeping it in memory only", e);
                }
            }
            overflow.addLast(event);
            updateCount();
        }

        /** Moves events kept in memory into the spool, as far as it takes them. */
        void flushOverflow() {
            while (!overflow.isEmpty()) {
                try {
                    spool.append(overflow.peekFirst());
                } catch (RuntimeException e) {
                    return;
                }
                overflow.removeFirst();
            }
            updateCount();
        }

        void failed(Throwable t, boolean report) {
            boolean first = backoff == 0;
            backoff = first ? initialBackoff : Math.min(maxBackoff, backoff * 2);
            nextAttempt = System.nanoTime() + backoff;
            if (first) {
                LOG.log(Level.WARNING, "Audit sink " + key + " refused an event (" + t
                        + "); spooling its events and retrying", t);
                if (report) {
                    SecurityEvent.Builder b = SecurityEvent.of(SecurityEventType.AUDIT_FAILURE, Outcome.FAILURE)
                            .source(SOURCE)
                            .detail("sink", key)
                            .detail("error", errorName(t));
                    if (t instanceof SecureClientException && ((SecureClientException) t).reason() != null) {
                        b.detail("reason", ((SecureClientException) t).reason().code());
                    }
                    emitInternal(b.build());
                }
            } else {
                LOG.log(Level.DEBUG, "Audit sink " + key + " still refuses events (" + errorName(t) + "); "
                        + count() + " spooled, next try in " + TimeUnit.NANOSECONDS.toMillis(backoff) + " ms");
            }
        }

        void updateCount() {
            int n = count();
            if (n == 0) {
                spooledCounts.remove(key);
            } else {
                spooledCounts.put(key, n);
            }
        }

        void closeSpool() {
            try {
                spool.close();
            } catch (RuntimeException e) {
                LOG.log(Level.DEBUG, "closing the spool of " + key, e);
            }
        }
    }

    /** Options of an {@link EventRouter}. */
    public static final class Builder {
        private Path spoolDirectory;
        private Function<String, EventSpool> spoolFactory;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(30);
        private Duration closeGrace = Duration.ofSeconds(2);
        private Consumer<Finding> findingListener;
        private int maxBatch = MAX_BATCH;

        private Builder() {
        }

        /** Most queued events handed to a sink in one {@code publishAll}; {@value EventRouter#MAX_BATCH} by default. */
        public Builder maxBatch(int events) {
            if (events < 1) {
                throw new IllegalArgumentException("maxBatch must be positive: " + events);
            }
            this.maxBatch = events;
            return this;
        }

        /** Keep spools as {@link FileSpool}s in this directory; memory spools by default. */
        public Builder spoolDirectory(Path directory) {
            this.spoolDirectory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Make the spool of a sink key with this function instead (takes precedence over the directory). */
        public Builder spools(Function<String, EventSpool> factory) {
            this.spoolFactory = Objects.requireNonNull(factory, "factory");
            return this;
        }

        /** First retry delay after a sink fails; 100 ms by default. Doubles on each further failure. */
        public Builder initialBackoff(Duration delay) {
            this.initialBackoff = positive(delay, "initialBackoff");
            return this;
        }

        /** Longest retry delay; 30 s by default. */
        public Builder maxBackoff(Duration delay) {
            this.maxBackoff = positive(delay, "maxBackoff");
            return this;
        }

        /** How long {@link EventRouter#close()} goes on delivering queued events; 2 s by default. */
        public Builder closeGrace(Duration grace) {
            Objects.requireNonNull(grace, "grace");
            if (grace.isNegative()) {
                throw new IllegalArgumentException("closeGrace is negative: " + grace);
            }
            this.closeGrace = grace;
            return this;
        }

        /** Called on the worker thread with every finding, before its ANOMALY event is published; must be quick. */
        public Builder findingListener(Consumer<Finding> listener) {
            this.findingListener = listener;
            return this;
        }

        public EventRouter build() {
            return new EventRouter(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }
}
