package dev.stdb.secure.tls;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.tls.internal.ClientKeyManager;
import dev.stdb.secure.tls.internal.ClientKeys;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.tls.internal.JsseProviders;
import dev.stdb.secure.tls.internal.LoggingEventSink;
import dev.stdb.secure.tls.internal.PinningTrustManager;
import dev.stdb.secure.tls.internal.ValidatedPaths;
import dev.stdb.secure.tls.internal.RevocationCache;
import dev.stdb.secure.tls.internal.RevocationChecker;
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
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.net.ssl.KeyManager;
import javax.net.ssl.X509KeyManager;
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
 *
 * <p>Revocation is checked as its {@link RevocationPolicy} says (default {@link RevocationPolicy#softFail()}). The
 * profile owns one revocation cache that every context it makes shares, so a result found for one connection serves
 * the next ones until it expires.
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
    private final Path clientPkcs12;
    private final char[] clientPkcs12Password;
    private final Path clientPemKey;
    private final Path clientPemChain;
    private final char[] clientPemKeyPassword;
    private final KeyService clientKeyService;
    private final String clientKeyAlias;
    private final Map<String, String> clientAliases;
    private final RevocationPolicy revocation;
    private final RevocationCache revocationCache;
    private final ValidatedPaths validatedPaths = new ValidatedPaths();
    private final java.security.Provider jsseProvider;

    private TlsProfile(Builder b) {
        this.jsseProvider = b.jsseProvider;
        this.clientPkcs12 = b.clientPkcs12;
        this.clientPkcs12Password = b.clientPkcs12Password == null ? null : b.clientPkcs12Password.clone();
        this.clientPemKey = b.clientPemKey;
        this.clientPemChain = b.clientPemChain;
        this.clientPemKeyPassword = b.clientPemKeyPassword == null ? null : b.clientPemKeyPassword.clone();
        this.clientKeyService = b.clientKeyService;
        this.clientKeyAlias = b.clientKeyAlias;
        this.clientAliases = Collections.unmodifiableMap(new LinkedHashMap<>(b.clientAliases));
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
        this.revocation = b.revocation;
        this.revocationCache = b.revocationCacheOf != null ? b.revocationCacheOf.revocationCache
                : new RevocationCache();
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

    public RevocationPolicy revocation() {
        return revocation;
    }

    /** The context for {@code target}; events go to the profile's own sink, or are logged when it has none. */
    @Override
    public TlsContext contextFor(URI target) throws TlsException {
        return contextFor(target, null);
    }

    /**
     * The context for {@code target}; handshake events go to {@code connectionEvents} (the connection's router) and
     * to the profile's own sink when one was set, and are logged only when neither exists.
     */
    @Override
    public TlsContext contextFor(URI target, SecurityEventSink connectionEvents) throws TlsException {
        Objects.requireNonNull(target, "target");
        SecurityEventSink events = eventsFor(connectionEvents);
        Set<X509Certificate> anchors = loadAnchors();
        KeyManager[] keyManagers = clientKeyManager();
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
            RevocationChecker revocationChecker = new RevocationChecker(revocation, revocationCache, clock, events,
                    name);
            PinningTrustManager tm = new PinningTrustManager(delegate, trustAnchors, pins, pinExpiryWarningDays,
                    clock, events, name, revocationChecker, validatedPaths);
            SSLContext ctx = JsseProviders.context(jsseProvider);
            ctx.init(keyManagers, new TrustManager[] {tm}, null);
            return new TlsContext(ctx, policy.parameters(ctx));
        } catch (IOException | GeneralSecurityException e) {
            throw new TlsException(ReasonCode.UNTRUSTED_CHAIN, "TLS profile '" + name
                    + "': cannot set up the trust manager: " + e.getMessage(), e);
        }
    }

    private SecurityEventSink eventsFor(SecurityEventSink connectionEvents) {
        SecurityEventSink own = this.events;
        if (connectionEvents == null) {
            return own != null ? own : LOGGED;
        }
        if (own == null) {
            return connectionEvents;
        }
        return event -> {
            try {
                own.emit(event);
            } finally {
                connectionEvents.emit(event);
            }
        };
    }

    private static final SecurityEventSink LOGGED = new LoggingEventSink();

    /** The client key manager, or null when the profile presents no client certificate. */
    private KeyManager[] clientKeyManager() throws TlsException {
        X509KeyManager source;
        if (clientPkcs12 != null) {
            source = ClientKeys.pkcs12(name, clientPkcs12, clientPkcs12Password);
        } else if (clientPemKey != null) {
            source = ClientKeys.pem(name, clientPemKey, clientPemChain, clientPemKeyPassword);
        } else if (clientKeyService != null) {
            Map<String, X509KeyManager> byAlias = new LinkedHashMap<>();
            Set<String> wanted = new LinkedHashSet<>(clientAliases.values());
            if (clientKeyAlias != null) {
                wanted.add(clientKeyAlias);
            }
            if (wanted.isEmpty()) {
                throw new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + name
                        + "': a KeyService is set but no client.key.alias or client.aliases");
            }
            for (String alias : wanted) {
                Optional<X509KeyManager> km;
                try {
                    km = clientKeyService.keyManager(alias);
                } catch (CredentialStoreException e) {
                    throw new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + name
                            + "': KeyService '" + clientKeyService.id() + "' failed for alias '" + alias + "' ("
                            + e.getClass().getSimpleName() + ")");
                }
                if (km.isEmpty()) {
                    throw new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + name
                            + "': KeyService '" + clientKeyService.id() + "' has no key alias '" + alias + "'");
                }
                byAlias.put(alias, km.get());
            }
            source = ClientKeys.perAlias(byAlias);
        } else {
            return null;
        }
        String defaultAlias = clientKeyAlias;
        if (defaultAlias == null) {
            for (String type : new String[] {"EC", "RSA", "RSASSA-PSS", "EdDSA", "Ed25519"}) {
                String[] aliases = source.getClientAliases(type, null);
                if (aliases != null && aliases.length > 0) {
                    defaultAlias = aliases[0];
                    break;
                }
            }
        }
        Set<String> used = new LinkedHashSet<>(clientAliases.values());
        if (clientAliases.isEmpty() && defaultAlias != null) {
            used.add(defaultAlias);
        }
        for (String alias : used) {
            X509Certificate[] chain = source.getCertificateChain(alias);
            if (chain == null || chain.length == 0 || source.getPrivateKey(alias) == null) {
                throw new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + name
                        + "': no client key and certificate with alias '" + alias + "'");
            }
        }
        List<Map.Entry<Function<String, Boolean>, String>> rules = new ArrayList<>();
        for (Map.Entry<String, String> e : clientAliases.entrySet()) {
            String pattern = e.getKey();
            rules.add(new AbstractMap.SimpleImmutableEntry<>(host -> hostMatches(pattern, host), e.getValue()));
        }
        return new KeyManager[] {new ClientKeyManager(source, rules, defaultAlias)};
    }

    private static final String PLACEHOLDER_PIN_A = PinSet.SPKI + "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final String PLACEHOLDER_PIN_B = PinSet.SPKI + "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

    /** The host pattern rules of {@link PinSet#matches(String)}: exact, or {@code *.domain} for one label. */
    static boolean hostMatches(String pattern, String host) {
        return PinSet.of(pattern, PLACEHOLDER_PIN_A, PLACEHOLDER_PIN_B).matches(host);
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
                + policy.protocols() + (jsseProvider == null ? "" : ", " + jsseProvider.getName()) + ", "
                + revocation + "]";
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
        private Path clientPkcs12;
        private char[] clientPkcs12Password;
        private Path clientPemKey;
        private Path clientPemChain;
        private char[] clientPemKeyPassword;
        private KeyService clientKeyService;
        private String clientKeyAlias;
        private final Map<String, String> clientAliases = new LinkedHashMap<>();
        private RevocationPolicy revocation = RevocationPolicy.softFail();
        private TlsProfile revocationCacheOf;
        private java.security.Provider jsseProvider;

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

        /** How revocation is checked (default {@link RevocationPolicy#softFail()}). */
        public Builder revocation(RevocationPolicy revocation) {
            this.revocation = Objects.requireNonNull(revocation, "revocation");
            return this;
        }

        /**
         * Shares the revocation cache of {@code other} instead of starting an empty one: for a profile rebuilt from
         * the same configuration (a new client key source, say), so cached results survive the rebuild. Cached
         * results are facts about certificates (verified against their issuer's key), not about a profile.
         */
        public Builder revocationCacheOf(TlsProfile other) {
            this.revocationCacheOf = Objects.requireNonNull(other, "other");
            return this;
        }

        /**
         * Where pin and handshake events go besides the connection's own sink; with neither, they are logged through
         * {@link System.Logger}.
         */
        public Builder events(SecurityEventSink events) {
            this.events = events;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Client certificate (mTLS) from the key entries of a PKCS#12 file. */
        public Builder clientPkcs12(Path file, char[] password) {
            this.clientPkcs12 = Objects.requireNonNull(file, "file");
            this.clientPkcs12Password = password == null ? null : password.clone();
            return this;
        }

        /** Client certificate from a PKCS#8 PEM key (encrypted when {@code keyPassword} is set) and a PEM chain. */
        public Builder clientPem(Path key, Path chain, char[] keyPassword) {
            this.clientPemKey = Objects.requireNonNull(key, "key");
            this.clientPemChain = Objects.requireNonNull(chain, "chain");
            this.clientPemKeyPassword = keyPassword == null ? null : keyPassword.clone();
            return this;
        }

        /** Client certificate held by a {@link KeyService} (an HSM, for example) under {@code alias}. */
        public Builder clientKeyService(KeyService service, String alias) {
            this.clientKeyService = Objects.requireNonNull(service, "service");
            this.clientKeyAlias = alias == null || alias.isBlank() ? null : alias.trim();
            return this;
        }

        /** The alias presented when no {@link #clientAlias} rule is set (default: the source's first key). */
        public Builder clientKeyAlias(String alias) {
            this.clientKeyAlias = alias == null || alias.isBlank() ? null : alias.trim();
            return this;
        }

        /**
         * Presents {@code alias} to hosts matching {@code hostPattern} (the {@link PinSet} pattern rules). Once a rule
         * is set, hosts that match no rule get no client certificate.
         */
        public Builder clientAlias(String hostPattern, String alias) {
            hostMatches(hostPattern, "probe");
            clientAliases.put(hostPattern.trim(), Objects.requireNonNull(alias, "alias").trim());
            return this;
        }

        /**
         * The JSSE implementation for the handshake: {@code jdk} (default) or {@code BCJSSE} for Bouncy Castle's
         * (needs {@code bctls} on the class path or installed as a bundle), or any installed provider's name.
         *
         * @throws dev.stdb.secure.api.ConfigurationException if the provider cannot be found
         */
        public Builder jsseProvider(String name) {
            this.jsseProvider = JsseProviders.resolve(name);
            return this;
        }

        public TlsProfile build() {
            int sources = (clientPkcs12 != null ? 1 : 0) + (clientPemKey != null ? 1 : 0)
                    + (clientKeyService != null ? 1 : 0);
            if (sources > 1) {
                throw new IllegalArgumentException("TLS profile '" + name
                        + "': choose one client certificate source (PKCS#12, PEM or KeyService)");
            }
            return new TlsProfile(this);
        }
    }
}
