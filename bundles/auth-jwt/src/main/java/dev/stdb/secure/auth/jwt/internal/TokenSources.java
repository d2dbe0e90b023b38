package dev.stdb.secure.auth.jwt.internal;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.auth.jwt.JwtRefusedException;
import dev.stdb.secure.auth.jwt.JwtRefusedException.Check;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Where a provider reads its token, afresh at every acquire and refresh. Each source returns a new {@link Secret}
 * that the caller owns, with surrounding whitespace (a file's final newline) removed; a missing token is a
 * {@link JwtRefusedException} with {@link ReasonCode#TOKEN_MISSING} naming the file, variable or key, never a value.
 */
public final class TokenSources {

    /** Reads one token. */
    @FunctionalInterface
    public interface Source {
        Secret read(AuthContext context);
    }

    private TokenSources() {
    }

    public static Source file(Path path) {
        return context -> {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                throw missing("token file " + path + " does not exist");
            } catch (IOException e) {
                throw missing("token file " + path + " cannot be read (" + e.getClass().getSimpleName() + ")");
            }
            try {
                int from = 0;
                int to = bytes.length;
                while (from < to && bytes[from] <= ' ' && bytes[from] >= 0) {
                    from++;
                }
                while (to > from && bytes[to - 1] <= ' ' && bytes[to - 1] >= 0) {
                    to--;
                }
                if (from == to) {
                    throw missing("token file " + path + " is empty");
                }
                byte[] token = Arrays.copyOfRange(bytes, from, to);
                try {
                    return Secret.ofBytes(token);
                } finally {
                    Arrays.fill(token, (byte) 0);
                }
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        };
    }

    public static Source environment(String variable, Function<String, String> env) {
        return context -> {
            String value = env.apply(variable);
            if (value == null) {
                throw missing("environment variable '" + variable + "' is not set");
            }
            if (value.isBlank()) {
                throw missing("environment variable '" + variable + "' is empty");
            }
            return Secret.ofString(value.strip());
        };
    }

    /** The entry {@code key} of the store {@code store} gives, or of the context's store when it gives none. */
    public static Source store(String key, Supplier<CredentialStore> store) {
        return context -> {
            CredentialStore s = store == null ? null : store.get();
            if (s == null) {
                s = context.store();
            }
            if (s == null) {
                throw missing("no credential store is bound to read token.store.key '" + key + "'");
            }
            Optional<Secret> found;
            try {
                found = s.read(key);
            } catch (SecureClientException e) {
                throw missing("credential store '" + s.id() + "' could not read '" + key + "' ("
                        + e.reason().code() + ")");
            }
            if (found.isEmpty()) {
                throw missing("credential store '" + s.id() + "' has no entry '" + key + "'");
            }
            try (Secret stored = found.get()) {
                return trimmedCopy(stored, "credential store entry '" + key + "'");
            }
        };
    }

    /** A callback; the provider copies what it returns, the callback keeps ownership of its secret. */
    public static Source callback(Callable<Secret> callback) {
        return context -> {
            Secret given;
            try {
                given = callback.call();
            } catch (Exception e) {
                throw missing("the token callback failed (" + e.getClass().getSimpleName() + ")");
            }
            if (given == null) {
                throw missing("the token callback returned no token");
            }
            try {
                return trimmedCopy(given, "the token callback's secret");
            } catch (IllegalStateException destroyed) {
                throw missing("the token callback returned a destroyed or non-text secret");
            }
        };
    }

    private static Secret trimmedCopy(Secret s, String what) {
        return s.withChars(chars -> {
            int from = 0;
            int to = chars.length;
            while (from < to && Character.isWhitespace(chars[from])) {
                from++;
            }
            while (to > from && Character.isWhitespace(chars[to - 1])) {
                to--;
            }
            if (from == to) {
                throw missing(what + " is empty");
            }
            char[] token = Arrays.copyOfRange(chars, from, to);
            try {
                return Secret.ofChars(token);
            } finally {
                Arrays.fill(token, '\0');
            }
        });
    }

    private static JwtRefusedException missing(String message) {
        return new JwtRefusedException(ReasonCode.TOKEN_MISSING, Check.SOURCE, message);
    }
}
