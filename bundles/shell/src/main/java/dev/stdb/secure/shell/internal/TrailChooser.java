package dev.stdb.secure.shell.internal;

import dev.stdb.secure.api.AuditException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.audit.AuditTrail;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;

/**
 * Picks the {@link AuditTrail} service a command works on. Without a selector the only one is taken; with several the
 * command fails and lists them, since verifying or querying a trail the operator did not mean would mislead. A
 * selector is a {@code service.id}, an LDAP filter over the service properties, or a trail's {@code directory}.
 */
final class TrailChooser {

    /** A trail service in use; closing ungets it. */
    static final class Chosen implements AutoCloseable {
        private final BundleContext context;
        private final ServiceReference<AuditTrail> reference;
        final AuditTrail trail;
        final String label;

        private Chosen(BundleContext context, ServiceReference<AuditTrail> reference, AuditTrail trail) {
            this.context = context;
            this.reference = reference;
            this.trail = trail;
            this.label = label(reference);
        }

        @Override
        public void close() {
            context.ungetService(reference);
        }
    }

    private TrailChooser() {
    }

    /**
     * The one trail service {@code selector} (null for any) names.
     *
     * @throws AuditException           (AUDIT_SINK_UNAVAILABLE) if no AuditTrail service is registered, or the chosen
     *                                  one went away
     * @throws IllegalArgumentException if the selector is malformed, matches none, or several trails qualify
     */
    static Chosen choose(BundleContext context, String selector) throws AuditException {
        List<ServiceReference<AuditTrail>> all = references(context, null);
        if (all.isEmpty()) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "no AuditTrail service is registered:"
                    + " install the stdb-secure-audit-file feature and configure a trail"
                    + " (etc/dev.stdb.secure.audit.file-<name>.cfg)");
        }
        List<ServiceReference<AuditTrail>> matching = selector == null || selector.isBlank() ? all
                : references(context, filter(selector.trim()));
        if (matching.isEmpty()) {
            throw new IllegalArgumentException("--trail " + selector + " matches none of the AuditTrail services:"
                    + list(all));
        }
        if (matching.size() > 1) {
            throw new IllegalArgumentException((selector == null || selector.isBlank()
                    ? matching.size() + " AuditTrail services are registered"
                    : "--trail " + selector + " matches " + matching.size() + " AuditTrail services")
                    + "; choose one with --trail <service.id>, --trail <directory> or --trail '(ldap-filter)':"
                    + list(matching));
        }
        ServiceReference<AuditTrail> ref = matching.get(0);
        AuditTrail trail = context.getService(ref);
        if (trail == null) {
            throw new AuditException(ReasonCode.AUDIT_SINK_UNAVAILABLE, "the AuditTrail service " + label(ref)
                    + " went away");
        }
        return new Chosen(context, ref, trail);
    }

    /** A digit string is a service.id, a parenthesised string a filter, anything else a directory. */
    static String filter(String selector) {
        if (selector.chars().allMatch(Character::isDigit)) {
            return "(" + Constants.SERVICE_ID + "=" + selector + ")";
        }
        if (selector.startsWith("(")) {
            return selector;
        }
        return "(directory=" + escape(selector) + ")";
    }

    private static String escape(String value) {
        StringBuilder b = new StringBuilder(value.length());
        for (char c : value.toCharArray()) {
            if (c == '\\' || c == '*' || c == '(' || c == ')') {
                b.append('\\');
            }
            b.append(c);
        }
        return b.toString();
    }

    private static List<ServiceReference<AuditTrail>> references(BundleContext context, String filter) {
        Collection<ServiceReference<AuditTrail>> refs;
        try {
            refs = context.getServiceReferences(AuditTrail.class, filter);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("--trail: not a valid LDAP filter: " + filter, e);
        }
        List<ServiceReference<AuditTrail>> sorted = new ArrayList<>(refs);
        sorted.sort(Comparator.comparingLong(r -> (Long) r.getProperty(Constants.SERVICE_ID)));
        return sorted;
    }

    private static String list(List<ServiceReference<AuditTrail>> refs) {
        StringBuilder b = new StringBuilder();
        for (ServiceReference<AuditTrail> r : refs) {
            b.append("\n  ").append(label(r));
        }
        return b.toString();
    }

    /**
     * Identifies a trail by service.id, configuration PID and directory only: other service properties come from its
     * configuration and are not this command's to show.
     */
    static String label(ServiceReference<?> ref) {
        StringBuilder b = new StringBuilder("service.id ").append(ref.getProperty(Constants.SERVICE_ID));
        Object pid = ref.getProperty(Constants.SERVICE_PID);
        if (pid instanceof String) {
            b.append(", ").append(Constants.SERVICE_PID).append(' ').append(Text.clean((String) pid));
        }
        Object dir = ref.getProperty("directory");
        if (dir instanceof String) {
            b.append(", directory ").append(Text.clean((String) dir));
        }
        return b.toString();
    }
}
