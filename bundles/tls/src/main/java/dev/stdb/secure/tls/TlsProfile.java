package dev.stdb.secure.tls;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.tls.internal.LoggingEventSink;
import dev.stdb.secure.tls.internal.PinningTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A named TLS profile: trust anchors from the system store, a PEM bundle and/or a JKS/PKCS12 file, certificate pins
 * and a {@link TlsPolicy}. Usable without OSGi ({@code SpacetimeClient.builder().tls(profile)}); in OSGi the
 * {@code dev.stdb.secure.tls} factory configuration registers one per configuration.
 *
 * <p>{@link #contextFor(URI)} reads the anchors again on every call, so a rotated trust store takes effect on the
 * next connection. It throws {@link TlsException} with reason {@link ReasonCode#UNTRUSTED_CHAIN} when no anchor can
 * be loaded (unreadable file, wrong password, empty store): without anchors no chain can be trusted.
 */
public final class TlsProfile implements TlsContextProvider {

    private final String name;
    private final boolean trustSystem;
    private final Path trustPem;
    private final Path trustKeyStore;
    private final String trustKeyStoreType;
    private final char[] trustKeyStorePassword;
    private final List<PinSet> pins;
    private final int pinExpiryWarningDays;
    private final TlsPolicy policy;
    private final SecurityEventSink events;
    private final Clock clock;

    private TlsProfile(Builder b) {
        this.name = b.name;
        this.trustSystem = b.trustSystem;
        this.trustPem = b.trustPem;
        this.trustKeyStore = b.trustKeyStore;
        this.trustKeyStoreType = b.trustKeyStoreType;
        this.trustKeyStorePassword = b.trustKeyStorePassword == null ? null : b.trustKeyStorePassword.clone();
        this.pins = List.copyOf(b.pins);
        this.pinExpiryWarningDays = b.pinExpiryWarningDays;
        this.policy = b.policy;
        this.events = b.events;
        this.clock = b.clock;
    }

    /** A profile named {@code name}; trusts the system store, pins nothing, default policy, events logged. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String id() {
        return name;
    }

    public List<PinSet> pins() {
        return pins;
    }

    public TlsPolicy policy() {
        return policy;
    }

    @Override
    public TlsContext contextFor(URI target) throws TlsException {
        Objects.requireNonNull(target, "target");
        Set<X509Certificate> anchors = loadAnchors();
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            Set<TrustAnchor> trustAnchors = new LinkedHashSet<>();
            for (X509Certificate c : anchors) {
                store.setCertificateEntry("anchor-" + i++, c);
                trustAnchors.add(new TrustAnchor(c, null));
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(store);
            X509ExtendedTrustManager delegate = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager) {
                    delegate = (X509ExtendedTrustManager) tm;
                }
            }
            if (delegate == null) {
                throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                        + "': the JDK has no PKIX X509ExtendedTrustManager");
            }
            PinningTrustManager tm = new PinningTrustManager(delegate, trustAnchors, pins, pinExpiryWarningDays,
                    clock, events, name);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[] {tm}, null);
            return new TlsContext(ctx, policy.parameters(ctx));
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                    + "': cannot set up the trust manager: " + e.getMessage(), e);
        }
    }

    private Set<X509Certificate> loadAnchors() throws TlsException {
        Set<X509Certificate> anchors = new LinkedHashSet<>();
        if (trustSystem) {
            try {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init((KeyStore) null);
                for (TrustManager tm : tmf.getTrustManagers()) {
                    if (tm instanceof X509TrustManager) {
                        Collections.addAll(anchors, ((X509TrustManager) tm).getAcceptedIssuers());
                    }
                }
            } catch (GeneralSecurityException e) {
                throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                        + "': cannot read the system trust store (trust.system): " + e.getMessage(), e);
            }
        }
        if (trustPem != null) {
            try (InputStream in = Files.newInputStream(trustPem)) {
                int before = anchors.size();
                for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                    anchors.add((X509Certificate) c);
                }
                if (anchors.size() == before) {
                    throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name + "': trust.pem "
                            + trustPem + " holds no certificate");
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                        + "': cannot read trust.pem " + trustPem + ": " + e, e);
            }
        }
        if (trustKeyStore != null) {
            try (InputStream in = Files.newInputStream(trustKeyStore)) {
                KeyStore ks = KeyStore.getInstance(trustKeyStoreType);
                ks.load(in, trustKeyStorePassword);
                int before = anchors.size();
                for (String alias : Collections.list(ks.aliases())) {
                    Certificate c = ks.getCertificate(alias);
                    if (c instanceof X509Certificate && ks.isCertificateEntry(alias)) {
                        anchors.add((X509Certificate) c);
                    }
                }
                if (anchors.size() == before) {
                    throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                            + "': trust.keystore " + trustKeyStore + " holds no trusted certificate entry");
                }
            } catch (IOException | GeneralSecurityException e) {
                throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                        + "': cannot read trust.keystore " + trustKeyStore + " (type " + trustKeyStoreType + "): "
                        + e, e);
            }
        }
        if (anchors.isEmpty()) {
            throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                    + "' has no trust anchors: set trust.system=true, trust.pem or trust.keystore");
        }
        return anchors;
    }

    @Override
    public String toString() {
        return "TlsProfile[" + name + ", pins for " + pins.stream().map(PinSet::hostPattern).toList() + ", "
                + policy.protocols() + "]";
    }

    /** Collects a {@link TlsProfile}. */
    public static final class Builder {
        private final String name;
        private boolean trustSystem = true;
        private Path trustPem;
        private Path trustKeyStore;
        private String trustKeyStoreType = "PKCS12";
        private char[] trustKeyStorePassword;
        private final List<PinSet> pins = new ArrayList<>();
        private int pinExpiryWarningDays = 30;
        private TlsPolicy policy = TlsPolicy.defaults();
        private SecurityEventSink events;
        private Clock clock = Clock.systemUTC();

        private Builder(String name) {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("a TLS profile needs a name");
            }
            this.name = name;
        }

        /** Trust the JDK's system store (default true). */
        public Builder trustSystem(boolean trust) {
            this.trustSystem = trust;
            return this;
        }

        /** Also trust the certificates of a PEM bundle. */
        public Builder trustPem(Path pem) {
            this.trustPem = pem;
            return this;
        }

        /** Also trust the certificate entries of a JKS or PKCS12 file. */
        public Builder trustKeyStore(Path file, String type, char[] password) {
            this.trustKeyStore = file;
            this.trustKeyStoreType = type == null || type.isBlank() ? "PKCS12" : type.trim().toUpperCase(Locale.ROOT);
            this.trustKeyStorePassword = password == null ? null : password.clone();
            return this;
        }

        public Builder pins(PinSet... sets) {
            for (PinSet s : sets) {
                pins.add(Objects.requireNonNull(s, "pin set"));
            }
            return this;
        }

        public Builder pins(List<PinSet> sets) {
            sets.forEach(this::pins);
            return this;
        }

        /** PIN_EXPIRING is reported this many days before a pin set expires (default 30). */
        public Builder pinExpiryWarningDays(int days) {
            if (days < 0) {
                throw new IllegalArgumentException("pin.expiry.warning.days is negative: " + days);
            }
            this.pinExpiryWarningDays = days;
            return this;
        }

        public Builder policy(TlsPolicy policy) {
            this.policy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where pin and handshake events go; by default they are logged through {@link System.Logger}. */
        public Builder events(SecurityEventSink events) {
            this.events = events;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        public TlsProfile build() {
            if (events == null) {
                events = new LoggingEventSink();
            }
            return new TlsProfile(this);
        }
    }
}
