package dev.stdb.secure.sandbox.internal.auth;

import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

final class AuthAssertions {
    private AuthAssertions() {
    }

    /** Asserts a rejection with {@code status} and a message containing {@code messagePart}, and that no text leaks the token. */
    static TokenRejectedException assertRejected(int status, String messagePart, String token, Executable call) {
        TokenRejectedException e = assertThrows(TokenRejectedException.class, call);
        assertEquals(status, e.status(), () -> "status of: " + e.getMessage());
        assertTrue(e.getMessage().contains(messagePart),
                () -> "message '" + e.getMessage() + "' should contain '" + messagePart + "'");
        assertNoTokenIn(e, token);
        return e;
    }

    static void assertNoTokenIn(Throwable e, String token) {
        if (token == null || token.length() < 8) {
            return;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertNoTokenIn(String.valueOf(t.getMessage()), token);
            assertNoTokenIn(t.toString(), token);
        }
    }

    static void assertNoTokenIn(String text, String token) {
        assertFalse(text.contains(token), () -> "text leaks the token: " + text);
        for (String part : token.split("\\.")) {
            if (part.length() >= 16) {
                assertFalse(text.contains(part), () -> "text leaks a part of the token: " + text);
            }
        }
    }
}
