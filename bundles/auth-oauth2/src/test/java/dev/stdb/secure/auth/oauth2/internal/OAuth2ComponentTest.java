package dev.stdb.secure.auth.oauth2.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.keycloak.MtlsPki;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The DS component's configuration handling; the last test gets a token from Keycloak through it. */
class OAuth2ComponentTest {
    private static final String SECRET = "env-secret-value-never-printed";

    /** A configuration as SCR would hand it: the given properties (keys as in a .cfg file), else the defaults. */
    static OAuth2Config config(Map<String, Object> properties) {
        return (OAuth2Config) Proxy.newProxyInstance(OAuth2Config.class.getClassLoader(),
                new Class<?>[] {OAuth2Config.class}, (proxy, method, args) -> {
                    if (method.getName().equals("annotationType")) {
                        return OAuth2Config.class;
                    }
                    String key = method.getName().replace('_', '.');
                    Object v = properties.get(key);
                    if (v != null) {
                        return v;
                    }
                    if (method.getDefaultValue() == null && !key.endsWith(".target")) {
                        throw new IllegalStateException(key + " is required");
                    }
                    return method.getDefaultValue();
                });
    }

    private static Map<String, Object> base() {
        Map<String, Object> m = new HashMap<>();
        m.put("provider.id", "kc");
        m.put("issuer", "https://idp.example/realms/stdb");
        m.put("client.id", "svc");
        m.put("client.secret.env", "STDB_TEST_SECRET");
        return m;
    }

    private static OAuth2Component component(Map<String, Object> m, Map<String, String> env) {
        return new OAuth2Component(config(m), env::get);
    }

    @Test
    void secretFromTheNamedEnvironmentVariable() {
        OAuth2Component c = component(base(), Map.of("STDB_TEST_SECRET", SECRET));
        try {
            assertEquals("kc", c.id());
            assertFalse(c.toString().contains(SECRET));
            assertEquals("oauth2/https://idp.example/realms/stdb/svc/refresh", c.provider().storeKey());
        } finally {
            c.deactivate();
        }
    }

