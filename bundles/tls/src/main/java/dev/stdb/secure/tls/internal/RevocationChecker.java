package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.tls.RevocationPolicy;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URL;
import java.security.GeneralSecurityException;
import java.security.cert.CRLException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509CRLEntry;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.x509.AccessDescription;
import org.bouncycastle.asn1.x509.AuthorityInformationAccess;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;

/**
 * Checks the validated path of one handshake against a {@link RevocationPolicy}: stapled OCSP (leaf), the profile's
 * {@link RevocationCache}, then OCSP and CRL in the policy's order. Refuses a revoked certificate with
 * {@code [tls.revoked]}; an undeterminable status is a {@code REVOCATION_UNKNOWN} warning (soft-fail) or a refusal
 * with {@code [tls.revocation_unknown]} (hard-fail).
 */
public final class RevocationChecker {

    /** Largest OCSP response read. */
    static final int MAX_OCSP_BYTES = 1 << 20;
    /** Largest CRL read. */
    static final int MAX_CRL_BYTES = 20 << 20;

    private final RevocationPolicy policy;
    private final RevocationCache cache;
    private final Clock clock;
    private final SecurityEventSink events;
    private final String profile;

    public RevocationChecker(RevocationPolicy policy, RevocationCache cache, Clock clock, SecurityEventSink events,
            String profile) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.cache = Objects.requireNonNull(cache, "cache");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.events = Objects.requireNonNull(events, "events");
        this.profile = Objects.requireNonNull(profile, "profile");
    }

    public boolean enabled() {
        return policy.mode() != RevocationPolicy.Mode.OFF;
    }

    /**
     * Checks {@code path} (leaf first, the trust anchor last, which is not checked). {@code leafStaple} is the OCSP
     * response the server stapled for the leaf, or null.
     */
    void check(String host, List<X509Certificate> path, byte[] leafStaple) throws CertificateException {
        if (!enabled()) {
            return;
        }
        int last = policy.checkIntermediates() ? path.size() - 1 : Math.min(1, path.size() - 1);
        for (int i = 0; i < last; i++) {
            X509Certificate cert = path.get(i);
            X509Certificate issuer = path.get(i + 1);
            List<String> problems = new ArrayList<>();
            RevocationStatus status = status(cert, issuer, i == 0 ? leafStaple : null, problems);
            if (status != null && status.kind() == RevocationStatus.Kind.REVOKED) {
                String msg = "[" + ReasonCode.REVOKED.code() + "] TLS profile '" + profile + "', host " + host
                        + ": certificate " + describe(cert) + " is revoked according to " + status.source()
                        + " (revoked at " + status.revokedAt() + ", reason " + status.reason() + ")";
                PinningTrustManager.emitFailure(events, profile, host, ReasonCode.REVOKED, msg);
                throw new CertificateException(msg);
            }
            if (status != null) {
                continue;
            }
            boolean noInformation = problems.isEmpty();
            String why = noInformation
                    ? "it names no http OCSP responder and no http CRL distribution point, and no OCSP response was"
                    + " stapled" : String.join("; ", problems);
            String msg = "[" + ReasonCode.REVOCATION_UNKNOWN.code() + "] TLS profile '" + profile + "', host " + host
                    + ": the revocation status of certificate " + describe(cert) + " cannot be determined: " + why;
            if (policy.mode() == RevocationPolicy.Mode.HARD_FAIL) {
                PinningTrustManager.emitFailure(events, profile, host, ReasonCode.REVOCATION_UNKNOWN, msg);
                throw new CertificateException(msg);
            }
            if (!noInformation) {
                send(SecurityEvent.of(SecurityEventType.REVOCATION_UNKNOWN, Outcome.WARNING)
                        .source(PinningTrustManager.SOURCE).connection(host).detail("host", String.valueOf(host))
                        .detail("profile", profile).detail("subject", cert.getSubjectX500Principal().getName())
                        .detail("serial", hex(cert)).detail("reason", ReasonCode.REVOCATION_UNKNOWN.code())
                        .detail("mode", "soft-fail").detail("message", msg).build());
            }
        }
    }

    /** A definitive status, or null with {@code problems} telling why not (empty: no source to ask). */
    RevocationStatus status(X509Certificate cert, X509Certificate issuer, byte[] staple, List<String> problems) {
        Instant now = clock.instant();
        if (staple != null && staple.length > 0) {
            RevocationStatus s = OcspVerifier.verify(staple, cert, issuer, now, "stapled OCSP");
            if (s.definitive()) {
                remember(cert, issuer, s, now);
                return s;
            }
            problems.add(s.toString());
        }
        RevocationStatus cached = cache.status(issuer, cert.getSerialNumber(), now);
        if (cached != null) {
            return cached;
        }
        for (RevocationPolicy.Source source : policy.sources()) {
            if (source == RevocationPolicy.Source.OCSP) {
                List<URI> urls = policy.ocspResponder().map(List::of).orElseGet(() -> ocspUrls(cert));
                for (URI url : urls) {
                    RevocationStatus s = ocsp(url, cert, issuer);
                    if (s.definitive()) {
                        remember(cert, issuer, s, clock.instant());
                        return s;
                    }
                    problems.add(s.toString());
                }
            } else {
                for (URI url : crlUrls(cert)) {
                    RevocationStatus s = crl(url, cert, issuer);
                    if (s.definitive()) {
                        remember(cert, issuer, s, clock.instant());
                        return s;
                    }
                    problems.add(s.toString());
                }
            }
        }
        return null;
    }

    private void remember(X509Certificate cert, X509Certificate issuer, RevocationStatus s, Instant now) {
        Instant expires = now.plus(policy.cacheTtl());
        if (s.validUntil() != null && s.validUntil().isBefore(expires)) {
            expires = s.validUntil();
        }
        cache.putStatus(issuer, cert.getSerialNumber(), s, expires, now);
    }

    private RevocationStatus ocsp(URI url, X509Certificate cert, X509Certificate issuer) {
        String source = "OCSP at " + display(url);
        byte[] response;
        try {
            response = http(url, OcspVerifier.request(cert, issuer), MAX_OCSP_BYTES);
        } catch (IOException e) {
            return RevocationStatus.unknown(source, describe(e));
        }
        return OcspVerifier.verify(response, cert, issuer, clock.instant(), source);
    }

    private RevocationStatus crl(URI url, X509Certificate cert, X509Certificate issuer) {
        String source = "CRL at " + display(url);
        Instant now = clock.instant();
        X509CRL crl = cache.crl(url.toString(), issuer, now);
        if (crl == null) {
            byte[] der;
            try {
                der = http(url, null, MAX_CRL_BYTES);
            } catch (IOException e) {
                return RevocationStatus.unknown(source, describe(e));
            }
            try {
                crl = (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(new ByteArrayInputStream(der));
            } catch (CRLException | CertificateException | RuntimeException e) {
                return RevocationStatus.unknown(source, "malformed CRL (" + e.getClass().getSimpleName() + ")");
            }
            if (!crl.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                return RevocationStatus.unknown(source, "CRL issued by " + crl.getIssuerX500Principal().getName()
                        + ", not by the certificate's issuer (indirect CRLs are not supported)");
            }
            try {
                crl.verify(issuer.getPublicKey());
            } catch (GeneralSecurityException | RuntimeException e) {
                return RevocationStatus.unknown(source, "CRL signature does not verify with the issuer's key");
            }
            now = clock.instant();
            if (crl.getThisUpdate().toInstant().isAfter(now.plus(OcspVerifier.SKEW))) {
                return RevocationStatus.unknown(source, "CRL thisUpdate " + crl.getThisUpdate().toInstant()
                        + " is in the future");
            }
            if (crl.getNextUpdate() != null
                    && crl.getNextUpdate().toInstant().isBefore(now.minus(OcspVerifier.SKEW))) {
                return RevocationStatus.unknown(source, "stale CRL: nextUpdate " + crl.getNextUpdate().toInstant()
                        + " has passed");
            }
            Instant expires = now.plus(policy.cacheTtl());
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(expires)) {
                expires = crl.getNextUpdate().toInstant();
            }
            cache.putCrl(url.toString(), issuer, crl, expires, now);
        }
        Instant nextUpdate = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
        X509CRLEntry entry = crl.getRevokedCertificate(cert.getSerialNumber());
        if (entry != null) {
            return RevocationStatus.revoked(source, entry.getRevocationDate().toInstant(),
                    RevocationStatus.reasonName(entry.getRevocationReason()), nextUpdate);
        }
        return RevocationStatus.good(source, nextUpdate);
    }

    /** POST {@code body} as an OCSP request (or GET when null) with the policy's timeout and a size cap. */
    private byte[] http(URI url, byte[] body, int cap) throws IOException {
        long timeout = policy.timeout().toMillis();
        long deadline = System.nanoTime() + Duration.ofMillis(timeout).toNanos();
        URL u = url.toURL();
        HttpURLConnection c = (HttpURLConnection) u.openConnection();
        try {
            c.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeout));
            c.setReadTimeout((int) Math.min(Integer.MAX_VALUE, timeout));
            c.setUseCaches(false);
            c.setInstanceFollowRedirects(body == null);
            if (body != null) {
                c.setRequestMethod("POST");
                c.setDoOutput(true);
                c.setRequestProperty("Content-Type", "application/ocsp-request");
                c.setRequestProperty("Accept", "application/ocsp-response");
                c.setFixedLengthStreamingMode(body.length);
                try (OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            int code = c.getResponseCode();
            if (code != HttpURLConnection.HTTP_OK) {
                throw new IOException("HTTP status " + code);
            }
            long length = c.getContentLengthLong();
            if (length > cap) {
                throw new IOException("response of " + length + " bytes is over the limit of " + cap);
            }
            try (InputStream in = c.getInputStream()) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                byte[] buf = new byte[16384];
                for (int n; (n = in.read(buf)) > 0; ) {
                    if (out.size() + n > cap) {
                        throw new IOException("response over the limit of " + cap + " bytes");
                    }
                    if (System.nanoTime() > deadline) {
                        throw new IOException("timed out after " + timeout + " ms");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            }
        } finally {
            c.disconnect();
        }
    }

    /** The http OCSP URLs of the certificate's Authority Information Access extension. */
    static List<URI> ocspUrls(X509Certificate cert) {
        List<URI> out = new ArrayList<>();
        byte[] ext = cert.getExtensionValue(Extension.authorityInfoAccess.getId());
        if (ext == null) {
            return out;
        }
        try {
            AuthorityInformationAccess aia = AuthorityInformationAccess.getInstance(
                    JcaX509ExtensionUtils.parseExtensionValue(ext));
            for (AccessDescription d : aia.getAccessDescriptions()) {
                if (AccessDescription.id_ad_ocsp.equals(d.getAccessMethod())) {
                    addHttp(out, d.getAccessLocation());
                }
            }
        } catch (IOException | RuntimeException e) {
            // a malformed extension names no usable URL
        }
        return out;
    }

    /** The http URLs of the certificate's CRL distribution points (full names only). */
    static List<URI> crlUrls(X509Certificate cert) {
        List<URI> out = new ArrayList<>();
        byte[] ext = cert.getExtensionValue(Extension.cRLDistributionPoints.getId());
        if (ext == null) {
            return out;
        }
        try {
            CRLDistPoint cdp = CRLDistPoint.getInstance(JcaX509ExtensionUtils.parseExtensionValue(ext));
            for (DistributionPoint dp : cdp.getDistributionPoints()) {
                DistributionPointName name = dp.getDistributionPoint();
                if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                    for (GeneralName g : GeneralNames.getInstance(name.getName()).getNames()) {
                        addHttp(out, g);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // a malformed extension names no usable URL
        }
        return out;
    }

    private static void addHttp(List<URI> out, GeneralName name) {
        if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
            return;
        }
        String text = ASN1IA5String.getInstance(name.getName()).getString();
        try {
            URI uri = new URI(text.trim());
            if ("http".equalsIgnoreCase(uri.getScheme()) && uri.getHost() != null && !out.contains(uri)) {
                out.add(uri);
            }
        } catch (java.net.URISyntaxException e) {
            // not a URL
        }
    }

    /** {@code url} without user information, which could hold a password and never goes into a message. */
    static String display(URI url) {
        if (url.getRawUserInfo() == null) {
            return url.toString();
        }
        try {
            return new URI(url.getScheme(), null, url.getHost(), url.getPort(), url.getPath(), url.getQuery(), null)
                    .toString();
        } catch (java.net.URISyntaxException e) {
            return url.getScheme() + "://" + url.getHost();
        }
    }

    private static String describe(IOException e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null || m.isBlank() ? "" : ": " + m);
    }

    static String hex(X509Certificate cert) {
        return cert.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
    }

    static String describe(X509Certificate cert) {
        return "'" + cert.getSubjectX500Principal().getName() + "' (serial " + hex(cert) + ")";
    }

    private void send(SecurityEvent event) {
        try {
            events.emit(event);
        } catch (RuntimeException e) {
            // a failing sink never changes the outcome of a handshake
        }
    }
}
