package dev.stdb.secure.core.internal;

import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;

import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The THROTTLE and BLOCK findings the core enforces (DESIGN §3: "the core enforces responses"). Fed with every
 * finding by the event router's finding listener; asked by the {@link TokenSource} before it sends a credential to
 * its identity provider.
 *
 * <p>A finding with a {@link Finding#principal() principal} locks that principal (the detectors of this project use
 * the {@code provider.id} of the credential's provider, or the subject of its token); a finding with only a
 * {@link Finding#source() source} locks that source (the connection target, {@code <uri>/<database>}). A lock ends
 * at {@link Finding#until()}; without one (a permanent BLOCK) it lasts until {@link #lift} or a restart. ALERT and
 * REQUIRE_MFA findings are only recorded (as the ANOMALY events the router publishes) and change nothing here.
 * Thread-safe.
 */
public final class Lockouts implements Consumer<Finding> {
    private final Map<String, Finding> principals = new ConcurrentHashMap<>();
    private final Map<String, Finding> sources = new ConcurrentHashMap<>();

    @Override
    public void accept(Finding f) {
        if (f == null || f.response() != Response.THROTTLE && f.response() != Response.BLOCK) {
            return;
        }
        if (f.principal() != null) {
            principals.merge(f.principal(), f, Lockouts::longer);
        } else if (f.source() != null) {
            sources.merge(f.source(), f, Lockouts::longer);
        }
    }

    /** Of two locks on one key, the one that lasts longer (no end lasts longest). */
    private static Finding longer(Finding a, Finding b) {
        if (a.until() == null) {
            return a;
        }
        if (b.until() == null) {
            return b;
        }
        return b.until().isAfter(a.until()) ? b : a;
    }

    /**
     * The lock in force at {@code now} on one of {@code principals} or on {@code source}, if any; locks that ended
     * are dropped.
     */
    public Optional<Finding> active(Collection<String> principalKeys, String source, Instant now) {
        for (String key : principalKeys) {
            Optional<Finding> f = active(principals, key, now);
            if (f.isPresent()) {
                return f;
            }
        }
        return source == null ? Optional.empty() : active(sources, source, now);
    }

    private static Optional<Finding> active(Map<String, Finding> locks, String key, Instant now) {
        if (key == null) {
            return Optional.empty();
        }
        Finding f = locks.get(key);
        if (f == null) {
            return Optional.empty();
        }
        if (f.until() != null && !now.isBefore(f.until())) {
            locks.remove(key, f);
            return Optional.empty();
        }
        return Optional.of(f);
    }

    /** Lifts the locks on {@code key} (a principal or a source), for example by an operator; true if there were any. */
    public boolean lift(String key) {
        boolean p = principals.remove(key) != null;
        boolean s = sources.remove(key) != null;
        return p || s;
    }
}
