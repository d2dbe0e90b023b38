package dev.stdb.secure.shell.internal;

import dev.stdb.secure.api.audit.AuditQuery;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.karaf.shell.api.action.Command;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Service;

/**
 * {@code sec:audit-query}: prints the stored events that match, oldest first, one line each. Events carry no secrets
 * (the API records a secret's fingerprint only); values are printed with control characters escaped.
 */
@Service
@Command(scope = "sec", name = "audit-query", description = "Lists the security events of an audit trail, oldest"
        + " first")
public class AuditQueryCommand extends TrailCommand {

    /** So that a bare query cannot flood the console with a year of events. */
    static final int DEFAULT_LIMIT = 100;

    @Option(name = "--type", multiValued = true, description = "Event type, e.g. AUTH_FAILURE; repeat for several")
    List<String> types;

    @Option(name = "--principal", description = "Only events about this principal")
    String principal;

    @Option(name = "--connection", description = "Only events on this connection")
    String connection;

    @Option(name = "--from", description = "Earliest event time, inclusive (ISO-8601 instant)")
    String from;

    @Option(name = "--to", description = "Latest event time, exclusive (ISO-8601 instant)")
    String to;

    @Option(name = "--limit", description = "Most events to print (default " + DEFAULT_LIMIT + "); 0 for all")
    int limit = DEFAULT_LIMIT;

    @Override
    public Object execute() throws Exception {
        if (limit < 0) {
            throw new IllegalArgumentException("--limit: must not be negative, got " + limit);
        }
        AuditQuery query = AuditQuery.builder().from(Text.instant("--from", from)).to(Text.instant("--to", to))
                .types(types(types)).principal(principal).connection(connection).limit(limit).build();
        try (TrailChooser.Chosen chosen = TrailChooser.choose(context, trail)) {
            List<SecurityEvent> events = chosen.trail.query(query);
            for (SecurityEvent e : events) {
                out().println(line(e));
            }
            out().println(events.size() + (events.size() == 1 ? " event" : " events")
                    + (limit > 0 && events.size() == limit ? " (the --limit of " + limit + "; more may match)" : "")
                    + " in the audit trail " + chosen.label);
        }
        return null;
    }

    static Set<SecurityEventType> types(List<String> names) {
        Set<SecurityEventType> set = EnumSet.noneOf(SecurityEventType.class);
        if (names != null) {
            for (String n : names) {
                try {
                    set.add(SecurityEventType.valueOf(n.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--type: unknown event type '" + Text.clean(n) + "'; one of "
                            + Arrays.toString(SecurityEventType.values()), e);
                }
            }
        }
        return set;
    }

    /** {@code time type outcome principal=.. connection=.. source=.. k=v ...}; absent values are left out. */
    static String line(SecurityEvent e) {
        StringBuilder b = new StringBuilder().append(e.time()).append(' ').append(e.type()).append(' ')
                .append(e.outcome());
        if (e.principal() != null) {
            b.append(" principal=").append(Text.clean(e.principal()));
        }
        if (e.connection() != null) {
            b.append(" connection=").append(Text.clean(e.connection()));
        }
        b.append(" source=").append(Text.clean(e.source()));
        for (Map.Entry<String, String> d : e.details().entrySet()) {
            b.append(' ').append(Text.clean(d.getKey())).append('=').append(Text.clean(d.getValue()));
        }
        return b.toString();
    }
}
