package dev.stdb.secure.api;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import javax.security.auth.Destroyable;

/**
 * A token, password or key held in a private array that {@link #destroy()} overwrites with zeros.
 *
 * <p>This is the only type the project uses for secret values, so that every place a secret travels is visible and
 * nothing prints, compares or serialises it by accident:
 * <ul>
 * <li>{@link #toString()} is always {@code Secret[***]};</li>
 * <li>{@link #equals(Object)} and {@link #hashCode()} are identity based: nothing can leak content through a hash or
 * through the timing of a comparison. Use {@link #contentEquals(Secret)}, which runs in constant time;</li>
 * <li>the class is not {@link java.io.Serializable}: writing it to an {@link java.io.ObjectOutputStream} fails with
 * {@link java.io.NotSerializableException};</li>
 * <li>logs and security events carry the {@link #fingerprint()}, never the value.</li>
 * </ul>
 *
 * <p>A secret holds either bytes or chars, whichever it was created from. The other form is produced on demand:
 * chars are encoded as UTF-8, and bytes are decoded as UTF-8 (which fails for binary keys).
 *
 * <p>Prefer {@link #withBytes(Function)} and {@link #withChars(Function)}: they hand the callback a temporary copy
 * and zero it when the callback returns. {@link #bytesCopy()} and {@link #charsCopy()} give the caller a copy that
 * the caller must zero.
 *
 * <p>Thread-safe. Once destroyed, every access throws {@link IllegalStateException}; {@link #destroy()} and
 * {@link #close()} may be called any number of times.
 */
public final class Secret implements AutoCloseable, Destroyable {

    private static final String DESTROYED = "secret destroyed";
    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final int FINGERPRINT_BYTES = 8;

    private final Object lock = new Object();
    /** Exactly one of {@link #bytes} and {@link #chars} is non-null. */
    private final byte[] bytes;
    private final char[] chars;
    private volatile boolean destroyed;

    private Secret(byte[] bytes, char[] chars) {
        this.bytes = bytes;
        this.chars = chars;
    }

    /**
     * A secret holding a copy of {@code bytes}; the caller may (and should) zero its own array afterwards.
     *
     * @throws NullPointerException if {@code bytes} is null
     */
    public static Secret ofBytes(byte[] bytes) {
        Objects.requireNonNull(bytes, "bytes");
        return new Secret(bytes.clone(), null);
    }

    /**
     * A secret holding a copy of {@code chars}; the caller may (and should) zero its own array afterwards.
     *
     * @throws IllegalArgumentException if {@code chars} is not well-formed UTF-16 (a lone surrogate), since it could
     *         then not be encoded as bytes
     */
    public static Secret ofChars(char[] chars) {
        Objects.requireNonNull(chars, "chars");
        char[] copy = chars.clone();
        if (!wellFormed(copy)) {
            Arrays.fill(copy, '\0');
            throw new IllegalArgumentException("secret chars are not well-formed UTF-16 (lone surrogate)");
        }
        return new Secret(null, copy);
    }

