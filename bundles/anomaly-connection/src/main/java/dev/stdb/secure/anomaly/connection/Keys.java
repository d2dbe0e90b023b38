package dev.stdb.secure.anomaly.connection;

import dev.stdb.secure.api.audit.SecurityEvent;

/** How the detectors name what an event concerns. */
final class Keys {
    private Keys() {
    }

    /**
     * The connection target, {@code <uri>/<database>}: what the core's lockouts match a source against. From the
     * details {@code target}, or {@code uri} and {@code database} (the core's connection events), else the event's
     * connection, else {@code host} (TLS events), else null.
     */
    static String target(SecurityEvent e) {
        String t = e.details().get("target");
        if (t != null) {
            return t;
        }
        String uri = e.details().get("uri");
        String db = e.details().get("database");
        if (uri != null && db != null) {
            return uri + "/" + db;
        }
        if (e.connection() != null) {
            return e.connection();
        }
        return e.details().get("host");
    }
}
