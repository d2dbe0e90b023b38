package dev.stdb.secure.tls;

import dev.stdb.secure.api.ConfigurationException;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * Which TLS versions and cipher suites a profile allows. Versions default to TLS 1.3 and TLS 1.2; nothing older can
 * be configured. Cipher suites default to the JDK's enabled set; an allow-list narrows it.
 *
 * <p>Weak suites are refused even when configured: {@code NULL}, {@code anon}, {@code EXPORT}, {@code RC4},
 * {@code DES}/{@code 3DES}, {@code MD5} and CBC with SHA-1 MACs ({@code *_CBC_SHA}). A bad policy is an operator
 * error found when the profile is configured, not a handshake failure, so it is reported as a
 * {@link ConfigurationException} (reason {@code config.invalid}) whose message names the property and the refused
 * values; {@code tls.weak_cipher} stays for what a peer negotiates.
 *
 * @param protocols    allowed TLS versions, in preference order
 * @param cipherSuites allowed suites in preference order; empty means the JDK's enabled suites minus weak ones
 */
public record TlsPolicy(List<String> protocols, List<String> cipherSuites) {

    /** The versions a profile may allow. */
    public static final Set<String> SUPPORTED_PROTOCOLS = Set.of("TLSv1.3", "TLSv1.2");

    private static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    public TlsPolicy {
        protocols = protocols == null ? List.of() : clean(protocols);
        if (protocols.isEmpty()) {
            protocols = DEFAULT_PROTOCOLS;
        }
        for (String p : protocols) {
            if (!SUPPORTED_PROTOCOLS.contains(p)) {
                throw new ConfigurationException("protocols: '" + p + "' is not allowed; use TLSv1.3 and/or TLSv1.2");
            }
        }
        cipherSuites = cipherSuites == null ? List.of() : clean(cipherSuites);
        List<String> weak = new ArrayList<>();
        for (String s : cipherSuites) {
            if (isWeak(s)) {
                weak.add(s);
            }
        }
        if (!weak.isEmpty()) {
            throw new ConfigurationException("cipher.suites: weak cipher suite(s) refused even when configured: "
                    + weak + " (NULL, anon, EXPORT, RC4, DES/3DES, MD5 and CBC-SHA1 suites are never allowed)");
        }
        if (!cipherSuites.isEmpty()) {
            Set<String> supported = Set.of(jdkSupportedSuites());
            List<String> unknown = new ArrayList<>();
            for (String s : cipherSuites) {
                if (!supported.contains(s)) {
                    unknown.add(s);
                }
            }
            if (!unknown.isEmpty()) {
                throw new ConfigurationException("cipher.suites: unknown to this JDK: " + unknown);
            }
        }
    }

    /** TLS 1.3 and 1.2 with the JDK's enabled, non-weak suites. */
    public static TlsPolicy defaults() {
        return new TlsPolicy(List.of(), List.of());
    }

    /** True for a suite this policy never allows. */
    public static boolean isWeak(String suite) {
        String s = suite.toUpperCase(Locale.ROOT);
        return s.contains("_NULL_") || s.endsWith("_NULL") || s.contains("_ANON_") || s.contains("EXPORT")
                || s.contains("_RC4_") || s.contains("_DES_") || s.contains("DES40") || s.contains("3DES")
                || s.contains("_DES_EDE_") || s.endsWith("_MD5") || s.endsWith("_CBC_SHA")
                || s.equals("TLS_EMPTY_RENEGOTIATION_INFO_SCSV") || s.startsWith("SSL_");
    }

    /** Parameters with this policy's versions and suites and endpoint identification {@code HTTPS}. */
    public SSLParameters parameters(SSLContext context) {
        SSLParameters p = new SSLParameters();
        p.setProtocols(protocols.toArray(String[]::new));
        List<String> suites = cipherSuites;
        if (suites.isEmpty()) {
            suites = new ArrayList<>();
            for (String s : context.getDefaultSSLParameters().getCipherSuites()) {
                if (!isWeak(s)) {
                    suites.add(s);
                }
            }
        }
        p.setCipherSuites(suites.toArray(String[]::new));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        p.setUseCipherSuitesOrder(true);
        return p;
    }

    private static List<String> clean(List<String> values) {
        Set<String> out = new LinkedHashSet<>();
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                out.add(v.trim());
            }
        }
        return List.copyOf(out);
    }

    private static String[] jdkSupportedSuites() {
        try {
            return SSLContext.getDefault().getSupportedSSLParameters().getCipherSuites();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSLContext", e);
        }
    }
}