    /**
     * A secret holding the chars of {@code value}.
     *
     * <p>Less safe than {@link #ofChars(char[])}: a {@link String} cannot be zeroed and stays on the heap until the
     * garbage collector reclaims it. Use it only where the value already arrived as a String (configuration,
     * a JSON response), and drop the reference to that String quickly.
     */
    public static Secret ofString(String value) {
        Objects.requireNonNull(value, "value");
        char[] chars = value.toCharArray();
        try {
            return ofChars(chars);
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /** Number of bytes or chars, in the form the secret was created from. */
    public int length() {
        synchronized (lock) {
            checkAlive();
            return bytes != null ? bytes.length : chars.length;
        }
    }

    /**
     * Runs {@code action} with a temporary copy of the bytes (UTF-8 for a chars secret) and zeroes the copy when the
     * action returns or throws. The action must not keep the array.
     *
     * @throws IllegalStateException if the secret is destroyed
     */
    public <R> R withBytes(Function<? super byte[], ? extends R> action) {
        Objects.requireNonNull(action, "action");
        byte[] copy = bytesCopy();
        try {
            return action.apply(copy);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
    }

    /**
     * Runs {@code action} with a temporary copy of the chars (UTF-8 decoded for a bytes secret) and zeroes the copy
     * when the action returns or throws. The action must not keep the array.
     *
     * @throws IllegalStateException if the secret is destroyed, or holds bytes that are not UTF-8
     */
    public <R> R withChars(Function<? super char[], ? extends R> action) {
        Objects.requireNonNull(action, "action");
        char[] copy = charsCopy();
        try {
            return action.apply(copy);
        } finally {
            Arrays.fill(copy, '\0');
        }
    }

    /**
     * A fresh copy of the bytes (UTF-8 for a chars secret). Zeroing it after use is the caller's job; prefer
     * {@link #withBytes(Function)}.
     *
     * @throws IllegalStateException if the secret is destroyed
     */
    public byte[] bytesCopy() {
        synchronized (lock) {
            checkAlive();
            return bytes != null ? bytes.clone() : encode(chars);
        }
    }

    /**
     * A fresh copy of the chars (UTF-8 decoded for a bytes secret). Zeroing it after use is the caller's job; prefer
     * {@link #withChars(Function)}.
     *
     * @throws IllegalStateException if the secret is destroyed, or holds bytes that are not UTF-8
     */
    public char[] charsCopy() {
        synchronized (lock) {
            checkAlive();
            return chars != null ? chars.clone() : decode(bytes);
        }
    }

    /**
     * Compares the content of two secrets in time that depends on their lengths only, never on where they differ.
     * Two chars secrets are compared char by char; otherwise the byte forms (UTF-8 for chars) are compared.
     * The lengths themselves are not hidden.
     *
     * @return false if {@code other} is null
     * @throws IllegalStateException if either secret is destroyed
     */
    public boolean contentEquals(Secret other) {
        if (other == null) {
            return false;
        }
        if (other == this) {
            checkAlive();
            return true;
        }
        if (chars != null && other.chars != null) {
            char[] a = charsCopy();
            char[] b = null;
            try {
                b = other.charsCopy();
                return constantTimeEquals(a, b);
            } finally {
                Arrays.fill(a, '\0');
                if (b != null) {
                    Arrays.fill(b, '\0');
                }
            }
        }
        byte[] a = bytesCopy();
        byte[] b = null;
        try {
            b = other.bytesCopy();
            return MessageDigest.isEqual(a, b);
        } finally {
            Arrays.fill(a, (byte) 0);
            if (b != null) {
                Arrays.fill(b, (byte) 0);
            }
        }
    }

    /**
     * A short, stable identifier of the value that is safe to log and to put into security events:
     * {@code "sha256:"} followed by the first 8 bytes of the SHA-256 of the byte form, in lower-case hex.
     *
     * <p>It lets an operator tell two tokens apart without seeing either. It is not a hiding commitment for
     * low-entropy values: a short password can be recovered from its fingerprint by guessing, so fingerprint
     * tokens and keys, not passwords.
     *
     * @throws IllegalStateException if the secret is destroyed
     */
    public String fingerprint() {
        byte[] copy = bytesCopy();
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(copy);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        } finally {
            Arrays.fill(copy, (byte) 0);
        }
        StringBuilder sb = new StringBuilder("sha256:".length() + 2 * FINGERPRINT_BYTES).append("sha256:");
        for (int i = 0; i < FINGERPRINT_BYTES; i++) {
            sb.append(HEX[(digest[i] >> 4) & 0xf]).append(HEX[digest[i] & 0xf]);
        }
        return sb.toString();
    }

    /** Overwrites the value with zeros; every later access throws {@link IllegalStateException}. Idempotent. */
    @Override
    public void destroy() {
        synchronized (lock) {
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
            if (chars != null) {
                Arrays.fill(chars, '\0');
            }
            destroyed = true;
        }
    }

    @Override
    public boolean isDestroyed() {
        return destroyed;
    }

    /** Same as {@link #destroy()}, so a secret can live in a try-with-resources block. */
    @Override
    public void close() {
        destroy();
    }

    /** Identity: two secrets are equal only if they are the same object. Use {@link #contentEquals(Secret)}. */
    @Override
    public boolean equals(Object obj) {
        return this == obj;
    }

    /** Identity hash: never derived from the content. */
    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }

    /** Always {@code Secret[***]}. */
    @Override
    public String toString() {
        return "Secret[***]";
    }

    private void checkAlive() {
        if (destroyed) {
            throw new IllegalStateException(DESTROYED);
        }
    }

    private static boolean constantTimeEquals(char[] a, char[] b) {
        int diff = a.length ^ b.length;
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            char x = i < a.length ? a[i] : 0;
            char y = i < b.length ? b[i] : 0;
            diff |= x ^ y;
        }
        return diff == 0;
    }

    private static boolean wellFormed(char[] chars) {
        for (int i = 0; i < chars.length; i++) {
            char c = chars[i];
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= chars.length || !Character.isLowSurrogate(chars[i + 1])) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    /** UTF-8 encodes without an intermediate String; the work buffer is zeroed. */
    private static byte[] encode(char[] chars) {
        CharsetEncoder encoder = StandardCharsets.UTF_8.newEncoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        byte[] work = new byte[chars.length * 3];
        try {
            ByteBuffer out = ByteBuffer.wrap(work);
            CoderResult result = encoder.encode(CharBuffer.wrap(chars), out, true);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            encoder.flush(out);
            return Arrays.copyOf(work, out.position());
        } catch (CharacterCodingException e) {
            // unreachable: ofChars rejects malformed input and 3 bytes per char always suffice
            throw new IllegalStateException("secret chars cannot be encoded as UTF-8");
        } finally {
            Arrays.fill(work, (byte) 0);
        }
    }

    /** UTF-8 decodes without an intermediate String; the work buffer is zeroed. */
    private static char[] decode(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        char[] work = new char[bytes.length];
        try {
            CharBuffer out = CharBuffer.wrap(work);
            CoderResult result = decoder.decode(ByteBuffer.wrap(bytes), out, true);
            if (!result.isUnderflow()) {
                result.throwException();
            }
            decoder.flush(out);
            return Arrays.copyOf(work, out.position());
        } catch (CharacterCodingException e) {
            // no cause: the exception could describe the offending input
            throw new IllegalStateException("secret bytes are not UTF-8 text");
        } finally {
            Arrays.fill(work, '\0');
        }
    }
}
