package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.auth.MfaChallenge;
import dev.stdb.secure.api.auth.MfaHandler;
import dev.stdb.secure.api.auth.MfaResponse;
import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * Shows device-code prompts (and the sign-in URL when no browser can be opened) on a console, by default
 * {@code System.err}. It is what {@link OAuth2Provider} uses when neither the {@code AuthContext} nor the builder
 * supplies an {@link MfaHandler}; applications may choose it explicitly too.
 *
 * <p>Only prompts that need no typed answer are supported ({@link MfaChallenge.Kind#DEVICE_CODE} and
 * {@link MfaChallenge.Kind#OTHER}): their stage never completes, since the provider learns the outcome from the
 * identity provider itself. Other kinds fail with {@link ReasonCode#MFA_REQUIRED}.
 */
public final class ConsoleMfaHandler implements MfaHandler {
    private final Supplier<PrintStream> out;

    /** Prints to {@code System.err}, whichever stream that is when a prompt is shown. */
    public ConsoleMfaHandler() {
        this.out = () -> System.err;
    }

    /** Prints to {@code out}. */
    public ConsoleMfaHandler(PrintStream out) {
        Objects.requireNonNull(out, "out");
        this.out = () -> out;
    }

    @Override
    public CompletionStage<MfaResponse> answer(MfaChallenge challenge) {
        if (challenge.kind() != MfaChallenge.Kind.DEVICE_CODE && challenge.kind() != MfaChallenge.Kind.OTHER) {
            return CompletableFuture.failedFuture(new AuthenticationException(ReasonCode.MFA_REQUIRED,
                    "the console handler cannot answer a " + challenge.kind() + " challenge of " + challenge.providerId()
                            + "; configure an MFA handler"));
        }
        StringBuilder b = new StringBuilder().append('[').append(challenge.providerId()).append("] ")
                .append(challenge.prompt());
        if (challenge.expiresIn() != null) {
            b.append(" (valid for ").append(challenge.expiresIn().toSeconds()).append(" s)");
        }
        PrintStream stream = out.get();
        synchronized (stream) {
            stream.println(b);
            stream.flush();
        }
        return new CompletableFuture<>();
    }

    @Override
    public String toString() {
        return "ConsoleMfaHandler";
    }
}
