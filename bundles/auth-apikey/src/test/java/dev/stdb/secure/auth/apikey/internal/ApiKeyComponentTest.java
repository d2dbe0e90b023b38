package dev.stdb.secure.auth.apikey.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.auth.apikey.ApiKeyProvider;
import java.lang.annotation.Annotation;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The factory configuration becomes a provider, or a ConfigurationException naming the property. */
class ApiKeyComponentTest {

    static class Config implements ApiKeyConfig {
        String mode = "bearer";
        String endpoint = "";
        String clientId = "";
        String secretEnv = "";
        String clientAuth = "client_secret_post";

        @Override public Class<? extends Annotation> annotationType() { return ApiKeyConfig.class; }
        @Override public String provider_id() { return "svc-key"; }
        @Override public String key_name() { return "stdb/api-key"; }
        @Override public String mode() { return mode; }
        @Override public String token_endpoint() { return endpoint; }
        @Override public String client_id() { return clientId; }
        @Override public String client_secret_env() { return secretEnv; }
        @Override public String client_auth() { return clientAuth; }
        @Override public String scope() { return ""; }
        @Override public String audience() { return ""; }
        @Override public String subject_token_type() { return TokenEndpoint.ACCESS_TOKEN_TYPE; }
        @Override public int timeout_seconds() { return 5; }
    }

    private static ConfigurationException refused(Config c, Map<String, String> env) {
        return assertThrows(ConfigurationException.class, () -> ApiKeyComponent.build(c, env::get));
    }

    @Test
    void modesBuildTheirProviders() {
        Config c = new Config();
        assertEquals(ApiKeyProvider.Mode.BEARER, ApiKeyComponent.build(c, Map.<String, String>of()::get).mode());
        c.mode = "client-credentials";
        c.endpoint = "https://idp.example.com/realms/stdb/protocol/openid-connect/token";
        c.clientId = "svc";
        assertEquals(ApiKeyProvider.Mode.CLIENT_CREDENTIALS,
                ApiKeyComponent.build(c, Map.<String, String>of()::get).mode());
        c.mode = "token-exchange";
        c.secretEnv = "EXCHANGER_SECRET";
        assertEquals(ApiKeyProvider.Mode.TOKEN_EXCHANGE,
                ApiKeyComponent.build(c, Map.of("EXCHANGER_SECRET", "s3cr3t-value")::get).mode());
    }

    @Test
    void badValuesNameTheirProperty() {
        Config c = new Config();
        c.mode = "magic";
        assertTrue(refused(c, Map.of()).getMessage().contains("mode: 'magic'"));
        c.mode = "client-credentials";
        assertTrue(refused(c, Map.of()).getMessage().contains("token.endpoint: required"));
        c.endpoint = "http://127.0.0.1:8080/token";
        assertTrue(refused(c, Map.of()).getMessage().contains("client.id: required"));
        c.clientId = "svc";
        c.endpoint = "http://idp.example.com/token";
        ConfigurationException plainHttp = refused(c, Map.of());
        assertTrue(plainHttp.getMessage().contains("token.endpoint: must be https"), plainHttp.getMessage());
        c.mode = "token-exchange";
        c.secretEnv = "EXCHANGER_SECRET";
        ConfigurationException e = refused(c, Map.of());
        assertTrue(e.getMessage().contains("client.secret.env: environment variable 'EXCHANGER_SECRET'"),
                e.getMessage());
        c.mode = "client-credentials";
        c.endpoint = "http://127.0.0.1:8080/token";
        c.clientAuth = "private_key_jwt";
        assertTrue(refused(c, Map.of()).getMessage().contains("client.auth: 'private_key_jwt'"));
    }

    @Test
    void bothClientAuthenticationMethodsAreAccepted() {
        Config c = new Config();
        c.mode = "client-credentials";
        c.endpoint = "http://127.0.0.1:8080/token";
        c.clientId = "svc";
        for (String auth : new String[] {"client_secret_post", "client_secret_basic", " CLIENT_SECRET_BASIC ", ""}) {
            c.clientAuth = auth;
            assertEquals(ApiKeyProvider.Mode.CLIENT_CREDENTIALS,
                    ApiKeyComponent.build(c, Map.<String, String>of()::get).mode(), auth);
        }
    }

    @Test
    void theSecretValueIsNeverInAMessage() {
        Config c = new Config();
        c.mode = "token-exchange";
        c.endpoint = "ftp://127.0.0.1/token";
        c.secretEnv = "EXCHANGER_SECRET";
        ConfigurationException e = refused(c, Map.of("EXCHANGER_SECRET", "s3cr3t-value"));
        assertFalse(e.getMessage().contains("s3cr3t-value"), e.getMessage());
    }
}
