package dev.stdb.secure.store.file;

import dev.stdb.secure.api.Secret;
import java.nio.file.Path;

/** Test helpers: cheap Argon2id parameters so tests stay fast on 2 cores (the defaults are tested once). */
final class Stores {
    static final String PASS = "correct horse battery staple";

    private Stores() {
    }

    static EncryptedFileStore.Builder fast(Path dir) {
        return EncryptedFileStore.builder(dir).argon2(1024, 1, 1);
    }

    static EncryptedFileStore open(Path dir) {
        return fast(dir).passphrase(Secret.ofString(PASS)).open();
    }

    static EncryptedFileStore open(Path dir, String passphrase) {
        return fast(dir).passphrase(Secret.ofString(passphrase)).open();
    }

    static String text(Secret s) {
        try (s) {
            return s.withChars(String::new);
        }
    }

    static Secret secret(String v) {
        return Secret.ofString(v);
    }
}
