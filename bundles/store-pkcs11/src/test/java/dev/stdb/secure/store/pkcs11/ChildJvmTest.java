package dev.stdb.secure.store.pkcs11;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.store.pkcs11.internal.TokenLabels;
import dev.stdb.secure.testing.softhsm.SoftHsm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scenarios that need a JVM of their own: a token removed under a live store, and a JVM without the wrapper export. */
class ChildJvmTest {

    @TempDir
    Path dir;

    private static List<String> runChild(Map<String, String> env, boolean exports, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (exports) {
            cmd.addAll(List.of(TokenLabels.ADD_EXPORTS.split(" ")));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TokenRemovalProbe.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    private static String line(List<String> out, String step) {
        return out.stream().filter(l -> l.startsWith(step + " ")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + step + " in " + out));
    }

    /**
     * The token's directory is moved away while the store is logged in (SoftHSM2's equivalent of pulling the token).
     * Every later call either still succeeds from the session's state or fails as STORE_UNAVAILABLE; nothing raw
     * escapes; a store opened afresh reports the token unavailable. SoftHSM2 itself does not recover in that process
     * (its slot list stays CKR_GENERAL_ERROR even after the directory is back), which is why this runs in a child JVM;
     * recovery of the store is tested in-process ({@code Pkcs11StoreTest.aStoreRecoversAfterTheTokenSessionIsLost}).
     */
    @Test
    void tokenRemovedUnderALiveStoreFailsTyped() throws Exception {
        SoftHsm.requireInstalled();
        Path conf = dir.resolve("softhsm2.conf");
        Path tokens = Files.createDirectories(dir.resolve("tokens"));
        SoftHsm.writeConf(conf, tokens);
        SoftHsm.initToken(conf, "removable");
        List<String> out = runChild(Map.of("SOFTHSM2_CONF", conf.toString()), false, tokens.toString(),
                dir.resolve("data").toString(), "remove");
        String all = String.join("\n", out);
        System.out.println("token removal probe:\n" + all);
        assertEquals("open OK", line(out, "open"), all);
        assertEquals("REMOVED 1", line(out, "REMOVED"), all);
        assertTrue(out.contains("DONE"), all);
        assertFalse(all.contains(" RAW "), all);
        assertFalse(all.contains(SoftHsm.PIN), all);
        int unavailable = 0;
        for (String step : List.of("read1", "write1", "wrap1", "aliases1", "read2", "write2", "wrap2", "aliases2")) {
            String l = line(out, step);
            assertTrue(l.equals(step + " OK") || l.startsWith(step + " STORE_UNAVAILABLE "), all);
            if (l.startsWith(step + " STORE_UNAVAILABLE ")) {
                unavailable++;
            }
        }
        assertTrue(unavailable > 0, "the removal is noticed: " + all);
        assertTrue(line(out, "fresh").startsWith("fresh STORE_UNAVAILABLE "), all);
        assertTrue(line(out, "fresh").contains("slot list index 0 of " + SoftHsm.LIBRARY), all);
    }

    @Test
    void tokenLabelWithoutTheWrapperExportSaysWhatToAdd() throws Exception {
        Path tokens = TestTokens.init();
        List<String> out = runChild(Map.of("SOFTHSM2_CONF", System.getenv("SOFTHSM2_CONF")), false,
                tokens.toString(), dir.resolve("data").toString(), "label-without-exports");
        String l = line(out, "label");
        assertTrue(l.startsWith("label STORE_UNAVAILABLE "), String.join("\n", out));
        assertTrue(l.contains(TokenLabels.ADD_EXPORTS), l);
        assertTrue(l.contains("slot or slot.list.index"), l);
    }
}
