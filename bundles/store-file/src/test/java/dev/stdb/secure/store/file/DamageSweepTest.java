package dev.stdb.secure.store.file;

import static dev.stdb.secure.store.file.Stores.open;
import static dev.stdb.secure.store.file.Stores.secret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every single-byte flip and every truncation of a small store: opening and reading never crash, never return a
 * wrong value, and fail only with a store reason code (the value of an entry the damage did not reach still reads).
 */
class DamageSweepTest {

    private static final Map<String, String> VALUES = Map.of("a", "value-one", "b", "value-two", "c", "value-three");
    private static final Set<ReasonCode> EXPECTED = EnumSet.of(ReasonCode.STORE_TAMPERED, ReasonCode.STORE_LOCKED);

    @TempDir
    Path tmp;

    @Test
    void everyFlipAndEveryTruncationIsDetectedNeverMisread() throws Exception {
        Path dir = tmp.resolve("s");
        try (EncryptedFileStore s = open(dir)) {
            for (Map.Entry<String, String> e : VALUES.entrySet()) {
                s.write(e.getKey(), secret(e.getValue()));
            }
        }
        Path file = dir.resolve(EncryptedFileStore.FILE_NAME);
        byte[] good = Files.readAllBytes(file);
        int detected = 0;
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= (byte) (1 << (i % 8));
            Files.write(file, bad);
            detected += check(dir, "flip at " + i);
        }
        for (int len = 0; len < good.length; len++) {
            Files.write(file, Arrays.copyOf(good, len));
            detected += check(dir, "truncated to " + len);
        }
        assertEquals(2 * good.length, detected, "every damaged file is reported by open, verify or a read");
    }

    /** 1 if the damage was reported somewhere; fails the test on a crash or a wrong value. */
    private static int check(Path dir, String what) {
        boolean reported = false;
        EncryptedFileStore s;
        try {
            s = open(dir);
        } catch (CredentialStoreException e) {
            assertTrue(EXPECTED.contains(e.reason()), what + ": " + e.reason() + " " + e.getMessage());
            return 1;
        }
        try (s) {
            try {
                s.verify();
            } catch (CredentialStoreException e) {
                assertEquals(ReasonCode.STORE_TAMPERED, e.reason(), what);
                reported = true;
            }
            for (Map.Entry<String, String> e : VALUES.entrySet()) {
                try {
                    Optional<Secret> v = s.read(e.getKey());
                    assertTrue(v.isPresent(), what + ": entry " + e.getKey() + " silently missing");
                    assertEquals(e.getValue(), Stores.text(v.get()), what + ": wrong value for " + e.getKey());
                } catch (CredentialStoreException x) {
                    assertEquals(ReasonCode.STORE_TAMPERED, x.reason(), what);
                    assertTrue(x.getMessage().contains("'" + e.getKey() + "'"), what + ": " + x.getMessage());
                    reported = true;
                }
            }
        }
        return reported ? 1 : 0;
    }
}
