package dev.stdb.secure.store.pkcs11;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.testing.softhsm.SoftHsm;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs in its own JVM (started by {@link ChildJvmTest}): once a token directory SoftHSM2 has loaded disappears,
 * SoftHSM2 answers every later slot query of that process with CKR_GENERAL_ERROR, so this cannot share the test JVM.
 * Prints one line per step: {@code <step> OK}, {@code <step> <reason code> <message>} for a typed failure, or
 * {@code <step> RAW <exception>} for anything else.
 */
public final class TokenRemovalProbe {

    interface Step {
        Object run() throws Exception;
    }

    public static void main(String[] args) throws Exception {
        Path tokens = Path.of(args[0]);
        Path data = Path.of(args[1]);
        String mode = args[2];
        if (mode.equals("label-without-exports")) {
            Pkcs11Store s = TestTokens.store(TestTokens.MAIN, data).build();
            step("label", s::aliases);
            return;
        }
        Pkcs11Store store = Pkcs11Store.builder().library(SoftHsm.LIBRARY).slotListIndex(0)
                .pin(() -> SoftHsm.PIN.toCharArray()).dataDir(data).build();
        step("open", () -> {
            store.write("k", Secret.ofString("v1"));
            store.generateAesKey("aes");
            return store.read("k").orElseThrow();
        });
        List<Path[]> moved = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tokens)) {
            for (Path d : dirs) {
                Path away = tokens.resolveSibling("removed-" + d.getFileName());
                Files.move(d, away);
                moved.add(new Path[] {d, away});
            }
        }
        System.out.println("REMOVED " + moved.size());
        for (int round = 1; round <= 2; round++) {
            step("read" + round, () -> store.read("k"));
            step("write" + round, () -> {
                store.write("k2", Secret.ofString("v2"));
                return null;
            });
            step("wrap" + round, () -> store.wrap("aes", Secret.ofString("x")));
            step("aliases" + round, store::aliases);
        }
        Pkcs11Store fresh = Pkcs11Store.builder().library(SoftHsm.LIBRARY).slotListIndex(0)
                .pin(() -> SoftHsm.PIN.toCharArray()).dataDir(data).build();
        step("fresh", fresh::aliases);
        for (Path[] m : moved) {
            Files.move(m[1], m[0]);
        }
        step("restored", store::aliases);
        System.out.println("DONE");
    }

    private static void step(String name, Step s) {
        try {
            s.run();
            System.out.println(name + " OK");
        } catch (CredentialStoreException e) {
            System.out.println(name + " " + e.reason() + " " + e.getMessage());
        } catch (Throwable t) {
            System.out.println(name + " RAW " + t);
        }
    }
}
