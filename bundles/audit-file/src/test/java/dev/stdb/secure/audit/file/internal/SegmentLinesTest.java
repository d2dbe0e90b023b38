package dev.stdb.secure.audit.file.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lines longer than the read chunk, empty lines, multi-byte characters on chunk borders and a cut last line. */
class SegmentLinesTest {

    @TempDir
    Path dir;

    private Path file(String text) throws IOException {
        Path p = dir.resolve("segment-" + System.nanoTime());
        Files.write(p, text.getBytes(StandardCharsets.UTF_8));
        return p;
    }

    private static List<String> all(Path p, long[] tornAndCount) throws IOException {
        List<String> out = new ArrayList<>();
        try (SegmentLines lines = new SegmentLines(p)) {
            for (String l = lines.next(); l != null; l = lines.next()) {
                assertEquals(out.size() + 1, lines.lineNumber());
                out.add(l);
            }
            tornAndCount[0] = lines.tornLine();
            tornAndCount[1] = lines.lineNumber();
            assertNull(lines.next());
        }
        return out;
    }

    @Test
    void readsEveryCompleteLineAndReportsACutOne() throws IOException {
        String longLine = "\u20ac".repeat(70_000) + "x"; // 210 KB: spans chunks, a 3-byte character on each border
        long[] tc = new long[2];
        assertEquals(List.of("a", "", longLine, "\ud83d\ude00"),
                all(file("a\n\n" + longLine + "\n\ud83d\ude00\ncut {\"seq\":5"), tc));
        assertEquals(5, tc[0]);
        assertEquals(4, tc[1]);
        assertEquals(List.of("a", longLine), all(file("a\n" + longLine + "\n"), tc));
        assertEquals(0, tc[0]);
        assertEquals(2, tc[1]);
        assertEquals(List.of(), all(file(""), tc));
        assertEquals(0, tc[0]);
        assertEquals(List.of(), all(file("no newline"), tc));
        assertEquals(1, tc[0]);
    }

    @Test
    void lastLineIsReadFromTheEnd() throws IOException {
        String longLine = "\u00e9".repeat(10_000) + "y"; // longer than one backward read
        assertEquals("b", SegmentLines.lastLine(file("a\nb\n")));
        assertEquals("b", SegmentLines.lastLine(file("a\nb\ncut")));
        assertEquals(longLine, SegmentLines.lastLine(file("a\n" + longLine + "\n" + "z".repeat(20_000))));
        assertEquals(longLine, SegmentLines.lastLine(file(longLine + "\n")));
        assertEquals("", SegmentLines.lastLine(file("a\n\n")));
        assertNull(SegmentLines.lastLine(file("only a cut line")));
        assertNull(SegmentLines.lastLine(file("")));
    }
}
