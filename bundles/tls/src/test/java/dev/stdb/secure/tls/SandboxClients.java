package dev.stdb.secure.tls;

import dev.stdb.secure.core.Connection;
import dev.stdb.secure.core.ReconnectPolicy;
import dev.stdb.secure.core.SpacetimeClient;
import dev.stdb.secure.sandbox.Sandbox;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;

/** The core client against a TLS sandbox, with a profile: connected, or the reason it was refused. */
final class SandboxClients {
    private SandboxClients() {
    }

    static Connection connect(Sandbox sandbox, TlsProfile profile) throws Exception {
        return SpacetimeClient.builder().uri(sandbox.wsUri()).database(sandbox.database()).tls(profile)
                .timeout(Duration.ofSeconds(10)).connect().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    /** At most two attempts (one reconnect), then the connect stage fails; its cause. */
    static Throwable refused(Sandbox sandbox, TlsProfile profile) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> SpacetimeClient.builder()
                .uri(sandbox.wsUri()).database(sandbox.database()).tls(profile)
                .reconnect(new ReconnectPolicy(true, Duration.ofMillis(10), Duration.ofMillis(10), 1))
                .timeout(Duration.ofSeconds(10)).connect().toCompletableFuture().get(20, TimeUnit.SECONDS));
        return e.getCause();
    }
}
