package dev.stdb.secure.itests;

import java.io.File;
import java.util.HexFormat;
import java.util.List;

/**
 * Byte vectors from {@code ../shared/spacetimedb/vectors/vectors.json} (section {@code envelopes}) and the facts the
 * integration tests check about the two bundles.
 */
final class Vectors {
    /** {@code server_frame_uncompressed}: tag 0, then InitialConnection. */
    static final String SERVER_FRAME_UNCOMPRESSED = "00001e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100"
            + "c2ffeeddccbbaa998877665544332211000e00000065794a2e746573742e746f6b656e";
    static final String INITIAL_IDENTITY_HEX = "c2000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e";
    static final String INITIAL_CONNECTION_ID_HEX = "00112233445566778899aabbccddeeff";
    static final String INITIAL_TOKEN = "eyJ.test.token";

    /** {@code server_frame_gzip}: tag 2, then SubscribeApplied_RowOffsets gzipped. */
    static final String SERVER_FRAME_GZIP = "021f8b080000000000000363646460606067606000d16c0c0c0c05a945c5f9798c4c0c08c"
            + "00da5c5a0ca981918181c531299a04ca7fc2400b40d4ec646000000";
    /** {@code server_frame_brotli}: tag 1, then the same SubscribeApplied compressed with Brotli. */
    static final String SERVER_FRAME_BROTLI = "011b4500f88fd4614d1c4722aadbdeff0c41d73aa951646fa909432555005b74828960e0"
            + "9302c0026c048de315f707";
    /** What both compressed frames hold: SubscribeApplied(requestId 1, querySetId 7, table person, rows (1,Ada),(2,Bob)). */
    static final int SUBSCRIBE_REQUEST_ID = 1;
    static final int SUBSCRIBE_QUERY_SET_ID = 7;
    static final String SUBSCRIBE_TABLE = "person";
    static final String SUBSCRIBE_ROWS_HEX = "01000000030000004164610200000003000000426f62";
    static final long[] SUBSCRIBE_ROW_OFFSETS = {0, 11};

    static final String API_BSN = "dev.stdb.secure.api";
    static final String PROTOCOL_BSN = "dev.stdb.secure.protocol";
    /** Packages the design names for each bundle; all of them must be exported (more may be). */
    static final List<String> API_PACKAGES = List.of("dev.stdb.secure.api", "dev.stdb.secure.api.auth",
            "dev.stdb.secure.api.tls", "dev.stdb.secure.api.store", "dev.stdb.secure.api.audit",
            "dev.stdb.secure.api.anomaly", "dev.stdb.secure.api.compliance", "dev.stdb.secure.api.connection");
    static final List<String> PROTOCOL_PACKAGES = List.of("dev.stdb.secure.protocol", "dev.stdb.secure.protocol.bsatn",
            "dev.stdb.secure.protocol.message", "dev.stdb.secure.protocol.frame", "dev.stdb.secure.protocol.schema",
            "dev.stdb.secure.protocol.value");
    /** The embedded, private Brotli decoder. */
    static final String BROTLI_PACKAGE = "org.brotli.dec";

    private Vectors() {
    }

    static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }

    static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    /** An {@code internal} package: {@code ...internal} or anything below it. */
    static boolean isInternal(String pkg) {
        return pkg.endsWith(".internal") || pkg.contains(".internal.");
    }

    /** The bundle jar named by system property {@code stdb.bundle.<name>} (set by failsafe); fails if it is missing. */
    static File bundleJar(String name) {
        String path = System.getProperty("stdb.bundle." + name);
        if (path == null) {
            throw new AssertionError("system property stdb.bundle." + name + " is not set (run the tests with mvn verify)");
        }
        File f = new File(path);
        if (!f.isFile()) {
            throw new AssertionError("bundle jar " + f + " does not exist");
        }
        return f;
    }

    /** A required system property (a version passed by failsafe from the root pom). */
    static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            throw new AssertionError("system property " + property + " is not set (run the tests with mvn verify)");
        }
        return value;
    }
}
