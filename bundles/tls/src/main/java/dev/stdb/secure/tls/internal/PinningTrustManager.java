package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.tls.PinSet;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertPathBuilder;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.PKIXCertPathBuilderResult;
import java.security.cert.TrustAnchor;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * PKIX validation with host name verification by the JDK's trust manager, then certificate pins checked against the
 * chain <em>built from the configured anchors</em> ({@link CertPathBuilder}), never against the chain as the server
 * sent it: extra certificates a server (or an attacker) appends cannot satisfy a pin (CVE-2016-2402).
 *
 * <p>Endpoint identification is mandatory: a handshake whose engine or socket does not ask for {@code HTTPS}
 * identification is refused, as is the two-argument {@code checkServerTrusted} that has no peer host.
 * Failure messages start with the reason code ({@code [tls.untrusted_chain]}, {@code [tls.cert_expired]},
 * {@code [tls.hostname_mismatch]}, {@code [tls.pin_mismatch]}, {@code [tls.revoked]},
 * {@code [tls.revocation_unknown]}) so the connection error names what failed.
 *
 * <p>Revocation ({@link RevocationChecker}) is checked after the pins, on the same validated path, with the OCSP
 * response the server stapled to the handshake, if any.
 */
public final class PinningTrustManager extends X509ExtendedTrustManager {

    static final String SOURCE = "dev.stdb.secure.tls";

    private final X509ExtendedTrustManager delegate;
    private final Set<TrustAnchor> anchors;
    private final List<PinSet> pins;
    private final int warningDays;
    private final Clock clock;
    private final SecurityEventSink events;
    private final String profile;
    private final RevocationChecker revocation;
    private final ValidatedPaths paths;
    private final Set<X509Certificate> anchorCerts;

    public PinningTrustManager(X509ExtendedTrustManager delegate, Set<TrustAnchor> anchors, List<PinSet> pins,
            int warningDays, Clock clock, SecurityEventSink events, String profile) {
        this(delegate, anchors, pins, warningDays, clock, events, profile, null);
    }

    /** With {@code revocation} checked after the pins; null or a disabled checker checks nothing. */
    public PinningTrustManager(X509ExtendedTrustManager delegate, Set<TrustAnchor> anchors, List<PinSet> pins,
            int warningDays, Clock clock, SecurityEventSink events, String profile, RevocationChecker revocation) {
        this(delegate, anchors, pins, warningDays, clock, events, profile, revocation, new ValidatedPaths());
    }

