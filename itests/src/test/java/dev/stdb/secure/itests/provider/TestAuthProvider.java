package dev.stdb.secure.itests.provider;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.AuthProvider;
import dev.stdb.secure.api.auth.Credential;

import java.util.Hashtable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import org.osgi.framework.ServiceRegistration;

/**
 * An auth provider that hands out one fixed token. Each acquire or refresh bumps its {@value #ACQUIRE_COUNT} service
 * property, so a test sees from outside which provider a (re)connect used.
 */
public final class TestAuthProvider implements AuthProvider {
    static final String ACQUIRE_COUNT = "acquire.count";

    private final String token;
    private final String label;
    private final Hashtable<String, Object> properties;
    private final AtomicInteger acquired = new AtomicInteger();
    private volatile ServiceRegistration<AuthProvider> registration;

    TestAuthProvider(String token, String label, Hashtable<String, Object> properties) {
        this.token = token;
        this.label = label;
        this.properties = properties;
    }

    /**
     * The framework may hand the service to a connection (which acquires at once) before registerService returns:
     * publish the count reached so far once the registration is known.
     */
    void registered(ServiceRegistration<AuthProvider> r) {
        registration = r;
        publish(acquired.get());
    }

    private void publish(int n) {
        ServiceRegistration<AuthProvider> r = registration;
        if (r != null) {
            synchronized (properties) {
                Object published = properties.get(ACQUIRE_COUNT);
                if (published instanceof Integer p && p >= n) {
                    return;
                }
                properties.put(ACQUIRE_COUNT, n);
                try {
                    r.setProperties(properties);
                } catch (IllegalStateException unregistered) {
                    // the bundle is stopping
                }
            }
        }
    }

    @Override
    public String id() {
        return "test";
    }

    @Override
    public CompletionStage<Credential> acquire(AuthContext context) {
        publish(acquired.incrementAndGet());
        return CompletableFuture.completedFuture(Credential.builder(Secret.ofString(token)).subject("test-" + label).build());
    }

    @Override
    public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
        return acquire(context);
    }
}
