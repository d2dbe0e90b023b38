package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.ReasonCode;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class PinSetAndPolicyTest {

    private static final String A = "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    private static final String B = "sha256/BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBA=";
    private static final String C = "cert-sha256/CCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCA=";

    @Test
    void onePinIsRejectedWithTheReason() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> PinSet.of("db.example.com", A));
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains(
                "a pin set needs at least two pins: a backup pin keeps you online through a key rotation"),
                e.getMessage());
        assertThrows(ConfigurationException.class, () -> PinSet.of("db.example.com", A, A));
        assertThrows(ConfigurationException.class, () -> PinSet.parse("db.example.com|" + A));
    }

    @Test
    void parsesTheConfigurationForm() {
        PinSet p = PinSet.parse("*.Example.com|" + A + ", " + C + "|expires=2027-01-01|mode=report-only");
        assertEquals("*.example.com", p.hostPattern());
        assertEquals(2, p.pins().size());
        assertTrue(p.pins().contains(C));
        assertEquals(LocalDate.of(2027, 1, 1), p.expires());
        assertEquals(PinSet.Mode.REPORT_ONLY, p.mode());
        assertEquals(PinSet.Mode.ENFORCE, PinSet.parse("h|" + A + "," + B).mode());
        // a bare base64 hash is an SPKI pin
        assertTrue(PinSet.parse("h|AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=," + B).pins().contains(A));
        assertThrows(ConfigurationException.class, () -> PinSet.parse("h|" + A + "," + B + "|expires=soon"));
        assertThrows(ConfigurationException.class, () -> PinSet.parse("h|" + A + "," + B + "|mode=maybe"));
        assertThrows(ConfigurationException.class, () -> PinSet.parse("h|" + A + ",sha256/tooShort"));
    }

    @Test
    void hostPatterns() {
        PinSet wild = PinSet.of("*.example.com", A, B);
        assertTrue(wild.matches("db.example.com"));
        assertTrue(wild.matches("DB.Example.COM."));
        assertFalse(wild.matches("example.com"));
        assertFalse(wild.matches("a.b.example.com"));
        assertFalse(wild.matches("evilexample.com"));
        PinSet exact = PinSet.of("127.0.0.1", A, B);
        assertTrue(exact.matches("127.0.0.1"));
        assertFalse(exact.matches("127.0.0.2"));
        assertThrows(ConfigurationException.class, () -> PinSet.of("db.*.com", A, B));
        assertThrows(ConfigurationException.class, () -> PinSet.of("*", A, B));
    }

    @Test
    void expiry() {
        PinSet p = PinSet.of("h", A, B).expiring(LocalDate.of(2027, 1, 1));
        assertFalse(p.isExpired(LocalDate.of(2027, 1, 1)));
        assertTrue(p.isExpired(LocalDate.of(2027, 1, 2)));
        assertFalse(PinSet.of("h", A, B).isExpired(LocalDate.MAX));
    }

    @Test
    void weakCipherConfiguredIsRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> new TlsPolicy(List.of(),
                List.of("TLS_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "SSL_RSA_WITH_RC4_128_MD5")));
        assertEquals(ReasonCode.INVALID_CONFIGURATION, e.reason());
        assertTrue(e.getMessage().contains("TLS_RSA_WITH_3DES_EDE_CBC_SHA"), e.getMessage());
        assertTrue(e.getMessage().contains("cipher.suites"), e.getMessage());
        for (String weak : List.of("TLS_RSA_WITH_NULL_SHA256", "TLS_DH_anon_WITH_AES_128_GCM_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "SSL_RSA_EXPORT_WITH_RC4_40_MD5", "TLS_RSA_WITH_DES_CBC_SHA")) {
            assertTrue(TlsPolicy.isWeak(weak), weak);
        }
        assertFalse(TlsPolicy.isWeak("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"));
        assertFalse(TlsPolicy.isWeak("TLS_CHACHA20_POLY1305_SHA256"));
    }

    @Test
    void oldProtocolsAndUnknownSuitesAreRefused() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> new TlsPolicy(List.of("TLSv1.2", "TLSv1.1"), List.of()));
        assertTrue(e.getMessage().contains("TLSv1.1"), e.getMessage());
        assertThrows(ConfigurationException.class, () -> new TlsPolicy(List.of(), List.of("TLS_MADE_UP_GCM_SHA256")));
        TlsPolicy only13 = new TlsPolicy(List.of("TLSv1.3"), List.of("TLS_AES_256_GCM_SHA384"));
        assertEquals(List.of("TLSv1.3"), only13.protocols());
        assertEquals(List.of("TLSv1.3", "TLSv1.2"), TlsPolicy.defaults().protocols());
    }
}
