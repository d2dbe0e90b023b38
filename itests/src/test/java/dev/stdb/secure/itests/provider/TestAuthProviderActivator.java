package dev.stdb.secure.itests.provider;

import dev.stdb.secure.api.auth.AuthProvider;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The activator of the test provider bundles that {@code ConnectionComponentIT} builds with TinyBundles: registers a
 * {@link TestAuthProvider} with {@code provider.id=test}, {@code provider.label} from header {@value #LABEL_HEADER}
 * and the token from header {@value #TOKEN_HEADER}.
 */
public final class TestAuthProviderActivator implements BundleActivator {
    public static final String TOKEN_HEADER = "Stdb-Test-Token";
    public static final String LABEL_HEADER = "Stdb-Test-Label";

    @Override
    public void start(BundleContext context) {
        String token = context.getBundle().getHeaders().get(TOKEN_HEADER);
        String label = context.getBundle().getHeaders().get(LABEL_HEADER);
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(AuthProvider.PROVIDER_ID, "test");
        properties.put("provider.label", label);
        properties.put(TestAuthProvider.ACQUIRE_COUNT, 0);
        TestAuthProvider provider = new TestAuthProvider(token, label, properties);
        ServiceRegistration<AuthProvider> r;
        synchronized (properties) {
            r = context.registerService(AuthProvider.class, provider, new Hashtable<>(properties));
        }
        provider.registered(r);
    }

    @Override
    public void stop(BundleContext context) {
        // The framework unregisters the service.
    }
}
