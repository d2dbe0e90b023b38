package dev.stdb.secure.api.store;

/**
 * How well a store protects secrets at rest, declared weakest first so that the natural order
 * ({@link #compareTo(Enum)}) is the order of strength. Policies such as "refresh tokens need at least {@link #OS}"
 * use {@link #isAtLeast(Protection)}.
 */
public enum Protection {

    /** Kept in process memory only: lost on exit, visible to anything that can read the heap. */
    MEMORY,
    /** Encrypted in a file; as strong as the protection of the wrapping key or passphrase. */
    ENCRYPTED_FILE,
    /** Held by the operating system's keyring (Secret Service, Keychain, Credential Manager). */
    OS,
    /** Held by a hardware token or HSM; keys cannot be exported. */
    HARDWARE;

    /** Strength rank: higher is stronger. */
    public int strength() {
        return ordinal();
    }

    /** True if this protection is as strong as {@code required} or stronger. */
    public boolean isAtLeast(Protection required) {
        return compareTo(required) >= 0;
    }
}
