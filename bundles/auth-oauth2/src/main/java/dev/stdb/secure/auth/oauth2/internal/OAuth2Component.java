package dev.stdb.secure.auth.oauth2.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.ForwardingAuthProvider;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.auth.oauth2.ClientAuth;
import dev.stdb.secure.auth.oauth2.OAuth2Provider;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
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
 * One {@link AuthProvider} per factory configuration {@code dev.stdb.secure.auth.oauth2~<name>}; the configuration's
 * {@code provider.id} becomes the service property connections select on. Configuration errors (no client id, no
 * issuer or token endpoint, unknown client.auth or grant, unset secret variable, unreadable key) fail activation
 * with a {@link ConfigurationException} naming the property; so does tls_client_auth with neither a TLS profile filter
 * ({@code tls.target}) nor a key store. Nothing touches the network in activation: discovery
 * happens at the first token request, on the provider's own threads, which deactivation stops.
 *
 * <p>Immediate: the provider (its discovery cache, its in-flight refreshes) lives as long as its configuration, not
 * only while some consumer holds the service; a delayed component would be deactivated, and its threads stopped,
 * whenever the last consumer let go.
 */
@Designate(ocd = OAuth2Config.class, factory = true)
@Component(configurationPid = OAuth2Component.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        immediate = true, service = AuthProvider.class, property = AuthProvider.PROVIDER_ID + "=oauth2")
public final class OAuth2Component extends ForwardingAuthProvider {

    public static final String PID = "dev.stdb.secure.auth.oauth2";

