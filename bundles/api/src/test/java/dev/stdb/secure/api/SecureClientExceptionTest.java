package dev.stdb.secure.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Instant;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SecureClientExceptionTest {

    @Test
    void messageCarriesTheReasonCode() {
        AuthenticationException e = new AuthenticationException(ReasonCode.TOKEN_EXPIRED,
                "token for subject alice expired at 2026-01-01T00:00:00Z");
        assertEquals("[auth.token_expired] token for subject alice expired at 2026-01-01T00:00:00Z", e.getMessage());
        assertSame(ReasonCode.TOKEN_EXPIRED, e.reason());
        assertNull(e.getCause());
    }

    @Test
    void missingMessageFallsBackToTheDescription() {
        TlsException e = new TlsException(ReasonCode.PIN_MISMATCH, null);
        assertEquals("[tls.pin_mismatch] " + ReasonCode.PIN_MISMATCH.description(), e.getMessage());
        assertEquals(e.getMessage(), new TlsException(ReasonCode.PIN_MISMATCH, "  ").getMessage());
    }

    @Test
    void causeIsKept() {
        IOException io = new IOException("connection reset");
        ConnectionException e = new ConnectionException(ReasonCode.CONNECTION_LOST, "lost wss://h/db", io);
        assertSame(io, e.getCause());
        assertTrue(e instanceof SecureClientException);
    }

    @Test
    void fixedReasonSubclasses() {
        assertSame(ReasonCode.INVALID_CONFIGURATION, new ConfigurationException("uri is missing").reason());
        assertEquals("[config.invalid] uri is missing", new ConfigurationException("uri is missing").getMessage());
        assertSame(ReasonCode.PROVIDER_MISSING,
                new ProviderUnavailableException("no AuthProvider matches (provider.id=x)").reason());
    }

    @Test
    void anomalyBlockCarriesRetryAfter() {
        Instant when = Instant.parse("2026-05-01T10:00:00Z");
        AnomalyBlockedException e = new AnomalyBlockedException(ReasonCode.ANOMALY_BLOCKED, "blocked alice", when);
        assertEquals(when, e.retryAfter());
        assertNull(new AnomalyBlockedException(ReasonCode.LOCKED_OUT, "locked", null).retryAfter());
        assertEquals("[anomaly.blocked] blocked alice", e.getMessage());
    }

    @Test
    void reasonCodesAreUniqueAndWellFormed() {
        Set<String> codes = new HashSet<>();
        for (ReasonCode r : ReasonCode.values()) {
            assertTrue(codes.add(r.code()), "duplicate code " + r.code());
            assertTrue(r.code().matches("[a-z]+\\.[a-z_]+"), r.code());
            assertTrue(r.code().startsWith(r.area().name().toLowerCase(Locale.ROOT) + "."),
                    r + " code " + r.code() + " outside its area " + r.area());
            assertFalse(r.description().isBlank(), r + " has no description");
        }
        assertEquals(ReasonCode.values().length, codes.size());
    }

    @Test
    void requiredReasonsExist() {
        for (String name : new String[] {"INVALID_CREDENTIALS", "TOKEN_EXPIRED", "TOKEN_INVALID", "TOKEN_FORGED",
                "IDP_UNREACHABLE", "REFRESH_FAILED", "RELOGIN_REQUIRED", "MFA_REQUIRED", "MFA_FAILED", "LOCKED_OUT",
                "UNTRUSTED_CHAIN", "CERT_EXPIRED", "HOSTNAME_MISMATCH", "PIN_MISMATCH", "REVOKED", "REVOCATION_UNKNOWN", "PROTOCOL_REFUSED",
                "WEAK_CIPHER", "CLIENT_CERT_UNAVAILABLE", "STORE_LOCKED", "STORE_UNAVAILABLE", "STORE_TAMPERED",
                "STORE_PERMISSIONS", "KEY_UNAVAILABLE", "ENTRY_NOT_FOUND", "AUDIT_SINK_UNAVAILABLE",
                "AUDIT_CHAIN_BROKEN", "INVALID_CONFIGURATION", "CONNECTION_FAILED", "CONNECTION_LOST",
                "PROTOCOL_ERROR", "OUTCOME_UNKNOWN", "PROVIDER_MISSING", "SERVER_REJECTED"}) {
            ReasonCode.valueOf(name);
        }
    }
}
