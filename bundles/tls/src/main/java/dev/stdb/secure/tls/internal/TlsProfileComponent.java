package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.tls.TlsContext;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.tls.PinSet;
import dev.stdb.secure.tls.RevocationPolicy;
import dev.stdb.secure.tls.TlsPolicy;
import dev.stdb.secure.tls.TlsProfile;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link TlsContextProvider} per factory configuration {@code dev.stdb.secure.tls~<name>}. The configuration's
 * {@code tls.profile} becomes the service property connections select on. A configuration error (one-pin set, weak
 * suite, old protocol, missing password variable) fails activation with a {@link ConfigurationException} naming the
 * property; unreadable anchor files surface later, from {@link #contextFor(URI)}, as a {@link TlsException}.
 *
 * <p>Handshake events go to the sink of the connection that asked for the context
 * ({@link #contextFor(URI, SecurityEventSink)}), so they reach its audit sinks; without one they are logged.
 */
@Designate(ocd = TlsProfileConfig.class, factory = true)
@Component(configurationPid = TlsProfileComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = TlsContextProvider.class, property = TlsContextProvider.PROFILE + "=default")
public final class TlsProfileComponent implements TlsContextProvider {

    public static final String PID = "dev.stdb.secure.tls";

    private final TlsProfile profile;
    private final TlsProfileConfig config;
    private final Function<String, String> env;
    private final SecurityEventSink events;

    /** The KeyService holding the client key, selected by {@code key.service.target}; may come and go. */
    @Reference(name = "key.service", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile KeyService keyService;

    @Activate
    public TlsProfileComponent(TlsProfileConfig config) {
        this(config, System::getenv, null);
    }

    /** For tests: the environment and the event sink are injected. */
    TlsProfileComponent(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events) {
        this.config = config;
        this.env = env;
        this.events = events;
        this.profile = build(config, env, events, null);
    }

    /** True when the client key comes from a KeyService: an alias is configured but no PKCS#12 or PEM file. */
    static boolean usesKeyService(TlsProfileConfig config) {
        return config.client_pkcs12().isBlank() && config.client_pem_key().isBlank()
                && (!config.client_key_alias().isBlank() || !split(config.client_aliases(), ";").isEmpty());
    }

    private static char[] password(Function<String, String> env, String property, String var) {
        if (var.isBlank()) {
            return null;
        }
        String value = env.apply(var.trim());
        if (value == null) {
            throw new ConfigurationException(property + ": environment variable '" + var.trim() + "' is not set");
        }
        return value.toCharArray();
    }

    static TlsProfile build(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events) {
        return build(config, env, events, null);
    }

    static TlsProfile build(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events,
            KeyService keyService) {
        return build(config, env, events, keyService, null);
    }

    /** With {@code cacheOf} set, the new profile shares its revocation cache (the KeyService path rebuilds). */
    static TlsProfile build(TlsProfileConfig config, Function<String, String> env, SecurityEventSink events,
            KeyService keyService, TlsProfile cacheOf) {
        TlsProfile.Builder b = TlsProfile.builder(config.tls_profile()).trustSystem(config.trust_system())
                .pinExpiryWarningDays(config.pin_expiry_warning_days()).events(events);
        if (cacheOf != null) {
            b.revocationCacheOf(cacheOf);
        }
        if (!config.trust_pem().isBlank()) {
            b.trustPem(Path.of(config.trust_pem().trim()));
        }
        if (!config.trust_keystore().isBlank()) {
            char[] password = null;
            String var = config.trust_keystore_password_env();
            if (!var.isBlank()) {
                String value = env.apply(var.trim());
                if (value == null) {
                    throw new ConfigurationException("trust.keystore.password.env: environment variable '"
                            + var.trim() + "' is not set");
                }
                password = value.toCharArray();
            }
            b.trustKeyStore(Path.of(config.trust_keystore().trim()), config.trust_keystore_type(), password);
        }
        List<PinSet> pins = new ArrayList<>();
        for (String spec : split(config.pins(), ";")) {
            pins.add(PinSet.parse(spec));
        }
        b.pins(pins);
        b.policy(new TlsPolicy(split(config.protocols(), ","), split(config.cipher_suites(), ",")));
        b.revocation(revocation(config));
        b.jsseProvider(config.jsse_provider());
        if (!config.client_pkcs12().isBlank()) {
            b.clientPkcs12(Path.of(config.client_pkcs12().trim()),
                    password(env, "client.pkcs12.password.env", config.client_pkcs12_password_env()));
        } else if (!config.client_pem_key().isBlank()) {
            if (config.client_pem_chain().isBlank()) {
                throw new ConfigurationException("client.pem.chain: required with client.pem.key");
            }
            b.clientPem(Path.of(config.client_pem_key().trim()), Path.of(config.client_pem_chain().trim()),
                    password(env, "client.pem.key.password.env", config.client_pem_key_password_env()));
        } else if (keyService != null && usesKeyService(config)) {
            b.clientKeyService(keyService, config.client_key_alias());
        }
        if (!config.client_key_alias().isBlank()) {
            b.clientKeyAlias(config.client_key_alias());
        }
        for (String entry : split(config.client_aliases(), ";")) {
            int bar = entry.indexOf('|');
            if (bar <= 0 || bar == entry.length() - 1) {
                throw new ConfigurationException("client.aliases: '" + entry + "' is not host-pattern|alias");
            }
            b.clientAlias(entry.substring(0, bar).trim(), entry.substring(bar + 1).trim());
        }
        return b.build();
    }

    /** The {@code revocation.*} properties; a bad value is a {@link ConfigurationException} naming its property. */
    static RevocationPolicy revocation(TlsProfileConfig config) {
        RevocationPolicy p;
        try {
            p = RevocationPolicy.softFail().withMode(RevocationPolicy.parseMode(config.revocation_mode()));
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("revocation.mode: " + e.getMessage());
        }
        List<RevocationPolicy.Source> sources = new ArrayList<>();
        for (String s : split(config.revocation_sources(), ",")) {
            switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "ocsp":
                    sources.add(RevocationPolicy.Source.OCSP);
                    break;
                case "crl":
                    sources.add(RevocationPolicy.Source.CRL);
                    break;
                default:
                    throw new ConfigurationException("revocation.sources: '" + s + "' is not ocsp or crl");
            }
        }
        if (sources.isEmpty()) {
            throw new ConfigurationException("revocation.sources: name ocsp and/or crl (or set revocation.mode=off)");
        }
        p = p.withSources(sources).withCheckIntermediates(config.revocation_check_intermediates());
        if (config.revocation_cache_seconds() < 0) {
            throw new ConfigurationException("revocation.cache.seconds: must be 0 or more, got "
                    + config.revocation_cache_seconds());
        }
        p = p.withCacheTtl(Duration.ofSeconds(config.revocation_cache_seconds()));
        if (config.revocation_timeout_millis() <= 0) {
            throw new ConfigurationException("revocation.timeout.millis: must be positive, got "
                    + config.revocation_timeout_millis());
        }
        p = p.withTimeout(Duration.ofMillis(config.revocation_timeout_millis()));
        String responder = config.revocation_ocsp_responder().trim();
        if (!responder.isEmpty()) {
            URI uri;
            try {
                uri = new URI(responder);
            } catch (URISyntaxException e) {
                throw new ConfigurationException("revocation.ocsp.responder: '" + responder + "' is not a URL", e);
            }
            if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new ConfigurationException("revocation.ocsp.responder: '" + responder
                        + "' is not an http URL with a host");
            }
            p = p.withOcspResponder(uri);
        }
        return p;
    }

    /**
     * A Karaf {@code .cfg} file gives one string where a {@code .config} file gives an array: accept both, splitting
     * each value on {@code separator} ({@code ;} between pin sets, {@code ,} between protocols and suites).
     */
    static List<String> split(String[] values, String separator) {
        List<String> out = new ArrayList<>();
        for (String v : values) {
            for (String part : v.split(java.util.regex.Pattern.quote(separator))) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }

    @Override
    public String id() {
        return profile.id();
    }

    @Override
    public TlsContext contextFor(URI target) throws TlsException {
        return contextFor(target, null);
    }

    @Override
    public TlsContext contextFor(URI target, SecurityEventSink connectionEvents) throws TlsException {
        if (usesKeyService(config)) {
            KeyService ks = keyService;
            if (ks == null) {
                throw new TlsException(ReasonCode.CLIENT_CERT_UNAVAILABLE, "TLS profile '" + profile.id()
                        + "': no KeyService bound for client key alias '" + config.client_key_alias() + "'"
                        + (config.key_service_target().isBlank() ? "" : " (key.service.target "
                        + config.key_service_target() + ")"));
            }
            return build(config, env, events, ks, profile).contextFor(target, connectionEvents);
        }
        return profile.contextFor(target, connectionEvents);
    }
}
