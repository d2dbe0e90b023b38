package dev.stdb.secure.audit.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The verifier as its own JVM: {@code java -cp ... dev.stdb.secure.audit.file.Verify <dir>}, exit code 0/1/2. */
class VerifyCommandTest {

    @TempDir
    Path dir;

    private record Run(int exit, String out) {
    }

    private static Run verify(String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), Verify.class.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(2, TimeUnit.MINUTES));
        return new Run(p.exitValue(), out);
    }

    @Test
    void exitCodesAndMessages() throws Exception {
        KeyPair keys = Trails.ecKeys();
        try (FileAuditTrail trail = FileAuditTrail.builder(dir).signWith(keys.getPrivate(), keys.getPublic())
                .checkpointEveryRecords(3).checkpointTimer(false).open()) {
            for (int i = 0; i < 8; i++) {
                trail.publish(Trails.event(i));
            }
        }
        Run ok = verify(dir.toString(), "--every", "3");
        assertEquals(0, ok.exit, ok.out);
        assertTrue(ok.out.startsWith("intact: 11 records"), ok.out);
        assertTrue(ok.out.contains("NOT checked"), ok.out);

        Path seg = FileAuditTrail.listSegments(dir).get(0);
        List<String> lines = Trails.lines(seg);
        lines.remove(5);
        Trails.write(seg, lines);
        Run bad = verify(dir.toString());
        assertEquals(1, bad.exit, bad.out);
        assertTrue(bad.out.startsWith("DELETED at segment " + seg.getFileName() + " line 6 (seq 6)"), bad.out);

        assertEquals(2, verify("--nonsense").exit);
    }
}
