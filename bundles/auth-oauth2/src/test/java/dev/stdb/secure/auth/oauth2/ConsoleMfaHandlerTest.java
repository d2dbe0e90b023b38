package dev.stdb.secure.auth.oauth2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.auth.MfaChallenge;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The console fallback shows device-code prompts and refuses challenges it cannot answer. */
class ConsoleMfaHandlerTest {

    @Test
    void showsTheDeviceCodePromptAndLeavesTheOutcomeToTheProvider() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ConsoleMfaHandler console = new ConsoleMfaHandler(new PrintStream(out, true, StandardCharsets.UTF_8));
        CompletableFuture<?> answer = console.answer(new MfaChallenge(MfaChallenge.Kind.DEVICE_CODE, "kc-device",
                "To sign in, open https://idp.example/device and enter the code WXYZ-ABCD",
                URI.create("https://idp.example/device"), "WXYZ-ABCD", Duration.ofSeconds(600))).toCompletableFuture();
        String shown = out.toString(StandardCharsets.UTF_8);
        assertEquals("[kc-device] To sign in, open https://idp.example/device and enter the code WXYZ-ABCD"
                + " (valid for 600 s)" + System.lineSeparator(), shown);
        assertFalse(answer.isDone(), "the identity provider, not the console, says how it ends");
    }

    @Test
    void challengesThatNeedAnAnswerAreRefused() {
        ConsoleMfaHandler console = new ConsoleMfaHandler(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        ExecutionException e = assertThrows(ExecutionException.class, () -> console.answer(new MfaChallenge(
                MfaChallenge.Kind.TOTP, "p", "code?", null, null, null)).toCompletableFuture().get());
        AuthenticationException refused = assertInstanceOf(AuthenticationException.class, e.getCause());
        assertEquals(ReasonCode.MFA_REQUIRED, refused.reason());
        assertTrue(refused.getMessage().contains("TOTP"), refused.getMessage());
    }
}
