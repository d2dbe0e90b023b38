package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/** The byte vectors made with the official TypeScript SDK, read from {@code ../shared} at test time. */
public final class Vectors {
    private static Map<String, Object> root;

    private Vectors() {
    }

    /** The vectors file; fails loudly when it is missing, a test never skips for want of it. */
    public static synchronized Map<String, Object> load() {
        if (root == null) {
            String dir = System.getProperty("stdb.shared.dir", "../../../shared");
            Path file = Path.of(dir, "spacetimedb", "vectors", "vectors.json").toAbsolutePath().normalize();
            if (!Files.isRegularFile(file)) {
                throw new AssertionError("test vectors not found at " + file + " (set -Dstdb.shared.dir)");
            }
            try (InputStream in = Files.newInputStream(file)) {
                root = cast(Json.parse(in, 16 * 1024 * 1024));
            } catch (IOException e) {
                throw new AssertionError("cannot read " + file, e);
            }
        }
        return root;
    }

    public static List<Map<String, Object>> section(String name) {
        return cast(load().get(name));
    }

    /** The {@code envelopes} vector of that name. */
    public static Map<String, Object> envelope(String name) {
        return section("envelopes").stream().filter(e -> name.equals(e.get("name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no envelope " + name));
    }

    /** The bytes ({@code hex}) of the {@code envelopes} vector of that name. */
    public static byte[] envelopeBytes(String name) {
        return hex((String) envelope(name).get("hex"));
    }

    @SuppressWarnings("unchecked")
    public static <T> T cast(Object o) {
        return (T) o;
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    public static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** A JSON number or a decimal string (the vectors write 64-bit and wider integers as strings). */
    public static java.math.BigInteger integer(Object o) {
        if (o instanceof BigDecimal d) {
            return d.toBigIntegerExact();
        }
        return new java.math.BigInteger((String) o);
    }

    public static int int32(Object o) {
        return integer(o).intValueExact();
    }

    public static Map<String, Object> map(Object o) {
        return cast(o);
    }

    public static List<Object> list(Object o) {
        return cast(o);
    }

    public static byte[] bytes(Object o) {
        return hex((String) map(o).get("$bytes"));
    }
}
