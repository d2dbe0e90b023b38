package dev.stdb.secure.auth.oauth2;

import java.net.URI;
import java.util.concurrent.CompletionStage;

/**
 * Opens the authorization URL of the authorization code grant in a browser. The default
 * ({@link OAuth2Provider.Builder#browserLauncher(BrowserLauncher)} not set) uses {@code java.awt.Desktop} when the
 * platform supports browsing, else shows the URL through the MFA handler (or the console).
 *
 * <p>The URL carries {@code state}, {@code nonce} and the PKCE {@code code_challenge}: none of them is a secret on
 * its own (the code verifier never leaves the provider), but do not log it either.
 */
@FunctionalInterface
public interface BrowserLauncher {

    /**
     * Opens {@code authorizationUri}; returns at once. The stage completes when the browser was started (or, for
     * launchers that drive the browser themselves, when they are done), and exceptionally when it cannot be: the
     * sign-in then fails at once instead of waiting for the browser timeout.
     */
    CompletionStage<Void> open(URI authorizationUri);
}
