package dev.stdb.secure.api.auth;

import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * An {@link AuthProvider} that forwards every call to {@link #delegate()}: the shape of a Declarative Services
 * component that builds its provider from configuration and registers it, so that the plain-Java provider and the
 * OSGi service behave the same and no bundle repeats the forwarding.
 */
@ConsumerType
public abstract class ForwardingAuthProvider implements AuthProvider {

    /** The provider every call goes to. */
    protected abstract AuthProvider delegate();

    @Override
    public String id() {
        return delegate().id();
    }

    @Override
    public CompletionStage<Credential> acquire(AuthContext context) {
        return delegate().acquire(context);
    }

    @Override
    public CompletionStage<Credential> refresh(Credential current, AuthContext context) {
        return delegate().refresh(current, context);
    }

    @Override
    public CompletionStage<Void> revoke(Credential credential) {
        return delegate().revoke(credential);
    }
}