    /** With the profile's cache of validated paths, shared by every context the profile makes. */
    public PinningTrustManager(X509ExtendedTrustManager delegate, Set<TrustAnchor> anchors, List<PinSet> pins,
            int warningDays, Clock clock, SecurityEventSink events, String profile, RevocationChecker revocation,
            ValidatedPaths paths) {
        this.paths = Objects.requireNonNull(paths, "paths");
        Set<X509Certificate> certs = new HashSet<>();
        for (TrustAnchor a : anchors) {
            if (a.getTrustedCert() != null) {
                certs.add(a.getTrustedCert());
            }
        }
        this.anchorCerts = certs;
        this.revocation = revocation != null && revocation.enabled() ? revocation : null;
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.anchors = Set.copyOf(anchors);
        this.pins = List.copyOf(pins);
        this.warningDays = warningDays;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
        this.profile = Objects.requireNonNull(profile, "profile");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        String host = engine == null ? null : engine.getPeerHost();
        String alg = engine == null ? null : engine.getSSLParameters().getEndpointIdentificationAlgorithm();
        requireIdentification(host, alg);
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            throw failed(host, e);
        }
        afterPkix(host, chain, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        String host = null;
        String alg = null;
        SSLSession session = null;
        if (socket instanceof SSLSocket) {
            SSLSocket ssl = (SSLSocket) socket;
            session = ssl.getHandshakeSession();
            host = session == null ? null : session.getPeerHost();
            alg = ssl.getSSLParameters().getEndpointIdentificationAlgorithm();
        }
        requireIdentification(host, alg);
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            throw failed(host, e);
        }
        afterPkix(host, chain, session);
    }

    /** Pins, then revocation, on one validated path built only when one of them applies. */
    private void afterPkix(String host, X509Certificate[] chain, SSLSession session) throws CertificateException {
        List<PinSet> applicable = new ArrayList<>();
        for (PinSet set : pins) {
            if (set.matches(host)) {
                applicable.add(set);
            }
        }
        if (applicable.isEmpty() && revocation == null) {
            return;
        }
        List<X509Certificate> validated = validatedPath(host, chain);
        if (!applicable.isEmpty()) {
            checkPins(host, applicable, validated);
        }
        if (revocation != null) {
            revocation.check(host, validated, leafStaple(session));
        }
    }

    /** The OCSP response stapled for the leaf, or null. */
    private static byte[] leafStaple(SSLSession session) {
        if (!(session instanceof ExtendedSSLSession)) {
            return null;
        }
        try {
            List<byte[]> responses = ((ExtendedSSLSession) session).getStatusResponses();
            return responses == null || responses.isEmpty() || responses.get(0).length == 0 ? null
                    : responses.get(0);
        } catch (UnsupportedOperationException e) {
            return null;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        requireIdentification(null, null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, socket);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        delegate.checkClientTrusted(chain, authType, engine);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        delegate.checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private void requireIdentification(String host, String alg) throws CertificateException {
        if (host == null || host.isEmpty() || !"HTTPS".equalsIgnoreCase(alg)) {
            String msg = "[" + ReasonCode.HOSTNAME_MISMATCH.code() + "] TLS profile '" + profile
                    + "' requires HTTPS endpoint identification and a peer host name; this handshake has "
                    + (host == null || host.isEmpty() ? "no peer host" : "identification '" + alg + "'");
            emitFailure(host, ReasonCode.HOSTNAME_MISMATCH, msg);
            throw new CertificateException(msg);
        }
    }

    private CertificateException failed(String host, CertificateException e) {
        ReasonCode reason = classify(e);
        String what;
        if (reason == ReasonCode.CERT_EXPIRED) {
            what = "a certificate of the chain is expired or not yet valid";
        } else if (reason == ReasonCode.HOSTNAME_MISMATCH) {
            what = "the certificate is not valid for host " + host;
        } else if (reason == ReasonCode.REVOKED) {
            what = "a certificate of the chain is revoked";
        } else {
            what = "the chain does not lead to a trust anchor of the profile";
        }
        String msg = "[" + reason.code() + "] TLS profile '" + profile + "', host " + host + ": " + what + " ("
                + e.getMessage() + ")";
        emitFailure(host, reason, msg);
        return new CertificateException(msg, e);
    }

    static ReasonCode classify(CertificateException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException || t instanceof CertificateNotYetValidException) {
                return ReasonCode.CERT_EXPIRED;
            }
            if (t instanceof CertPathValidatorException) {
                CertPathValidatorException.Reason r = ((CertPathValidatorException) t).getReason();
                if (r == CertPathValidatorException.BasicReason.EXPIRED
                        || r == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                    return ReasonCode.CERT_EXPIRED;
                }
                if (r == CertPathValidatorException.BasicReason.REVOKED) {
                    return ReasonCode.REVOKED;
                }
            }
            String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
            if (m.contains("subject alternative") || m.contains("no name matching")
                    || m.contains("hostname") || m.contains("ip address")) {
                return ReasonCode.HOSTNAME_MISMATCH;
            }
        }
        return ReasonCode.UNTRUSTED_CHAIN;
    }

    private void checkPins(String host, List<PinSet> applicable, List<X509Certificate> validated)
            throws CertificateException {
        Set<String> seenSpki = new LinkedHashSet<>();
        Set<String> seen = new LinkedHashSet<>();
        for (X509Certificate c : validated) {
            seenSpki.add(PinSet.SPKI + sha256(c.getPublicKey().getEncoded()));
        }
        seen.addAll(seenSpki);
        for (X509Certificate c : validated) {
            seen.add(PinSet.CERT + sha256(c.getEncoded()));
        }
        LocalDate today = LocalDate.now(clock);
        for (PinSet set : applicable) {
            if (set.isExpired(today)) {
                send(pinEvent(SecurityEvent.of(SecurityEventType.PIN_EXPIRED, Outcome.WARNING), host, set)
                        .detail("expires", set.expires().toString())
                        .detail("note", "pin set expired; not enforced until it is renewed").build());
                continue;
            }
            if (set.expires() != null && !today.isBefore(set.expires().minusDays(warningDays))) {
                send(pinEvent(SecurityEvent.of(SecurityEventType.PIN_EXPIRING, Outcome.WARNING), host, set)
                        .detail("expires", set.expires().toString()).build());
            }
            boolean match = false;
            for (String pin : set.pins()) {
                if (seen.contains(pin)) {
                    match = true;
                    break;
                }
            }
            if (!match) {
                boolean enforce = set.mode() == PinSet.Mode.ENFORCE;
                send(pinEvent(SecurityEvent.of(SecurityEventType.PIN_MISMATCH,
                        enforce ? Outcome.FAILURE : Outcome.WARNING), host, set)
                        .detail("expected", String.join(",", set.pins()))
                        .detail("seen", String.join(",", seenSpki)).build());
                if (enforce) {
                    throw new CertificateException("[" + ReasonCode.PIN_MISMATCH.code() + "] TLS profile '"
                            + profile + "', host " + host + ": no pin of " + set.hostPattern()
                            + " matches the validated chain; expected one of " + set.pins()
                            + ", the validated chain has SPKI pins " + seenSpki);
                }
            }
        }
    }

    /** Leaf to anchor, as built from the configured anchors; the server's extra certificates are only candidates. */
    private List<X509Certificate> validatedPath(String host, X509Certificate[] chain) throws CertificateException {
        String key = ValidatedPaths.key(chain);
        java.time.Instant now = clock.instant();
        List<X509Certificate> cached = paths.get(key, anchorCerts, now);
        if (cached != null) {
            return cached;
        }
        List<X509Certificate> built = buildPath(host, chain);
        paths.put(key, built, now);
        return built;
    }

    private List<X509Certificate> buildPath(String host, X509Certificate[] chain) throws CertificateException {
        try {
            X509CertSelector target = new X509CertSelector();
            target.setCertificate(chain[0]);
            PKIXBuilderParameters params = new PKIXBuilderParameters(anchors, target);
            params.setRevocationEnabled(false);
            params.setDate(java.util.Date.from(clock.instant()));
            params.addCertStore(CertStore.getInstance("Collection",
                    new CollectionCertStoreParameters(Arrays.asList(chain))));
            PKIXCertPathBuilderResult result =
                    (PKIXCertPathBuilderResult) CertPathBuilder.getInstance("PKIX").build(params);
            List<X509Certificate> path = new ArrayList<>();
            for (Certificate c : result.getCertPath().getCertificates()) {
                path.add((X509Certificate) c);
            }
            X509Certificate anchor = result.getTrustAnchor().getTrustedCert();
            if (anchor != null) {
                path.add(anchor);
            }
            return path;
        } catch (GeneralSecurityException e) {
            String msg = "[" + ReasonCode.UNTRUSTED_CHAIN.code() + "] TLS profile '" + profile + "', host " + host
                    + ": cannot build a validated path from the profile's anchors to check pins and revocation ("
                    + e.getMessage()
                    + ")";
            emitFailure(host, ReasonCode.UNTRUSTED_CHAIN, msg);
            throw new CertificateException(msg, e);
        }
    }

    /** {@code base64(sha256(bytes))}. */
    public static String sha256(byte[] bytes) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private SecurityEvent.Builder pinEvent(SecurityEvent.Builder b, String host, PinSet set) {
        return (b.source(SOURCE).connection(host).detail("host", String.valueOf(host))
                .detail("profile", profile).detail("pattern", set.hostPattern())
                .detail("mode", set.mode().name().toLowerCase(Locale.ROOT).replace('_', '-')));
    }

    private void emitFailure(String host, ReasonCode reason, String message) {
        emitFailure(events, profile, host, reason, message);
    }

    static void emitFailure(SecurityEventSink events, String profile, String host, ReasonCode reason,
            String message) {
        send(events, SecurityEvent.of(SecurityEventType.TLS_FAILURE, Outcome.FAILURE).source(SOURCE)
                .connection(host).detail("host", String.valueOf(host)).detail("profile", profile)
                .detail("reason", reason.code()).detail("message", message).build());
    }

    private void send(SecurityEvent event) {
        send(events, event);
    }

    private static void send(SecurityEventSink events, SecurityEvent event) {
        try {
            events.emit(event);
        } catch (RuntimeException e) {
            // a failing sink never changes the outcome of a handshake
        }
    }
}
