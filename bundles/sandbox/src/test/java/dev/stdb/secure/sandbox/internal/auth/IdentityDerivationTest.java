package dev.stdb.secure.sandbox.internal.auth;

import com.nimbusds.jose.util.JSONObjectUtils;
import dev.stdb.secure.protocol.Identity;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class IdentityDerivationTest {

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> vectors() throws Exception {
        String shared = System.getProperty("stdb.shared.dir");
        if (shared == null || shared.isBlank()) {
            fail("system property stdb.shared.dir is not set (surefire sets it to <reactor>/../shared)");
        }
        Path file = Path.of(shared, "spacetimedb", "vectors", "vectors.json");
        if (!Files.isRegularFile(file)) {
            fail("test vectors not found: " + file.toAbsolutePath());
        }
        Map<String, Object> root = JSONObjectUtils.parse(Files.readString(file));
        Object list = root.get("identity_from_claims");
        if (!(list instanceof List) || ((List<?>) list).isEmpty()) {
            fail("no identity_from_claims vectors in " + file);
        }
        return (List<Map<String, Object>>) list;
    }

    @Test
    void matchesVectors() throws Exception {
        List<Map<String, Object>> vectors = vectors();
        for (Map<String, Object> v : vectors) {
            String iss = (String) v.get("iss");
            String sub = (String) v.get("sub");
            Identity id = IdentityDerivation.fromClaims(iss, sub);
            assertEquals(v.get("identity_hex_be"), id.toHex(), iss + "|" + sub);
            byte[] wire = new byte[32];
            id.toWire(wire, 0);
            assertEquals(v.get("bsatn_le_hex"), HexFormat.of().formatHex(wire), iss + "|" + sub);
        }
        assertTrue(vectors.size() >= 2);
    }

    @Test
    void alwaysStartsWithC200AndDependsOnBothClaims() {
        Identity a = IdentityDerivation.fromClaims("localhost", "x");
        Identity b = IdentityDerivation.fromClaims("localhost", "y");
        Identity c = IdentityDerivation.fromClaims("localhostx", "");
        assertTrue(a.toHex().startsWith("c200"));
        assertNotEquals(a, b);
        assertFalse(c.equals(IdentityDerivation.fromClaims("localhost", "x")));
        assertEquals(a, IdentityDerivation.fromClaims("localhost", "x"));
    }
}