    @Test
    void unsetVariableNamesThePropertyNotAValue() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> component(base(), Map.of()));
        assertTrue(e.getMessage().contains("client.secret.env"), e.getMessage());
        assertTrue(e.getMessage().contains("STDB_TEST_SECRET"), e.getMessage());
    }

    @Test
    void invalidSettingsAreConfigurationErrors() {
        Map<String, Object> noAuth = base();
        noAuth.put("client.auth", "client_secret_jwt");
        assertTrue(assertThrows(ConfigurationException.class, () -> component(noAuth, Map.of()))
                .getMessage().contains("client.auth"));

        Map<String, Object> grant = base();
        grant.put("grant", "password");
        assertTrue(assertThrows(ConfigurationException.class, () -> component(grant, Map.of("STDB_TEST_SECRET", SECRET)))
                .getMessage().contains("grant"));

        Map<String, Object> noIssuer = base();
        noIssuer.remove("issuer");
        assertTrue(assertThrows(ConfigurationException.class,
                () -> component(noIssuer, Map.of("STDB_TEST_SECRET", SECRET))).getMessage().contains("issuer"));

        Map<String, Object> noKey = base();
        noKey.put("client.auth", "private_key_jwt");
        assertTrue(assertThrows(ConfigurationException.class, () -> component(noKey, Map.of()))
                .getMessage().contains("private.key"));

        Map<String, Object> noSecret = base();
        noSecret.remove("client.secret.env");
        assertTrue(assertThrows(ConfigurationException.class, () -> component(noSecret, Map.of()))
                .getMessage().contains("client.secret"));
    }

    @Test
    void interactiveGrantsArePublicClientsWithOpenidByDefault() {
        for (String grant : new String[] {"device_code", "authorization_code", " Device_Code "}) {
            Map<String, Object> m = base();
            m.remove("client.secret.env");
            m.put("grant", grant);
            OAuth2Component c = component(m, Map.of());
            try {
                String s = c.provider().toString();
                assertTrue(s.contains("grant=" + grant.trim().toLowerCase(java.util.Locale.ROOT)), s);
                assertTrue(s.contains("auth=none"), s);
            } finally {
                c.deactivate();
            }
        }
    }

    @Test
    void interactiveSettingsAreCheckedAndNamed() {
        Map<String, Object> port = base();
        port.put("grant", "authorization_code");
        port.put("redirect.port", 70000);
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> component(port, Map.of()));
        assertTrue(e.getMessage().contains("redirect.port"), e.getMessage());

        Map<String, Object> negative = base();
        negative.put("grant", "authorization_code");
        negative.put("redirect.port", -1);
        assertTrue(assertThrows(ConfigurationException.class, () -> component(negative, Map.of()))
                .getMessage().contains("redirect.port"));

        Map<String, Object> timeout = base();
        timeout.put("grant", "authorization_code");
        timeout.put("browser.timeout.seconds", 0);
        e = assertThrows(ConfigurationException.class, () -> component(timeout, Map.of()));
        assertTrue(e.getMessage().contains("browser.timeout.seconds"), e.getMessage());

        Map<String, Object> grant = base();
        grant.put("grant", "implicit");
        e = assertThrows(ConfigurationException.class, () -> component(grant, Map.of("STDB_TEST_SECRET", SECRET)));
        assertTrue(e.getMessage().contains("grant") && e.getMessage().contains("device_code"), e.getMessage());

        Map<String, Object> noIssuer = base();
        noIssuer.remove("issuer");
        noIssuer.put("token.endpoint", "https://idp.example/token");
        noIssuer.put("grant", "device_code");
        e = assertThrows(ConfigurationException.class, () -> component(noIssuer, Map.of("STDB_TEST_SECRET", SECRET)));
        assertTrue(e.getMessage().contains("issuer: required with grant=device_code"), e.getMessage());

        // client_credentials still needs a secret or key
        Map<String, Object> cc = base();
        cc.remove("client.secret.env");
        assertTrue(assertThrows(ConfigurationException.class, () -> component(cc, Map.of()))
                .getMessage().contains("client.secret"));
    }

    @Test
    void pemThatIsNotAKeyIsAConfigurationErrorWithoutItsContent(@TempDir Path dir) throws Exception {
        Path pem = dir.resolve("key.pem");
        Files.writeString(pem, "-----BEGIN PRIVATE KEY-----\nbm90LWEta2V5LXNlY3JldA==\n-----END PRIVATE KEY-----\n");
        Map<String, Object> m = base();
        m.put("client.auth", "private_key_jwt");
        m.put("private.key.pem", pem.toString());
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> component(m, Map.of()));
        assertTrue(e.getMessage().contains("private.key.pem"), e.getMessage());
        assertFalse(e.getMessage().contains("bm90"), e.getMessage());
    }

    @Test
    void tlsClientAuthNeedsAProfileFilterOrAKeyStore() {
        Map<String, Object> m = base();
        m.remove("client.secret.env");
        m.put("client.auth", "tls_client_auth");
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> component(m, Map.of()));
        assertTrue(e.getMessage().contains("tls.target") && e.getMessage().contains("private.key.keystore"),
                e.getMessage());

        m.put("tls.target", "(tls.profile=idp-mtls)");
        OAuth2Component c = component(m, Map.of());
        try {
            assertTrue(c.toString().contains("auth=tls_client_auth"), c.toString());
        } finally {
            c.deactivate();
        }
    }

    /** No TLS profile bound (yet): the token request fails typed, without touching the network. */
    @Test
    void tlsClientAuthWithoutABoundProfileIsProviderMissing() throws Exception {
        Map<String, Object> m = base();
        m.remove("client.secret.env");
        m.put("issuer", "https://127.0.0.1:1/realms/none");
        m.put("token.endpoint", "https://127.0.0.1:1/token");
        m.put("client.auth", "tls_client_auth");
        m.put("tls.target", "(tls.profile=idp-mtls)");
        OAuth2Component c = component(m, Map.of());
        try {
            java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                    () -> c.acquire(new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, ev -> { }))
                            .toCompletableFuture().get(30, TimeUnit.SECONDS));
            dev.stdb.secure.api.SecureClientException cause = org.junit.jupiter.api.Assertions.assertInstanceOf(
                    dev.stdb.secure.api.SecureClientException.class, e.getCause());
            assertEquals(dev.stdb.secure.api.ReasonCode.PROVIDER_MISSING, cause.reason(), cause.getMessage());
            assertTrue(cause.getMessage().contains("TlsContextProvider"), cause.getMessage());
        } finally {
            c.deactivate();
        }
    }

    /**
     * tls_client_auth configured as a .cfg file would, with a key store (password from the named variable) and the
     * IdP's CA file: the component gets a certificate-bound token from Keycloak over HTTPS.
     */
    @Test
    void configuredKeyStoreGetsACertificateBoundTokenFromKeycloak() throws Exception {
        Keycloak keycloak = Keycloak.shared();
        MtlsPki pki = Keycloak.pki();
        String password = new String(pki.password());
        Map<String, Object> m = new HashMap<>();
        m.put("provider.id", "kc-mtls");
        m.put("issuer", keycloak.httpsIssuer());
        m.put("client.id", Keycloak.SVC_MTLS);
        m.put("client.auth", "tls_client_auth");
        m.put("private.key.keystore", pki.clientPkcs12().toString());
        m.put("private.key.keystore.password.env", "STDB_TEST_P12");
        m.put("tls.trust.pem", pki.caPem().toString());
        OAuth2Component c = component(m, Map.of("STDB_TEST_P12", password));
        try {
            assertFalse(c.toString().contains(password));
            Credential cred = c.acquire(new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { }))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(keycloak.httpsIssuer(), cred.issuer());
            assertEquals(MtlsPki.x5tS256(pki.client()), ((Map<?, ?>) cred.claims().get("cnf")).get("x5t#S256"));
        } finally {
            c.deactivate();
        }

        // The wrong password names the property and the variable, never the value.
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> component(m, Map.of("STDB_TEST_P12", "wrong-" + password)));
        assertTrue(e.getMessage().contains("private.key.keystore"), e.getMessage());
        assertFalse(e.getMessage().contains(password), e.getMessage());
    }

    /** The component, configured as a .cfg file would, with the private_key_jwt key file, gets a Keycloak token. */
    @Test
    void configuredComponentGetsATokenFromKeycloak(@TempDir Path dir) throws Exception {
        Keycloak keycloak = Keycloak.shared();
        Path pem = dir.resolve("svc-jwt.pem");
        Files.writeString(pem, Keycloak.svcJwtKeyPem());
        Map<String, Object> m = new HashMap<>();
        m.put("provider.id", "kc-jwt");
        m.put("issuer", keycloak.issuer());
        m.put("client.id", Keycloak.SVC_JWT);
        m.put("client.auth", "private_key_jwt");
        m.put("private.key.pem", pem.toString());
        m.put("private.key.kid", Keycloak.SVC_JWT_KID);
        OAuth2Component c = component(m, Map.of());
        try {
            Credential cred = c.acquire(new AuthContext(URI.create("ws://127.0.0.1:1"), "db", null, null, e -> { }))
                    .toCompletableFuture().get(60, TimeUnit.SECONDS);
            assertEquals(keycloak.issuer(), cred.issuer());
            assertEquals(Keycloak.SVC_JWT, cred.claims().get("azp"));
        } finally {
            c.deactivate();
        }
    }
}
