package dev.stdb.secure.auth.jwt.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.ForwardingAuthProvider;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.auth.jwt.JwtProvider;
import dev.stdb.secure.auth.jwt.JwtValidator;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link JwtProvider} per factory configuration {@code dev.stdb.secure.auth.jwt~<name>}, registered as an
 * {@link AuthProvider} whose {@code provider.id} service property is the configuration's. A configuration error
 * fails activation with a {@link ConfigurationException} naming the property (never a token). Nothing is fetched
 * or read at activation: the token source and the issuer's keys are read at the first acquire.
 */
@Designate(ocd = JwtProviderConfig.class, factory = true)
@Component(configurationPid = JwtProviderComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AuthProvider.class)
public final class JwtProviderComponent extends ForwardingAuthProvider {

    public static final String PID = "dev.stdb.secure.auth.jwt";

    private final JwtProvider provider;

    /** The store holding {@code token.store.key}, selected by {@code store.target}; may come and go. */
    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CredentialStore store;

    @Activate
    public JwtProviderComponent(JwtProviderConfig config) {
        this(config, System::getenv);
    }

    /** For tests: the environment is injected. */
    JwtProviderComponent(JwtProviderConfig config, Function<String, String> env) {
        this.provider = build(config, env, () -> store);
    }

    static JwtProvider build(JwtProviderConfig config, Function<String, String> env,
            java.util.function.Supplier<CredentialStore> store) {
        String id = trim(config.provider_id());
        if (id.isEmpty()) {
            throw new ConfigurationException("provider.id: required");
        }
        JwtValidator.Builder v = JwtValidator.builder().issuer(trim(config.issuer()))
                .audiences(split(config.audience()));
        String jwks = trim(config.jwks_uri());
        if (!jwks.isEmpty()) {
            try {
                v.jwksUri(new URI(jwks));
            } catch (java.net.URISyntaxException e) {
                throw new ConfigurationException("jwks.uri: '" + jwks + "' is not a URL");
            }
        }
        List<String> algorithms = split(config.algorithms());
        if (config.algorithms() != null) {
            v.algorithms(algorithms.toArray(new String[0]));
        }
        v.requiredClaims(split(config.required_claims()).toArray(new String[0]));
        v.clockSkew(seconds("clock.skew.seconds", config.clock_skew_seconds()));
        v.jwksRefetchMinInterval(seconds("jwks.refetch.min.interval.seconds",
                config.jwks_refetch_min_interval_seconds()));
        JwtProvider.Builder p = JwtProvider.builder().id(id).validator(v.build()).environment(env)
                .expiryWarning(seconds("expiry.warning.seconds", config.expiry_warning_seconds()));
        String file = trim(config.token_file());
        String var = trim(config.token_env());
        String key = trim(config.token_store_key());
        int given = (file.isEmpty() ? 0 : 1) + (var.isEmpty() ? 0 : 1) + (key.isEmpty() ? 0 : 1);
        if (given != 1) {
            throw new ConfigurationException("token.file, token.env, token.store.key: set exactly one ("
                    + given + " set)");
        }
        if (!file.isEmpty()) {
            try {
                p.tokenFile(Path.of(file));
            } catch (InvalidPathException e) {
                throw new ConfigurationException("token.file: '" + file + "' is not a path");
            }
        } else if (!var.isEmpty()) {
            if (!var.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                // Looks like a value pasted where the name belongs: do not echo it.
                throw new ConfigurationException("token.env: must be the NAME of an environment variable"
                        + " ([A-Za-z_][A-Za-z0-9_]*), not its value");
            }
            p.tokenEnv(var);
        } else {
            p.tokenStoreKey(key, store);
        }
        return p.build();
    }

    private static Duration seconds(String property, long value) {
        if (value < 0) {
            throw new ConfigurationException(property + ": must be 0 or more, got " + value);
        }
        return Duration.ofSeconds(value);
    }

    private static String trim(String s) {
        return s == null ? "" : s.trim();
    }

    /** A Karaf {@code .cfg} file gives one comma-separated string where a {@code .config} file gives an array. */
    static List<String> split(String[] values) {
        List<String> out = new ArrayList<>();
        if (values == null) {
            return out;
        }
        for (String v : values) {
            if (v == null) {
                continue;
            }
            for (String part : v.split(",")) {
                if (!part.isBlank()) {
                    out.add(part.trim());
                }
            }
        }
        return out;
    }




    @Deactivate
    void deactivate() {
        provider.close();
    }

    JwtProvider provider() {
        return provider;
    }

    @Override
    protected AuthProvider delegate() {
        return provider;
    }
}
