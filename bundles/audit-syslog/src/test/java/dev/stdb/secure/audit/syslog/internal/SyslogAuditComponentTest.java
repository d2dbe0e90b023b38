package dev.stdb.secure.audit.syslog.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.audit.syslog.Rfc5424;
import java.lang.reflect.Proxy;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SyslogAuditComponentTest {

    /** A config with the annotation's defaults, overridden by {@code props} (keys are method names). */
    static SyslogConfig config(Map<String, Object> props) {
        return (SyslogConfig) Proxy.newProxyInstance(SyslogConfig.class.getClassLoader(),
                new Class<?>[] {SyslogConfig.class}, (p, m, a) -> {
                    if (props.containsKey(m.getName())) {
                        return props.get(m.getName());
                    }
                    return m.getDefaultValue();
                });
    }

    private static Map<String, Object> props(Object... kv) {
        Map<String, Object> m = new HashMap<>();
        m.put("host", "127.0.0.1");
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void tlsTargetHasNoDefault() throws Exception {
        assertNull(SyslogConfig.class.getMethod("tls_target").getDefaultValue());
    }

    @Test
    void badValuesNameTheProperty() {
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("host", " ")), () -> null)).getMessage()
                .contains("host:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("port", 70000)), () -> null)).getMessage()
                .contains("port:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("transport", "udp")), () -> null)).getMessage()
                .contains("transport:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("facility", "local9")), () -> null)).getMessage()
                .contains("facility:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("app_name", "a b")), () -> null)).getMessage()
                .contains("app.name:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("connect_timeout_millis", 0L)), () -> null))
                .getMessage().contains("connect.timeout.millis:"));
        assertTrue(assertThrows(ConfigurationException.class,
                () -> SyslogAuditComponent.sinkFor(config(props("backoff_max_millis", -1L)), () -> null))
                .getMessage().contains("backoff.max.millis:"));
    }

    @Test
    void tlsWithoutABoundProviderFailsPublishSoTheCoreSpools() throws Exception {
        var sink = SyslogAuditComponent.sinkFor(config(props("port", 6514, "transport", "tls")), () -> null);
        try (sink) {
            AuditException x = assertThrows(AuditException.class, () -> sink.publish(
                    SecurityEvent.of(SecurityEventType.CONNECTED, Outcome.INFO).source("t").build()));
            // the port is closed here or the provider is missing; either way the target is named
            assertTrue(x.getMessage().contains("127.0.0.1:6514"), x.getMessage());
        }
    }

    @Test
    void facilitiesAndSeverities() {
        assertEquals(10, Rfc5424.facility("authpriv"));
        assertEquals(4, Rfc5424.facility("AUTH"));
        assertEquals(16, Rfc5424.facility("local0"));
        assertEquals(23, Rfc5424.facility("23"));
        assertThrows(IllegalArgumentException.class, () -> Rfc5424.facility("24"));
        assertEquals(3, Rfc5424.severity(Outcome.FAILURE));
        assertEquals(4, Rfc5424.severity(Outcome.WARNING));
        assertEquals(5, Rfc5424.severity(Outcome.SUCCESS));
        assertEquals(6, Rfc5424.severity(Outcome.INFO));
        assertEquals("a\\]b\\\"c\\\\d", Rfc5424.escape("a]b\"c\\d"));
        assertEquals("10 <1>1 - - -",
                new String(Rfc5424.frame("<1>1 - - -"), java.nio.charset.StandardCharsets.UTF_8));
    }
}
