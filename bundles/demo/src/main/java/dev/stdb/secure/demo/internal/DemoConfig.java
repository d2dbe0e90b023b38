package dev.stdb.secure.demo.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** The demo job, from configuration PID {@value DemoComponent#PID} (optional: every attribute has a default). */
@ObjectClassDefinition(name = "SpacetimeDB demo job",
        description = "Subscribes to a table through a Connection service, prints its rows and live changes, and calls a reducer.")
public @interface DemoConfig {

    @AttributeDefinition(name = "Connection", description = "LDAP filter selecting the Connection service by its properties "
            + "(name, uri, database); the connection comes from a dev.stdb.secure.connection factory configuration.")
    String connection_target() default "(name=demo)";

    @AttributeDefinition(name = "Table", description = "The table to subscribe to: SELECT * FROM <table>.")
    String table() default "person";

    @AttributeDefinition(name = "Reducer", description = "The reducer to call once subscribed. Empty: subscribe only.")
    String reducer() default "add_person";

    @AttributeDefinition(name = "Arguments", description = "The reducer's arguments, comma-separated, read by its parameter "
            + "types (integers, floats, bools, strings; \"double quotes\" keep commas).")
    String args() default "Ada Lovelace,36";

    @AttributeDefinition(name = "Interval (s)", description = "Call the reducer every so many seconds; 0: call it once.")
    long interval_seconds() default 0;
}
