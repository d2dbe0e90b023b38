package dev.stdb.secure.anomaly.auth;

import dev.stdb.secure.api.anomaly.AnomalyDetector;
import dev.stdb.secure.api.anomaly.Finding;
import dev.stdb.secure.api.anomaly.Response;
import dev.stdb.secure.api.anomaly.Severity;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keycloak's brute-force protection for the credentials of this client: counts failed sign-ins per principal (and,
 * optionally, per source) and suggests a temporary lockout ({@link Response#THROTTLE} until a time) or a permanent
 * one ({@link Response#BLOCK}, no end), which the core enforces by not sending the credential to its identity
 * provider again before then.
 *
 * <h2>Which events count</h2>
 * Only events whose {@link SecurityEvent#source() source} is one of {@link Builder#sources} (by default the core,
 * {@code dev.stdb.secure.core}, which reports exactly one {@code AUTH_FAILURE} per failed acquire or refresh,
 * whichever provider failed; the providers' own events for the same failure would count it twice):
 * <ul>
 * <li>{@code AUTH_FAILURE} with outcome FAILURE is a failed sign-in, except with detail {@code reason}
 *     {@code auth.idp_unreachable} (nobody checked the credential) or {@code auth.locked_out};</li>
 * <li>{@code AUTH_SUCCESS} and {@code TOKEN_REFRESHED} are successful sign-ins: they reset the counters.</li>
 * </ul>
 * <b>Principal</b>: the event's detail {@code provider} (the provider id: one configured client id and secret, API
 * key or user; what the core checks locks against), else its {@link SecurityEvent#principal() principal} (a token
 * subject). <b>Source</b>: the detail {@code target} ({@code <uri>/<database>}), else the event's connection. A
 * failure without a principal is not counted per principal. Per-source tracking (off by default) locks the target for
 * every credential, like Keycloak's lockout of a user applies to every client.
 *
 * <h2>Algorithm (Keycloak's DefaultBruteForceProtector)</h2>
 * On a failure at time {@code now} (from the injected clock): if the previous failure is more than
 * {@code maxDeltaTimeSeconds} ago the counts start again; the failure count goes up; the wait is
 * {@link BruteForceSettings#waitSeconds(int) by the strategy} (MULTIPLE: {@code waitIncrementSeconds * n /
 * failureFactor} at every multiple of {@code failureFactor}); if that is 0 and the previous failure is less than
 * {@code quickLoginCheckMilliSeconds} ago, the wait is {@code minimumQuickLoginWaitSeconds}; the wait is capped at
 * {@code maxFailureWaitSeconds}. A wait above 0 is a THROTTLE finding until {@code now + wait}. With
 * {@code permanentLockout}, a lockout reached through {@code failureFactor} (not a quick-login one) is permanent
 * (BLOCK, no {@code until}) when {@code maxTemporaryLockouts} is 0, or when it is the one after
 * {@code maxTemporaryLockouts} temporary ones. A success clears everything for its principal and source.
 *
 * <p>Thread-safe: one detector may be bound by several connections.
 */
public final class FailedAuthDetector implements AnomalyDetector {
    /** The default {@link #id()}. */
    public static final String DEFAULT_ID = "failed-auth";
    /** The core's event source. */
    public static final String CORE_SOURCE = "dev.stdb.secure.core";

    private final String id;
    private final BruteForceSettings settings;
    private final Set<String> sources;
    private final boolean trackSources;
    private final Clock clock;
    private final Map<String, Failures> byPrincipal = new HashMap<>();
    private final Map<String, Failures> bySource = new HashMap<>();

    /** The failures of one key, as Keycloak's UserLoginFailureModel. */
    private static final class Failures {
        int numFailures;
        long lastFailure;
        int numTemporaryLockouts;
        Instant notBefore;
        boolean permanent;
    }

    private FailedAuthDetector(Builder b) {
        this.id = b.id;
        this.settings = b.settings;
        this.sources = Set.copyOf(b.sources);
        this.trackSources = b.trackSources;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    public BruteForceSettings settings() {
        return settings;
    }

    @Override
    public synchronized List<Finding> onEvent(SecurityEvent event) {
        if (!sources.contains(event.source())) {
            return List.of();
        }
        String principal = principal(event);
        String source = source(event);
        if (event.type() == SecurityEventType.AUTH_SUCCESS || event.type() == SecurityEventType.TOKEN_REFRESHED) {
            if (principal != null) {
                byPrincipal.remove(principal);
            }
            if (trackSources && source != null) {
                bySource.remove(source);
            }
            return List.of();
        }
        if (event.type() != SecurityEventType.AUTH_FAILURE || event.outcome() != Outcome.FAILURE) {
            return List.of();
        }
        String reason = event.details().get("reason");
        if ("auth.idp_unreachable".equals(reason) || "auth.locked_out".equals(reason)) {
            return List.of();
        }
        List<Finding> findings = new ArrayList<>(2);
        long now = clock.millis();
        if (principal != null) {
            failure(byPrincipal, principal, now, principal, source, "principal " + principal, findings);
        }
        if (trackSources && source != null) {
            failure(bySource, source, now, null, source, "source " + source, findings);
        }
        return findings;
    }

    private void failure(Map<String, Failures> map, String key, long now, String principal, String source,
            String what, List<Finding> findings) {
        Failures f = map.computeIfAbsent(key, k -> new Failures());
        long last = f.lastFailure;
        long delta = last > 0 ? now - last : 0;
        if (last > 0 && delta > settings.maxDeltaTimeSeconds() * 1000L) {
            f.numFailures = 0;
            f.numTemporaryLockouts = 0;
            f.notBefore = null;
            f.permanent = false;
        }
        f.lastFailure = now;
        f.numFailures++;
        long wait = settings.waitSeconds(f.numFailures);
        boolean quick = false;
        if (wait == 0 && last > 0 && delta < settings.quickLoginCheckMilliSeconds()) {
            wait = settings.minimumQuickLoginWaitSeconds();
            quick = true;
        }
        if (wait <= 0) {
            return;
        }
        if (settings.permanentLockout() && !quick) {
            f.numTemporaryLockouts++;
            if (settings.maxTemporaryLockouts() == 0 || f.numTemporaryLockouts > settings.maxTemporaryLockouts()) {
                f.permanent = true;
                findings.add(new Finding(id, Severity.HIGH, f.numFailures + " failed sign-ins in a row for " + what
                        + (settings.maxTemporaryLockouts() == 0 ? "" : " after " + settings.maxTemporaryLockouts()
                        + " temporary lockouts") + "; locked out permanently", Response.BLOCK, principal, source,
                        null));
                return;
            }
        }
        wait = Math.min(settings.maxFailureWaitSeconds(), wait);
        Instant until = Instant.ofEpochMilli(now).plusSeconds(wait);
        f.notBefore = until;
        findings.add(new Finding(id, Severity.MEDIUM, f.numFailures + " failed sign-ins in a row for " + what
                + (quick ? ", the last " + delta + " ms after the one before" : "") + "; locked out for " + wait
                + " s", Response.THROTTLE, principal, source, until));
    }

    private static String principal(SecurityEvent e) {
        String p = e.details().get("provider");
        return p != null ? p : e.principal();
    }

    private static String source(SecurityEvent e) {
        String t = e.details().get("target");
        return t != null ? t : e.connection();
    }

    /** How many failures in a row are counted for {@code principal} now (for tests and operators). */
    public synchronized int failures(String principal) {
        Failures f = byPrincipal.get(principal);
        return f == null ? 0 : f.numFailures;
    }

    /** Options of a {@link FailedAuthDetector}. */
    public static final class Builder {
        private String id = DEFAULT_ID;
        private BruteForceSettings settings = BruteForceSettings.KEYCLOAK_DEFAULTS;
        private Set<String> sources = Set.of(CORE_SOURCE);
        private boolean trackSources;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /** The detector id named in findings; {@value #DEFAULT_ID} by default. */
        public Builder id(String id) {
            if (id == null || id.isBlank()) {
                throw new IllegalArgumentException("id must not be blank");
            }
            this.id = id;
            return this;
        }

        /** Keycloak's settings; {@link BruteForceSettings#KEYCLOAK_DEFAULTS} by default. */
        public Builder settings(BruteForceSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** The event sources whose sign-in events count; only the core by default. */
        public Builder sources(Set<String> sources) {
            if (sources == null || sources.isEmpty()) {
                throw new IllegalArgumentException("sources must not be empty");
            }
            this.sources = Set.copyOf(sources);
            return this;
        }

        /** Also count failures per source (target) and lock the target out; off by default. */
        public Builder trackSources(boolean track) {
            this.trackSources = track;
            return this;
        }

        /** The clock failures are timed with. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public FailedAuthDetector build() {
            return new FailedAuthDetector(this);
        }
    }
}
