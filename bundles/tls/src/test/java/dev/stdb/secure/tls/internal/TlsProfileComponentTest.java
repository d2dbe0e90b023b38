package dev.stdb.secure.tls.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.tls.TlsContext;
import java.lang.annotation.Annotation;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TlsProfileComponentTest {

    private static final String A = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final String B = "sha256/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";

    /** A configuration with defaults, as SCR would hand it. */
    static class Config implements TlsProfileConfig {
        String[] pins = {};
        String[] suites = {};
        String[] protocols = {"TLSv1.3", "TLSv1.2"};
        String keystore = "";
        String passwordEnv = "";
        String p12 = "";
        String p12Env = "";
        String keyAlias = "";
        String[] clientAliases = {};
        String jsse = "jdk";

        @Override public Class<? extends Annotation> annotationType() { return TlsProfileConfig.class; }
        @Override public String tls_profile() { return "prod"; }
        @Override public boolean trust_system() { return true; }
        @Override public String trust_pem() { return ""; }
        @Override public String trust_keystore() { return keystore; }
        @Override public String trust_keystore_type() { return "PKCS12"; }
        @Override public String trust_keystore_password_env() { return passwordEnv; }
        @Override public String[] pins() { return pins; }
        @Override public int pin_expiry_warning_days() { return 30; }
        @Override public String[] protocols() { return protocols; }
        @Override public String[] cipher_suites() { return suites; }
        @Override public String client_pkcs12() { return p12; }
        @Override public String client_pkcs12_password_env() { return p12Env; }
        @Override public String client_pem_key() { return ""; }
        @Override public String client_pem_chain() { return ""; }
        @Override public String client_pem_key_password_env() { return ""; }
        @Override public String client_key_alias() { return keyAlias; }
        @Override public String[] client_aliases() { return clientAliases; }
        @Override public String key_service_target() { return ""; }
        String revocationMode = "soft-fail";
        String[] revocationSources = {"ocsp", "crl"};
        boolean intermediates = true;
        long cacheSeconds = 3600;
        int timeoutMillis = 5000;
        String responder = "";
        @Override public String revocation_mode() { return revocationMode; }
        @Override public String[] revocation_sources() { return revocationSources; }
        @Override public boolean revocation_check_intermediates() { return intermediates; }
        @Override public long revocation_cache_seconds() { return cacheSeconds; }
        @Override public int revocation_timeout_millis() { return timeoutMillis; }
        @Override public String revocation_ocsp_responder() { return responder; }
        @Override public String jsse_provider() { return jsse; }
    }

    @Test
    void jsseProviderIsChosenByConfiguration() throws Exception {
        Config c = new Config();
        c.jsse = "BCJSSE";
        TlsProfileComponent component = new TlsProfileComponent(c, Map.<String, String>of()::get, e -> { });
        assertEquals("BCJSSE", component.contextFor(java.net.URI.create("wss://db.example.com/"))
                .sslContext().getProvider().getName());
        c.jsse = "NoSuchJsse";
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(c, Map.<String, String>of()::get, ev -> { }));
        assertTrue(e.getMessage().contains("jsse.provider: no security provider named 'NoSuchJsse'"), e.getMessage());
    }

    @Test
    void buildsAProfileFromTheConfiguration() {
        Config c = new Config();
        c.pins = new String[] {"*.example.com|" + A + "," + B + "|expires=2027-01-01", " "};
        TlsProfileComponent component = new TlsProfileComponent(c, Map.<String, String>of()::get, e -> { });
        assertEquals("prod", component.id());
        TlsContext ctx = component.contextFor(URI.create("wss://db.example.com/"));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(ctx.sslParameters().getProtocols()));
    }

    @Test
    void cfgFileValuesAreSplit() {
        Config c = new Config();
        c.pins = new String[] {"a.example.com|" + A + "," + B + "; *.example.org|" + A + "," + B + "|mode=report-only"};
        c.protocols = new String[] {"TLSv1.3, TLSv1.2"};
        TlsProfileComponent component = new TlsProfileComponent(c, k -> null, e -> { });
        TlsContext ctx = component.contextFor(URI.create("wss://a.example.com/"));
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), List.of(ctx.sslParameters().getProtocols()));
        assertEquals(List.of("a.example.com", "*.example.org"),
                TlsProfileComponent.build(c, k -> null, e -> { }).pins().stream().map(p -> p.hostPattern()).toList());
    }

    @Test
    void onePinConfigurationIsRejected() {
        Config c = new Config();
        c.pins = new String[] {"db.example.com|" + A};
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(c, k -> null, ev -> { }));
        assertTrue(e.getMessage().contains("a pin set needs at least two pins"), e.getMessage());
    }

    @Test
    void weakSuiteConfigurationIsRejected() {
        Config c = new Config();
        c.suites = new String[] {"TLS_RSA_WITH_RC4_128_SHA"};
        assertThrows(ConfigurationException.class, () -> new TlsProfileComponent(c, k -> null, ev -> { }));
    }

    @Test
    void missingPasswordVariableIsNamedNotGuessed() {
        Config c = new Config();
        c.keystore = "/etc/stdb/trust.p12";
        c.passwordEnv = "STDB_TRUST_PASSWORD";
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(c, k -> null, ev -> { }));
        assertTrue(e.getMessage().contains("STDB_TRUST_PASSWORD"), e.getMessage());
    }

    @Test
    void clientKeyFromAnUnboundKeyServiceIsClientCertUnavailable() {
        Config c = new Config();
        c.keyAlias = "hsm-client";
        c.clientAliases = new String[] {"*.example.com|hsm-client; db.example.org|hsm-client"};
        TlsProfileComponent component = new TlsProfileComponent(c, k -> null, e -> { });
        TlsException e = assertThrows(TlsException.class,
                () -> component.contextFor(URI.create("wss://db.example.com/")));
        assertEquals(ReasonCode.CLIENT_CERT_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("hsm-client"), e.getMessage());
    }

    @Test
    void clientAliasEntryWithoutAliasIsRejected() {
        Config c = new Config();
        c.clientAliases = new String[] {"*.example.com"};
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(c, k -> null, ev -> { }));
        assertTrue(e.getMessage().contains("client.aliases"), e.getMessage());
    }

    @Test
    void missingClientPasswordVariableIsNamed() {
        Config c = new Config();
        c.p12 = "/etc/stdb/client.p12";
        c.p12Env = "STDB_CLIENT_P12_PASSWORD";
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(c, k -> null, ev -> { }));
        assertTrue(e.getMessage().contains("STDB_CLIENT_P12_PASSWORD"), e.getMessage());
    }

    @Test
    void revocationDefaultsToSoftFailWithBothSources() {
        dev.stdb.secure.tls.RevocationPolicy p = TlsProfileComponent.build(new Config(), Map.<String, String>of()::get,
                e -> { }).revocation();
        assertEquals(dev.stdb.secure.tls.RevocationPolicy.softFail(), p);
        assertEquals(java.time.Duration.ofHours(1), p.cacheTtl());
        assertEquals(java.time.Duration.ofSeconds(5), p.timeout());
    }

    @Test
    void revocationPropertiesAreRead() {
        Config c = new Config();
        c.revocationMode = "HARD-FAIL";
        c.revocationSources = new String[] {"crl, ocsp"};
        c.intermediates = false;
        c.cacheSeconds = 60;
        c.timeoutMillis = 1500;
        c.responder = "http://ocsp.example.com/";
        dev.stdb.secure.tls.RevocationPolicy p = TlsProfileComponent.revocation(c);
        assertEquals(dev.stdb.secure.tls.RevocationPolicy.Mode.HARD_FAIL, p.mode());
        assertEquals(List.of(dev.stdb.secure.tls.RevocationPolicy.Source.CRL,
                dev.stdb.secure.tls.RevocationPolicy.Source.OCSP), p.sources());
        assertEquals(false, p.checkIntermediates());
        assertEquals(java.time.Duration.ofSeconds(60), p.cacheTtl());
        assertEquals(java.time.Duration.ofMillis(1500), p.timeout());
        assertEquals(URI.create("http://ocsp.example.com/"), p.ocspResponder().orElseThrow());
        c.revocationMode = "off";
        assertEquals(dev.stdb.secure.tls.RevocationPolicy.Mode.OFF, TlsProfileComponent.revocation(c).mode());
    }

    @Test
    void badRevocationValuesNameTheirProperty() {
        Config mode = new Config();
        mode.revocationMode = "strict";
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsProfileComponent(mode, Map.<String, String>of()::get, ev -> { }));
        assertTrue(e.getMessage().contains("revocation.mode:"), e.getMessage());
        assertTrue(e.getMessage().contains("strict"), e.getMessage());
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());

        Config sources = new Config();
        sources.revocationSources = new String[] {"ocsp,ldap"};
        assertProperty("revocation.sources", sources);
        sources.revocationSources = new String[] {" "};
        assertProperty("revocation.sources", sources);
        Config cache = new Config();
        cache.cacheSeconds = -1;
        assertProperty("revocation.cache.seconds", cache);
        Config timeout = new Config();
        timeout.timeoutMillis = 0;
        assertProperty("revocation.timeout.millis", timeout);
        Config responder = new Config();
        responder.responder = "https://ocsp.example.com/";
        assertProperty("revocation.ocsp.responder", responder);
        responder.responder = "http://bad host/";
        assertProperty("revocation.ocsp.responder", responder);
    }

    private static void assertProperty(String property, Config c) {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> TlsProfileComponent.revocation(c));
        assertTrue(e.getMessage().contains(property + ":"), e.getMessage());
    }
}
