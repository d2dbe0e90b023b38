package dev.stdb.secure.protocol.schema;

/** The special role a reducer plays in the module lifecycle (SATS {@code Lifecycle}); such reducers are not client-callable. */
public enum Lifecycle {
    /** Runs once when the module is first published ({@code Init}). */
    INIT("Init"),
    /** Runs when a client connects ({@code OnConnect}). */
    ON_CONNECT("OnConnect"),
    /** Runs when a client disconnects ({@code OnDisconnect}). */
    ON_DISCONNECT("OnDisconnect");

    private final String wireName;

    Lifecycle(String wireName) {
        this.wireName = wireName;
    }

    /** The SATS variant name, e.g. {@code OnConnect}. */
    public String wireName() {
        return wireName;
    }

    /** The lifecycle with this SATS variant name, or null. */
    public static Lifecycle fromWireName(String name) {
        for (Lifecycle l : values()) {
            if (l.wireName.equals(name)) {
                return l;
            }
        }
        return null;
    }
}
