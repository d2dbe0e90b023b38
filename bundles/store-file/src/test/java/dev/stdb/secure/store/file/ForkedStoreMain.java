package dev.stdb.secure.store.file;

import dev.stdb.secure.api.Secret;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a forked JVM by {@link ConcurrencyTest}: opens the store in {@code args[1]} with the passphrase in the
 * environment variable {@code STDB_TEST_PASS}, prints {@code ready}, waits for a line on stdin, then works and prints
 * one line per finished step.
 *
 * <ul>
 * <li>{@code write <dir> <prefix> <count>}: writes prefix-0 .. prefix-(count-1), then prints {@code done};</li>
 * <li>{@code write-forever <dir> <key>}: writes key = 0, 1, 2, ... and prints {@code wrote n} after each;</li>
 * <li>{@code rotate-forever <dir> <passA> <passB>}: rotates the passphrase A to B to A ... printing
 *     {@code rotated n}; it starts from the passphrase it opened with.</li>
 * </ul>
 */
public final class ForkedStoreMain {

    private ForkedStoreMain() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        String pass = System.getenv("STDB_TEST_PASS");
        try (EncryptedFileStore store = Stores.fast(dir).passphrase(Secret.ofString(pass)).open()) {
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            switch (mode) {
                case "write": {
                    int count = Integer.parseInt(args[3]);
                    for (int i = 0; i < count; i++) {
                        store.write(args[2] + "-" + i, Secret.ofString("value-" + args[2] + "-" + i));
                    }
                    System.out.println("done");
                    break;
                }
                case "write-forever": {
                    for (long n = 0; ; n++) {
                        store.write(args[2], Secret.ofString(Long.toString(n)));
                        System.out.println("wrote " + n);
                        System.out.flush();
                    }
                }
                case "rotate-forever": {
                    String current = pass;
                    for (long n = 1; ; n++) {
                        current = current.equals(args[2]) ? args[3] : args[2];
                        store.rotatePassphrase(Secret.ofString(current));
                        System.out.println("rotated " + n);
                        System.out.flush();
                    }
                }
                default:
                    throw new IllegalArgumentException(mode);
            }
        }
        System.out.flush();
    }
}
