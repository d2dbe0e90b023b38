package dev.stdb.secure.store.keyring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * After marker secrets are written, no file of the private keyring (gnome-keyring's login.keyring, encrypted with the
 * keyring password) and no log or report under target/ contains them. The markers are made at run time, so they are
 * in no class file; a planted file proves the scan finds a marker where there is one.
 */
@ExtendWith(PrivateKeyring.class)
class NeverPlaintextTest {

    private static final byte[] MAGIC = "GnomeKeyring\n\r\0\n".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void markersAreNowhereOnDiskInPlaintext() throws Exception {
        PrivateKeyring k = PrivateKeyring.get();
        Path login = k.keyringFiles().resolve("login.keyring");
        FileTime before = Files.exists(login) ? Files.getLastModifiedTime(login) : FileTime.fromMillis(0);
        long sizeBefore = Files.exists(login) ? Files.size(login) : 0;

        String text = "marker-text-" + UUID.randomUUID();
        String binary = "marker-bin-" + UUID.randomUUID();
        try (KeyringCredentialStore store = KeyringCredentialStore.builder("plaintext-check").build()) {
            store.write("text", Secret.ofString(text));
            byte[] b = ("\u0000\u00ff" + binary).getBytes(StandardCharsets.ISO_8859_1);
            store.write("binary", Secret.ofBytes(b));
            assertTrue(store.read("text").orElseThrow().contentEquals(Secret.ofString(text)));

            // gnome-keyring rewrites login.keyring after a change: wait for that, so the scan is not of an old file
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (!Files.exists(login) || (Files.getLastModifiedTime(login).equals(before)
                    && Files.size(login) == sizeBefore)) {
                if (System.nanoTime() > deadline) {
                    fail("login.keyring was not rewritten within 60 s");
                }
                Thread.sleep(100);
            }
            byte[] file = Files.readAllBytes(login);
            assertTrue(file.length > MAGIC.length && Arrays.equals(MAGIC, Arrays.copyOf(file, MAGIC.length)),
                    "login.keyring is not gnome-keyring's encrypted binary format (a password-less keyring is"
                            + " stored as plaintext)");

            Path target = Path.of(System.getProperty("keyring.test.dir", "target"));
            List<Path> scanned = new ArrayList<>();
            List<Path> hits = new ArrayList<>();
            for (Path root : List.of(k.dir(), target.resolve("dbus"), target.resolve("surefire-reports"))) {
                scan(root, List.of(text, binary), scanned, hits);
            }
            assertTrue(scanned.contains(login.toAbsolutePath()) || scanned.contains(login), scanned.toString());
            assertEquals(List.of(), hits, "plaintext secrets on disk");

            // the scan is not blind: a planted copy is found
            Path planted = k.dir().resolve("logs").resolve("planted.txt");
            Files.writeString(planted, "x" + text + "y");
            List<Path> control = new ArrayList<>();
            scan(k.dir(), List.of(text), new ArrayList<>(), control);
            Files.delete(planted);
            assertEquals(List.of(planted), control);

            store.delete("text");
            store.delete("binary");
        }
        assertFalse(text.isEmpty());
    }

    private static void scan(Path root, List<String> markers, List<Path> scanned, List<Path> hits) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                byte[] content;
                try {
                    content = Files.readAllBytes(p);
                } catch (IOException e) {
                    continue; // a socket or a file that vanished
                }
                scanned.add(p.toAbsolutePath());
                String latin1 = new String(content, StandardCharsets.ISO_8859_1);
                for (String m : markers) {
                    if (latin1.contains(m)) {
                        hits.add(p);
                    }
                }
            }
        }
    }
}
