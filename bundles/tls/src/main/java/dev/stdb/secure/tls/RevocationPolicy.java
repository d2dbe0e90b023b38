package dev.stdb.secure.tls;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link TlsProfile} checks that the server's certificates are not revoked. Immutable; start from
 * {@link #off()}, {@link #softFail()} or {@link #hardFail()} and refine with the {@code with...} methods.
 *
 * <p>The check runs after the JDK's PKIX validation succeeded, on the <em>validated</em> path (built from the
 * profile's anchors, the same path the pins are checked against), for the leaf and, with
 * {@link #checkIntermediates()}, every intermediate; the trust anchor itself is never checked. For each certificate:
 * <ol>
 * <li>an OCSP response the server stapled to the handshake (leaf only), when there is one and it verifies;</li>
 * <li>a result cached by the profile (per issuer key and serial number; at most {@link #cacheTtl()}, and never beyond
 * the response's or CRL's {@code nextUpdate});</li>
 * <li>the {@link #sources()} in order: OCSP at the certificate's AIA URL (or {@link #ocspResponder()}), the CRL at
 * its distribution point. A source that gives no answer passes the turn to the next one.</li>
 * </ol>
 * OCSP responses are accepted only when signed by the issuer or by a responder certificate the issuer gave
 * {@code id-kp-OCSPSigning}, for the certificate's CertID, with {@code thisUpdate} not in the future and
 * {@code nextUpdate} not passed (5 minutes of clock skew allowed). CRLs must be signed by the issuer and current.
 * Only {@code http} URLs are fetched (as RFC 5280 and RFC 6960 expect); responses are capped at 1 MiB, CRLs at 20 MiB.
 *
 * <p>Outcomes:
 * <ul>
 * <li>A certificate found <b>revoked</b> is always refused, in every mode but {@link Mode#OFF}: the handshake fails
 * with reason {@code tls.revoked} and a {@code TLS_FAILURE} event.</li>
 * <li>A status that <b>cannot be determined</b> (responder unreachable, timeout, malformed, unsigned or stale answer,
 * status unknown): {@link Mode#SOFT_FAIL} lets the handshake go on and emits a {@code REVOCATION_UNKNOWN} warning;
 * {@link Mode#HARD_FAIL} refuses it with reason {@code tls.revocation_unknown}.</li>
 * <li>A certificate that names <b>no OCSP URL and no CRL distribution point</b> and has no staple cannot be checked:
 * {@link Mode#SOFT_FAIL} passes it silently (private CAs often publish neither); {@link Mode#HARD_FAIL} refuses it
 * with {@code tls.revocation_unknown}.</li>
 * </ul>
 */
public final class RevocationPolicy {

    /** What the profile does about revocation. */
    public enum Mode {
        /** No revocation check at all. */
        OFF,
        /** Revoked certificates are refused; an undeterminable status is reported and tolerated. */
        SOFT_FAIL,
        /** Revoked certificates and undeterminable statuses are refused. */
        HARD_FAIL
    }

    /** Where a revocation status comes from (besides a stapled OCSP response, which is always used first). */
    public enum Source {
        /** An OCSP responder (RFC 6960), from the certificate's AIA extension or {@link #ocspResponder()}. */
        OCSP,
        /** The CRL at the certificate's CRL distribution point (RFC 5280). */
        CRL
    }

    /** Default time a result is cached: one hour. */
    public static final Duration DEFAULT_CACHE_TTL = Duration.ofHours(1);
    /** Default network timeout: five seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

    private final Mode mode;
    private final List<Source> sources;
    private final boolean checkIntermediates;
    private final Duration cacheTtl;
    private final Duration timeout;
    private final URI ocspResponder;

    private RevocationPolicy(Mode mode, List<Source> sources, boolean checkIntermediates, Duration cacheTtl,
            Duration timeout, URI ocspResponder) {
        this.mode = Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(sources, "sources");
        List<Source> clean = new ArrayList<>(new LinkedHashSet<>(sources));
        if (clean.isEmpty()) {
            throw new IllegalArgumentException("revocation sources: at least one of OCSP, CRL");
        }
        clean.forEach(s -> Objects.requireNonNull(s, "source"));
        this.sources = List.copyOf(clean);
        this.checkIntermediates = checkIntermediates;
        Objects.requireNonNull(cacheTtl, "cacheTtl");
        if (cacheTtl.isNegative()) {
            throw new IllegalArgumentException("revocation cache TTL is negative: " + cacheTtl);
        }
        this.cacheTtl = cacheTtl;
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("revocation timeout must be positive: " + timeout);
        }
        this.timeout = timeout;
        if (ocspResponder != null && !"http".equalsIgnoreCase(ocspResponder.getScheme())) {
            throw new IllegalArgumentException("OCSP responder must be an http URL: " + ocspResponder);
        }
        this.ocspResponder = ocspResponder;
    }

    /** No revocation check. */
    public static RevocationPolicy off() {
        return softFail().withMode(Mode.OFF);
    }

    /** The default of a profile: OCSP then CRL, intermediates checked, 1 h cache, 5 s timeout, soft-fail. */
    public static RevocationPolicy softFail() {
        return new RevocationPolicy(Mode.SOFT_FAIL, List.of(Source.OCSP, Source.CRL), true, DEFAULT_CACHE_TTL,
                DEFAULT_TIMEOUT, null);
    }

    /** As {@link #softFail()}, but a status that cannot be determined refuses the handshake. */
    public static RevocationPolicy hardFail() {
        return softFail().withMode(Mode.HARD_FAIL);
    }

    public RevocationPolicy withMode(Mode mode) {
        return new RevocationPolicy(mode, sources, checkIntermediates, cacheTtl, timeout, ocspResponder);
    }

    /** The sources to ask, in this order (duplicates dropped; at least one). */
    public RevocationPolicy withSources(Source... sources) {
        return withSources(List.of(sources));
    }

    public RevocationPolicy withSources(List<Source> sources) {
        return new RevocationPolicy(mode, sources, checkIntermediates, cacheTtl, timeout, ocspResponder);
    }

    /** Whether the intermediates of the validated path are checked too (default true), or only the leaf. */
    public RevocationPolicy withCheckIntermediates(boolean check) {
        return new RevocationPolicy(mode, sources, check, cacheTtl, timeout, ocspResponder);
    }

    /** The longest time a result is cached (default 1 h; zero disables the cache). */
    public RevocationPolicy withCacheTtl(Duration ttl) {
        return new RevocationPolicy(mode, sources, checkIntermediates, ttl, timeout, ocspResponder);
    }

    /** Connect and read timeout of each OCSP or CRL request (default 5 s). */
    public RevocationPolicy withTimeout(Duration timeout) {
        return new RevocationPolicy(mode, sources, checkIntermediates, cacheTtl, timeout, ocspResponder);
    }

    /** An http OCSP responder asked for every certificate instead of its AIA URL; null for the AIA URL. */
    public RevocationPolicy withOcspResponder(URI responder) {
        return new RevocationPolicy(mode, sources, checkIntermediates, cacheTtl, timeout, responder);
    }

    public Mode mode() {
        return mode;
    }

    public List<Source> sources() {
        return sources;
    }

    public boolean checkIntermediates() {
        return checkIntermediates;
    }

    public Duration cacheTtl() {
        return cacheTtl;
    }

    public Duration timeout() {
        return timeout;
    }

    public Optional<URI> ocspResponder() {
        return Optional.ofNullable(ocspResponder);
    }

    /** Parses {@code off}, {@code soft-fail} or {@code hard-fail} (case-insensitive; {@code _} for {@code -}). */
    public static Mode parseMode(String text) {
        String t = Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT).replace('_', '-');
        switch (t) {
            case "off":
                return Mode.OFF;
            case "soft-fail":
                return Mode.SOFT_FAIL;
            case "hard-fail":
                return Mode.HARD_FAIL;
            default:
                throw new IllegalArgumentException("'" + text + "' is not off, soft-fail or hard-fail");
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof RevocationPolicy)) {
            return false;
        }
        RevocationPolicy p = (RevocationPolicy) o;
        return mode == p.mode && sources.equals(p.sources) && checkIntermediates == p.checkIntermediates
                && cacheTtl.equals(p.cacheTtl) && timeout.equals(p.timeout)
                && Objects.equals(ocspResponder, p.ocspResponder);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mode, sources, checkIntermediates, cacheTtl, timeout, ocspResponder);
    }

    @Override
    public String toString() {
        return "RevocationPolicy[" + mode.name().toLowerCase(Locale.ROOT).replace('_', '-') + ", sources " + sources
                + ", intermediates " + checkIntermediates + ", cache " + cacheTtl + ", timeout " + timeout
                + (ocspResponder == null ? "" : ", responder " + ocspResponder) + "]";
    }
}
