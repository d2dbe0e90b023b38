package dev.stdb.secure.audit.file.internal;

import dev.stdb.secure.api.audit.AuditSink;
import dev.stdb.secure.api.audit.SecurityEvent;
import java.util.HashMap;
import java.util.Map;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Posts every security event to OSGi EventAdmin on topic {@code dev/stdb/secure/audit/<TYPE>}, as Karaf's
 * {@code EventAdminAuditLoginModule} does for logins. Registered as one more {@link AuditSink}, so the core routes
 * events to it like to the file trail; only with configuration {@code dev.stdb.secure.audit.eventadmin} (enabled by
 * default once present); while no EventAdmin is bound, events are not posted (the file trail is the record). The bundle imports {@code org.osgi.service.event} optionally:
 * without it, this component alone cannot be loaded.
 *
 * <p>Event properties: {@code id}, {@code time} (ISO-8601), {@code timestamp} (epoch millis, Long), {@code type},
 * {@code outcome}, {@code source}, {@code principal} and {@code connection} when set, and {@code detail.<key>} for
 * each detail. Events carry no secrets (see {@link SecurityEvent}). Posting is asynchronous and never fails the sink.
 */
@Designate(ocd = EventAdminBridge.Config.class)
@Component(configurationPid = EventAdminBridge.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = AuditSink.class, immediate = true)
public final class EventAdminBridge implements AuditSink {

    public static final String PID = "dev.stdb.secure.audit.eventadmin";
    public static final String TOPIC_PREFIX = "dev/stdb/secure/audit/";

    /** Configuration of the bridge. */
    @ObjectClassDefinition(name = "SpacetimeDB Secure audit events to EventAdmin",
            description = "Posts every security event on topic dev/stdb/secure/audit/<TYPE>.")
    public @interface Config {
        @AttributeDefinition(name = "Enabled")
        boolean enabled() default true;
    }

    /** Optional, so that the bundle resolves without an EventAdmin; events are dropped while none is bound. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    volatile EventAdmin eventAdmin;

    private final boolean enabled;

    @Activate
    public EventAdminBridge(Config config) {
        this.enabled = config.enabled();
    }

    /** For tests. */
    EventAdminBridge(EventAdmin eventAdmin, Config config) {
        this(config);
        this.eventAdmin = eventAdmin;
    }

    @Override
    public void publish(SecurityEvent event) {
        EventAdmin ea = eventAdmin;
        if (enabled && ea != null) {
            ea.postEvent(toEvent(event));
        }
    }

    /** The EventAdmin event for {@code e}. */
    public static Event toEvent(SecurityEvent e) {
        Map<String, Object> p = new HashMap<>();
        p.put("id", e.id().toString());
        p.put("time", e.time().toString());
        p.put("timestamp", e.time().toEpochMilli());
        p.put("type", e.type().name());
        p.put("outcome", e.outcome().name());
        p.put("source", e.source());
        if (e.principal() != null) {
            p.put("principal", e.principal());
        }
        if (e.connection() != null) {
            p.put("connection", e.connection());
        }
        e.details().forEach((k, v) -> p.put("detail." + k, v));
        return new Event(TOPIC_PREFIX + e.type().name(), p);
    }
}
