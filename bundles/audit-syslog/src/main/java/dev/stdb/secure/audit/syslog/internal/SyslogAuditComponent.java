package dev.stdb.secure.audit.syslog.internal;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.tls.TlsContextProvider;
import dev.stdb.secure.audit.syslog.Rfc5424;
import dev.stdb.secure.audit.syslog.SyslogAuditSink;
import java.time.Duration;
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
 * One syslog {@link AuditSink} per factory configuration {@code dev.stdb.secure.audit.syslog~<name>}. The
 * configuration is checked at activation (a bad value fails it with a {@link ConfigurationException} naming the
 * property); the connection is made on the first event, so activation never waits for the network. With
 * {@code transport=tls} the sink uses the {@link TlsContextProvider} selected by {@code tls.target} at each
 * connection attempt; while none is bound, {@code publish} fails and the core spools the events.
 */
@Designate(ocd = SyslogConfig.class, factory = true)
@Component(configurationPid = SyslogAuditComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AuditSink.class, immediate = true)
public final class SyslogAuditComponent implements AuditSink {

    public static final String PID = "dev.stdb.secure.audit.syslog";

    @Reference(name = "tls", cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile TlsContextProvider tls;

    private final SyslogAuditSink sink;

    @Activate
    public SyslogAuditComponent(SyslogConfig config) {
        this.sink = sinkFor(config, () -> tls);
    }

    static SyslogAuditSink sinkFor(SyslogConfig c, java.util.function.Supplier<TlsContextProvider> tls) {
        String host = c.host() == null ? "" : c.host().trim();
        if (host.isEmpty()) {
            throw new ConfigurationException("host: required (the syslog server's host name or address)");
        }
        if (c.port() < 1 || c.port() > 65535) {
            throw new ConfigurationException("port: " + c.port() + " is not a TCP port (1..65535)");
        }
        SyslogAuditSink.Transport transport;
        int facility;
        try {
            transport = SyslogAuditSink.Transport.parse(c.transport());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("transport: " + e.getMessage());
        }
        try {
            facility = Rfc5424.facility(c.facility());
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("facility: " + e.getMessage());
        }
        String appName = c.app_name() == null ? "" : c.app_name().trim();
        if (appName.isEmpty() || appName.length() > 48 || !appName.chars().allMatch(ch -> ch >= 33 && ch <= 126)) {
            throw new ConfigurationException("app.name: 1 to 48 printable ASCII characters without spaces");
        }
        if (c.connect_timeout_millis() <= 0) {
            throw new ConfigurationException("connect.timeout.millis: must be positive");
        }
        if (c.backoff_max_millis() <= 0) {
            throw new ConfigurationException("backoff.max.millis: must be positive");
        }
        if (c.write_timeout_millis() <= 0) {
            throw new ConfigurationException("write.timeout.millis: must be positive");
        }
        if (c.replay_bytes() < 0) {
            throw new ConfigurationException("replay.bytes: must not be negative");
        }
        SyslogAuditSink.Builder b = SyslogAuditSink.builder(host, c.port())
                .appName(appName)
                .hostname(c.hostname())
                .facility(facility)
                .connectTimeout(Duration.ofMillis(c.connect_timeout_millis()))
                .maxBackoff(Duration.ofMillis(c.backoff_max_millis()))
                .writeTimeout(Duration.ofMillis(c.write_timeout_millis()))
                .replayBytes(c.replay_bytes());
        if (transport == SyslogAuditSink.Transport.TLS) {
            b.tls(tls);
        } else {
            b.tcp();
        }
        return b.build();
    }

    @Override
    public void publish(SecurityEvent event) throws AuditException {
        sink.publish(event);
    }

    @Deactivate
    void deactivate() {
        sink.close();
    }
}
