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
 * <h2>Algorithm (Keycloak 26.7.3 {@code DefaultBruteForceProtector.failure})</h2>
 * On a failure at time {@code now} (from the injected clock), with {@code delta} the time since the previous failure:
 * <ol>
 * <li>unless in permanent-only mode ({@code permanentLockout} with {@code maxTemporaryLockouts} 0), a {@code delta}
 *     above {@code maxDeltaTimeSeconds} starts the counts again;</li>
 * <li>the failure count goes up;</li>
 * <li>{@code wait} is the {@link BruteForceSettings.Strategy strategy}'s (MULTIPLE: {@code waitIncrementSeconds *
 *     (failures / failureFactor)}, integer division; LINEAR: {@code waitIncrementSeconds * (1 + failures -
 *     failureFactor)}), 0 in permanent-only mode;</li>
 * <li>if {@code wait <= 0} and {@code delta < quickLoginCheckMilliSeconds} (not for the first failure), {@code wait}
 *     is {@code minimumQuickLoginWaitSeconds}: a quick-login lockout;</li>
 * <li>if {@code wait > 0}: capped at {@code maxFailureWaitSeconds} (not in permanent-only mode); a lockout that is not
 *     a quick-login one counts as a temporary lockout; unless {@code permanentLockout} and the temporary lockouts now
 *     exceed {@code maxTemporaryLockouts}, a THROTTLE finding until Keycloak's {@code failedLoginNotBefore}, the
 *     whole second {@code now / 1000 + wait};</li>
 * <li>with {@code permanentLockout}: when the temporary lockouts exceed {@code maxTemporaryLockouts}, or in
 *     permanent-only mode once the count reaches {@code failureFactor}, a BLOCK finding (no {@code until}) instead.</li>
 * </ol>
 * A success clears everything for its principal and source. Keycloak does not count attempts while locked out; the
 * core refuses those without an {@code AUTH_FAILURE} ({@code auth.locked_out}), so they are not counted here either.
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

        /** Keycloak's {@code clearFailures()}; {@code lastFailure} is set again right after. */
        void clear() {
            numFailures = 0;
            numTemporaryLockouts = 0;
        }
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
        BruteForceSettings s = settings;
        // Keycloak's "Lockout permanently": no strategy wait, no temporary lockouts, and failures never expire
        boolean permanentOnly = s.permanentLockout() && s.maxTemporaryLockouts() == 0;
        Failures f = map.computeIfAbsent(key, k -> new Failures());
        long last = f.lastFailure;
        long delta = last > 0 ? now - last : 0;
        if (!permanentOnly && delta > 0 && delta > s.maxDeltaTimeSeconds() * 1000L) {
            f.clear();
        }
        f.lastFailure = now;
        f.numFailures++;
        long wait = permanentOnly ? 0 : s.waitSeconds(f.numFailures);
        boolean quick = false;
        if (wait <= 0 && last > 0 && delta < s.quickLoginCheckMilliSeconds()) {
            wait = s.minimumQuickLoginWaitSeconds();
            quick = true;
        }
        Finding temporary = null;
        if (wait > 0) {
            if (!permanentOnly) {
                wait = Math.min(s.maxFailureWaitSeconds(), wait);
            }
            if (!quick) {
                f.numTemporaryLockouts++;
            }
            if (quick || !s.permanentLockout() || f.numTemporaryLockouts <= s.maxTemporaryLockouts()) {
                // Keycloak keeps failedLoginNotBefore in whole seconds: the lockout ends at now/1000 + wait
                Instant until = Instant.ofEpochSecond(Math.floorDiv(now, 1000L) + wait);
                temporary = new Finding(id, Severity.MEDIUM, f.numFailures + " failed sign-ins in a row for " + what
                        + (quick ? ", the last " + delta + " ms after the one before" : "") + "; locked out for "
                        + wait + " s", Response.THROTTLE, principal, source, until);
            }
        }
        if (s.permanentLockout() && (f.numTemporaryLockouts > s.maxTemporaryLockouts()
                || (permanentOnly && f.numFailures >= s.failureFactor()))) {
            findings.add(new Finding(id, Severity.HIGH, f.numFailures + " failed sign-ins in a row for " + what
                    + (permanentOnly ? "" : " after " + s.maxTemporaryLockouts() + " temporary lockouts")
                    + "; locked out permanently", Response.BLOCK, principal, source, null));
        } else if (temporary != null) {
            findings.add(temporary);
        }
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
