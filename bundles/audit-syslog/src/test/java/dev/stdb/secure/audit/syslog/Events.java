package dev.stdb.secure.audit.syslog;

import dev.stdb.secure.api.audit.Outcome;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;

final class Events {
    private Events() {
    }

    static SecurityEvent numbered(int n) {
        return SecurityEvent.of(SecurityEventType.AUTH_SUCCESS, Outcome.SUCCESS)
                .source("dev.stdb.secure.test")
                .principal("alice")
                .connection("prod")
                .detail("n", Integer.toString(n))
                .build();
    }
}
