package dev.stdb.secure.shell.internal;

import java.io.PrintStream;
import org.apache.karaf.shell.api.action.Action;
import org.apache.karaf.shell.api.action.Option;
import org.apache.karaf.shell.api.action.lifecycle.Reference;
import org.osgi.framework.BundleContext;

/** What the audit commands share: the bundle context to find trails in and the {@code --trail} selector. */
abstract class TrailCommand implements Action {

    @Reference
    BundleContext context;

    @Option(name = "--trail", description = "Which AuditTrail service, when several are registered: its service.id,"
            + " its directory, or an LDAP filter over its service properties such as '(service.pid=...)'")
    String trail;

    /** Where output goes; null for System.out, which Karaf routes to the calling session. */
    PrintStream out;

    PrintStream out() {
        return out != null ? out : System.out;
    }
}
