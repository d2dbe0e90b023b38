package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.TlsException;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventSink;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.SpacetimeClient;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The core client against any {@code wss://} URI (a sandbox behind a proxy, a plain TLS peer), with the client's
 * own event sink, so events the core emits (TLS failures before the trust manager ran) are seen as well.
 */
final class CoreClients {
    private CoreClients() {
    }

    static Connection connect(URI uri, String database, TlsProfile profile, SecurityEventSink events)
            throws Exception {
        return SpacetimeClient.builder().uri(uri).database(database).tls(profile).events(events)
                .timeout(Duration.ofSeconds(10)).connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    /** The typed error the user sees when the connect stage fails (at most one reconnect). */
    static TlsException refused(URI uri, String database, TlsProfile profile, SecurityEventSink events) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> SpacetimeClient.builder().uri(uri)
                .database(database).tls(profile).events(events)
                .reconnect(new ReconnectPolicy(true, Duration.ofMillis(10), Duration.ofMillis(10), 1))
                .timeout(Duration.ofSeconds(10)).connect().toCompletableFuture().get(30, TimeUnit.SECONDS));
        return assertInstanceOf(TlsException.class, e.getCause(), String.valueOf(e.getCause()));
    }

    /** The TLS_FAILURE events with {@code reason}; fails if there is none. */
    static List<SecurityEvent> tlsFailures(List<SecurityEvent> events, ReasonCode reason) {
        List<SecurityEvent> found = events.stream().filter(e -> e.type() == SecurityEventType.TLS_FAILURE)
                .filter(e -> reason.code().equals(e.details().get("reason"))).collect(Collectors.toList());
        assertFalse(found.isEmpty(), "no TLS_FAILURE event with reason " + reason.code() + " in " + events);
        return found;
    }
}
