package dev.stdb.secure.auth.jwt.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.jwt.Idp;
import dev.stdb.secure.auth.jwt.MemoryStore;
import java.lang.annotation.Annotation;
import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JwtProviderComponentTest {

    private Idp idp;

    @BeforeEach
    void start() throws Exception {
        idp = new Idp();
    }

    @AfterEach
    void stop() {
        idp.close();
    }

    /** A configuration as SCR hands it, defaults included. */
    class Config implements JwtProviderConfig {
        String providerId = "jwt-ci";
        String tokenFile = "";
        String tokenEnv = "";
        String tokenStoreKey = "";
        String issuer = idp.issuer();
        String[] audience = {"stdb"};
        String jwksUri = "";
        String[] algorithms = {"RS256", "ES256", "PS256", "EdDSA"};
        long skew = 60;
        String[] required = {"sub"};
        long refetch = 60;
        long warning = 300;

        @Override public Class<? extends Annotation> annotationType() { return JwtProviderConfig.class; }
        @Override public String provider_id() { return providerId; }
        @Override public String token_file() { return tokenFile; }
        @Override public String token_env() { return tokenEnv; }
        @Override public String token_store_key() { return tokenStoreKey; }
        @Override public String store_target() { return null; }
        @Override public String issuer() { return issuer; }
        @Override public String[] audience() { return audience; }
        @Override public String jwks_uri() { return jwksUri; }
        @Override public String[] algorithms() { return algorithms; }
        @Override public long clock_skew_seconds() { return skew; }
        @Override public String[] required_claims() { return required; }
        @Override public long jwks_refetch_min_interval_seconds() { return refetch; }
        @Override public long expiry_warning_seconds() { return warning; }
    }

    private String token(String sub) {
        return Idp.sign(Idp.RSA, JWSAlgorithm.RS256, idp.claims(sub, Instant.now()).build());
    }

    private static void rejected(Config c, String property, String... neverInMessage) {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new JwtProviderComponent(c, k -> null));
        assertTrue(e.getMessage().contains(property), e.getMessage());
        for (String secret : neverInMessage) {
            assertFalse(e.getMessage().contains(secret), e.getMessage());
        }
    }

    @Test
    void aGoodConfigurationGivesAProviderThatValidates() throws Exception {
        Config c = new Config();
        c.tokenEnv = "STDB_TOKEN";
        c.audience = new String[] {"other, stdb"}; // a .cfg file's one comma-separated string
        String token = token("alice");
        JwtProviderComponent component = new JwtProviderComponent(c, Map.of("STDB_TOKEN", token)::get);
        try {
            assertEquals("jwt-ci", component.id());
            AuthContext ctx = new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { });
            Credential cred = component.acquire(ctx).toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertEquals("alice", cred.subject());
            assertEquals(java.util.Set.of("other", "stdb"), component.provider().validator().audiences());
            assertEquals(0, idp.jwksRequests() - 1, "activation fetched nothing; the acquire fetched once");
        } finally {
            component.deactivate();
        }
    }

    @Test
    void theBoundStoreHoldsTheTokenStoreKey() throws Exception {
        Config c = new Config();
        c.tokenStoreKey = "jwt/stdb";
        JwtProviderComponent component = new JwtProviderComponent(c, k -> null);
        try {
            MemoryStore store = new MemoryStore("vault");
            try (Secret s = Secret.ofString(token("bob"))) {
                store.write("jwt/stdb", s);
            }
            component.store = store;
            AuthContext ctx = new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { });
            assertEquals("bob", component.acquire(ctx).toCompletableFuture().get(10, TimeUnit.SECONDS).subject());
        } finally {
            component.deactivate();
        }
    }

    @Test
    void badConfigurationsNameTheProperty() {
        Config c = new Config();
        c.providerId = " ";
        c.tokenEnv = "T";
        rejected(c, "provider.id");

        c = new Config();
        rejected(c, "token.file, token.env, token.store.key");
        c.tokenEnv = "T";
        c.tokenFile = "/run/secrets/token";
        rejected(c, "token.file, token.env, token.store.key");

        c = new Config();
        c.tokenEnv = "T";
        c.issuer = null;
        rejected(c, "issuer");
        c.issuer = "http://idp.example.com/realms/x"; // http off loopback
        rejected(c, "issuer");

        c = new Config();
        c.tokenEnv = "T";
        c.audience = new String[] {" "};
        rejected(c, "audience");
        c.audience = null;
        rejected(c, "audience");

        c = new Config();
        c.tokenEnv = "T";
        c.algorithms = new String[] {"RS256,HS256"};
        rejected(c, "algorithms");
        c.algorithms = new String[] {"none"};
        rejected(c, "algorithms");

        c = new Config();
        c.tokenEnv = "T";
        c.skew = -1;
        rejected(c, "clock.skew.seconds");
        c.skew = 60;
        c.refetch = -5;
        rejected(c, "jwks.refetch.min.interval.seconds");
        c.refetch = 60;
        c.warning = -1;
        rejected(c, "expiry.warning.seconds");
        c.warning = 300;
        c.jwksUri = "ftp://idp.example.com/jwks";
        rejected(c, "jwks.uri");
    }

    @Test
    void aTokenPastedWhereTheVariableNameBelongsIsNeverEchoed() {
        Config c = new Config();
        String token = token("alice");
        c.tokenEnv = token;
        rejected(c, "token.env", token, token.substring(0, 20), token.substring(token.lastIndexOf('.') + 1));
    }
}
