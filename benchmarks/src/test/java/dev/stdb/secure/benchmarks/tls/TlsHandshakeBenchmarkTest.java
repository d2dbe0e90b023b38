package dev.stdb.secure.benchmarks.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

/**
 * The benchmark measures what it says: both variants complete a handshake with the same suite, the profile's
 * handshakes after the first are answered from its OCSP cache (tearDown fails otherwise), and no security event is
 * raised (the profile's sink throws).
 */
class TlsHandshakeBenchmarkTest {

    @Test
    void bothVariantsHandshakeAndTheProfileHitsItsCache() throws Exception {
        TlsHandshakeBenchmark bench = new TlsHandshakeBenchmark();
        bench.setUp();
        try {
            for (int i = 0; i < 5; i++) {
                String jdk = bench.jdkDefaultTrustManager();
                String profile = bench.profilePkixPinsOcspCached();
                assertNotNull(jdk);
                assertEquals(jdk, profile);
                assertNotNull(bench.profileContextFor());
            }
        } finally {
            bench.tearDown();
        }
    }
}
