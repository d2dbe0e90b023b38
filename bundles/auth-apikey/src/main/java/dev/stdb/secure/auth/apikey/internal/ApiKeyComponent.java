package dev.stdb.secure.auth.apikey.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.ForwardingAuthProvider;
import dev.stdb.secure.auth.apikey.ApiKeyProvider;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One {@link ApiKeyProvider} per factory configuration {@code dev.stdb.secure.auth.apikey~<name>}; its
 * {@code provider.id} is the service property connections select with {@code auth.target}. A bad configuration fails
 * activation with a {@link ConfigurationException} naming the property.
 */
@Designate(ocd = ApiKeyConfig.class, factory = true)
@Component(configurationPid = ApiKeyComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AuthProvider.class)
public final class ApiKeyComponent extends ForwardingAuthProvider {

    public static final String PID = "dev.stdb.secure.auth.apikey";

    private final ApiKeyProvider provider;

    @Activate
    public ApiKeyComponent(ApiKeyConfig config) {
        this(config, System::getenv);
    }

    /** For tests: the environment is injected. */
    ApiKeyComponent(ApiKeyConfig config, Function<String, String> env) {
        this.provider = build(config, env);
    }

    static ApiKeyProvider build(ApiKeyConfig config, Function<String, String> env) {
        ApiKeyProvider.Builder b = ApiKeyProvider.builder(config.provider_id(), config.key_name())
                .timeout(Duration.ofSeconds(config.timeout_seconds())).scope(config.scope())
                .audience(config.audience()).clientAuth(clientAuth(config));
        String mode = config.mode() == null ? "bearer" : config.mode().trim().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "bearer":
                b.bearer();
                break;
            case "client-credentials":
                b.clientCredentials(endpoint(config), config.client_id());
                break;
            case "token-exchange":
                String clientId = config.client_id().isBlank() ? null : config.client_id().trim();
                String var = config.client_secret_env().trim();
                if (!var.isEmpty() && env.apply(var) == null) {
                    throw new ConfigurationException("client.secret.env: environment variable '" + var
                            + "' is not set");
                }
                b.tokenExchange(endpoint(config), clientId,
                        var.isEmpty() ? null : () -> Secret.ofString(env.apply(var)));
                b.subjectTokenType(config.subject_token_type());
                break;
            default:
                throw new ConfigurationException("mode: '" + config.mode()
                        + "' is not one of bearer, client-credentials, token-exchange");
        }
        return b.build();
    }

    private static ApiKeyProvider.ClientAuth clientAuth(ApiKeyConfig config) {
        String auth = config.client_auth() == null ? "" : config.client_auth().trim().toLowerCase(Locale.ROOT);
        switch (auth) {
            case "":
            case "client_secret_post":
                return ApiKeyProvider.ClientAuth.CLIENT_SECRET_POST;
            case "client_secret_basic":
                return ApiKeyProvider.ClientAuth.CLIENT_SECRET_BASIC;
            default:
                throw new ConfigurationException("client.auth: '" + config.client_auth()
                        + "' is not one of client_secret_post, client_secret_basic");
        }
    }

    private static URI endpoint(ApiKeyConfig config) {
        if (config.token_endpoint().isBlank()) {
            throw new ConfigurationException("token.endpoint: required with mode " + config.mode());
        }
        try {
            return URI.create(config.token_endpoint().trim());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("token.endpoint: not a URI: " + config.token_endpoint());
        }
    }




    @Deactivate
    void deactivate() {
        provider.close();
    }

    @Override
    protected AuthProvider delegate() {
        return provider;
    }
}