    /** Holds the client secret when client.secret.store.key is set; may come and go. */
    @Reference(name = "store", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile CredentialStore store;

    /** Signs client assertions when private.key.alias is set without a key file; may come and go. */
    @Reference(name = "key.service", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile KeyService keyService;

    /** Presents the client certificate (and checks the provider's) for tls_client_auth; may come and go. */
    @Reference(name = "tls", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TlsContextProvider tls;

    /** Shows device codes (and the sign-in URL when no browser opens) for the interactive grants; may come and go. */
    @Reference(name = "mfa", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile MfaHandler mfa;

    private final OAuth2Provider provider;

    @Activate
    public OAuth2Component(OAuth2Config config) {
        this(config, System::getenv);
    }

    /** For tests: the environment is injected. */
    OAuth2Component(OAuth2Config config, Function<String, String> env) {
        this.provider = build(config, env, () -> store, () -> keyService, () -> mfa, () -> tls);
    }

    static OAuth2Provider build(OAuth2Config config, Function<String, String> env,
            java.util.function.Supplier<CredentialStore> stores, java.util.function.Supplier<KeyService> keys,
            java.util.function.Supplier<MfaHandler> mfa, java.util.function.Supplier<TlsContextProvider> tls) {
        Grant grant = Grant.parse(config.grant(), "grant");
        if (config.redirect_port() < 0 || config.redirect_port() > 65535) {
            throw new ConfigurationException("redirect.port: " + config.redirect_port() + " is not a port (0 picks a"
                    + " free one)");
        }
        if (config.browser_timeout_seconds() < 1) {
            throw new ConfigurationException("browser.timeout.seconds: " + config.browser_timeout_seconds()
                    + " must be at least 1");
        }
        OAuth2Provider.Builder b = (grant == Grant.DEVICE_CODE ? OAuth2Provider.deviceCode(config.client_id())
                : grant == Grant.AUTHORIZATION_CODE ? OAuth2Provider.authorizationCode(config.client_id())
                : OAuth2Provider.clientCredentials(config.client_id()))
                .id(config.provider_id().trim())
                .scope(config.scope()).audience(config.audience())
                .connectTimeout(Duration.ofMillis(config.connect_timeout_ms()))
                .readTimeout(Duration.ofMillis(config.read_timeout_ms()))
                .metadataTtl(Duration.ofSeconds(config.metadata_ttl_seconds()))
                .reacquireOnInvalidGrant(config.reacquire_on_invalid_grant());
        if (grant.interactive()) {
            b.mfaHandler(mfa).redirectPort(config.redirect_port())
                    .browserTimeout(Duration.ofSeconds(config.browser_timeout_seconds()));
        }
        if (!config.issuer().isBlank()) {
            b.issuer(uri(config.issuer(), "issuer"));
        }
        if (!config.token_endpoint().isBlank()) {
            b.tokenEndpoint(uri(config.token_endpoint(), "token.endpoint"));
        }
        if (!config.revocation_endpoint().isBlank()) {
            b.revocationEndpoint(uri(config.revocation_endpoint(), "revocation.endpoint"));
        }
        ClientAuth method = ClientAuth.parse(config.client_auth(), "client.auth");
        if (method == ClientAuth.TLS_CLIENT_AUTH) {
            if (!config.private_key_keystore().isBlank()) {
                char[] password = env(env, "private.key.keystore.password.env",
                        config.private_key_keystore_password_env());
                try {
                    b.tlsClientAuth(Path.of(config.private_key_keystore().trim()),
                            config.private_key_keystore_type().trim(), password, blankToNull(config.private_key_alias()),
                            config.tls_trust_pem().isBlank() ? null : Path.of(config.tls_trust_pem().trim()));
                } finally {
                    if (password != null) {
                        java.util.Arrays.fill(password, '\0');
                    }
                }
            } else if (config.tls_target() != null && !config.tls_target().isBlank()) {
                b.tlsClientAuth(tls);
            } else {
                // Without a filter any TLS profile could be bound, and present a certificate meant for another peer.
                throw new ConfigurationException("tls.target (a TLS profile holding the client certificate) or"
                        + " private.key.keystore: one is required with client.auth=tls_client_auth");
            }
        } else if (method == ClientAuth.PRIVATE_KEY_JWT) {
            String kid = blankToNull(config.private_key_kid());
            String alg = blankToNull(config.private_key_algorithm());
            if (!config.private_key_pem().isBlank()) {
                b.privateKeyJwt(Pem.privateKey(Path.of(config.private_key_pem().trim()), "private.key.pem"), kid, alg);
            } else if (!config.private_key_keystore().isBlank()) {
                char[] password = env(env, "private.key.keystore.password.env",
                        config.private_key_keystore_password_env());
                b.privateKeyJwt(Pem.keyStoreKey(Path.of(config.private_key_keystore().trim()),
                        config.private_key_keystore_type().trim(), password, blankToNull(config.private_key_alias()),
                        "private.key.keystore"), kid, alg);
            } else if (!config.private_key_alias().isBlank()) {
                b.privateKeyJwt(keys, config.private_key_alias().trim(), kid, alg);
            } else {
                throw new ConfigurationException("private.key.pem, private.key.keystore or private.key.alias (of a"
                        + " KeyService): one is required with client.auth=private_key_jwt");
            }
        } else if (!config.client_secret_env().isBlank()) {
            char[] chars = env(env, "client.secret.env", config.client_secret_env());
            try (Secret secret = Secret.ofChars(chars)) {
                b.clientSecret(method, fixedCopy(secret));
            } finally {
                java.util.Arrays.fill(chars, '\0');
            }
        } else if (!config.client_secret_store_key().isBlank()) {
            String key = config.client_secret_store_key().trim();
            b.clientSecret(method, () -> {
                CredentialStore s = stores.get();
                if (s == null) {
                    throw new dev.stdb.secure.api.ProviderUnavailableException("no CredentialStore is bound for the"
                            + " client secret '" + key + "' of client " + config.client_id());
                }
                return s.read(key).orElse(null);
            });
        } else if (!grant.interactive()) {
            throw new ConfigurationException("client.secret.env or client.secret.store.key: one is required with"
                    + " client.auth=" + method.value());
        } // else: an interactive grant without a secret or key is a public client
        return b.build();
    }

    private static java.util.function.Supplier<Secret> fixedCopy(Secret secret) {
        Secret kept = secret.withBytes(Secret::ofBytes);
        return () -> kept.withBytes(Secret::ofBytes);
    }

    private static char[] env(Function<String, String> env, String property, String var) {
        if (var == null || var.isBlank()) {
            return null;
        }
        String value = env.apply(var.trim());
        if (value == null) {
            throw new ConfigurationException(property + ": environment variable '" + var.trim() + "' is not set");
        }
        return value.toCharArray();
    }

    private static URI uri(String value, String property) {
        try {
            URI u = new URI(value.trim());
            if (!"https".equalsIgnoreCase(u.getScheme()) && !"http".equalsIgnoreCase(u.getScheme())) {
                throw new ConfigurationException(property + ": '" + value + "' is not an http(s) URL");
            }
            return u;
        } catch (URISyntaxException e) {
            throw new ConfigurationException(property + ": '" + value + "' is not a URL");
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** The provider this component registers. */
    OAuth2Provider provider() {
        return provider;
    }

    @Deactivate
    void deactivate() {
        provider.close();
    }





    @Override
    public String toString() {
        return provider.toString();
    }

    @Override
    protected AuthProvider delegate() {
        return provider;
    }
}
