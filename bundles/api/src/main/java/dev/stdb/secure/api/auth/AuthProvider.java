package dev.stdb.secure.api.auth;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Obtains, refreshes and revokes the bearer credential a connection sends to the server. Plugin bundles register
 * implementations as services with the {@value #PROVIDER_ID} property; a connection selects one with a target
 * filter on it, and when the provider goes away the next token comes from its replacement.
 *
 * <p>Every method returns at once and completes its stage later: a provider never blocks the caller's thread.
 * Failures complete the stage exceptionally with an {@link dev.stdb.secure.api.AuthenticationException} (or another
 * {@link dev.stdb.secure.api.SecureClientException}). Providers report what they do through
 * {@link AuthContext#events()}.
 */
@ConsumerType
public interface AuthProvider {

    /** Service property naming the provider, for example {@code oauth2-client-credentials}. */
    String PROVIDER_ID = "provider.id";

    /** The provider's id, equal to its {@value #PROVIDER_ID} service property. */
    String id();

    /** Gets a new credential for the context's target, signing in as configured. */
    CompletionStage<Credential> acquire(AuthContext context);

    /**
     * Gets a fresh credential to replace {@code current}, typically with its refresh token. A provider that cannot
     * refresh may acquire a new credential instead. The caller destroys {@code current} once it stops using it.
     */
    CompletionStage<Credential> refresh(Credential current, AuthContext context);

    /** Revokes the credential at its issuer, where the protocol allows it. By default there is nothing to revoke. */
    default CompletionStage<Void> revoke(Credential credential) {
        return CompletableFuture.completedFuture(null);
    }
}
