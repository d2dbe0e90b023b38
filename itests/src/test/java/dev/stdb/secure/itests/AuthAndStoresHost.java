package dev.stdb.secure.itests;

import static dev.stdb.secure.itests.AuthAndStoresIT.APIKEY_CLIENT;
import static dev.stdb.secure.itests.AuthAndStoresIT.APIKEY_IDENTITY;
import static dev.stdb.secure.itests.AuthAndStoresIT.APIKEY_SECRET;
import static dev.stdb.secure.itests.AuthAndStoresIT.AUDIENCE;
import static dev.stdb.secure.itests.AuthAndStoresIT.ISSUER;
import static dev.stdb.secure.itests.AuthAndStoresIT.JWT_CLIENT;
import static dev.stdb.secure.itests.AuthAndStoresIT.JWT_IDENTITY;
import static dev.stdb.secure.itests.AuthAndStoresIT.JWT_SECRET;
import static dev.stdb.secure.itests.AuthAndStoresIT.LIBRARY;
import static dev.stdb.secure.itests.AuthAndStoresIT.PIN_FILE;
import static dev.stdb.secure.itests.AuthAndStoresIT.TOKEN_ENDPOINT;
import static dev.stdb.secure.itests.AuthAndStoresIT.TOKEN_LABEL;
import static dev.stdb.secure.itests.AuthAndStoresIT.WORK_DIR;

import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.softhsm.SoftHsm;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.UUID;

import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Host side of {@link AuthAndStoresIT} (never loaded in the probe: Keycloak, SoftHSM2 and Bouncy Castle are not in the
 * framework): the token, the PIN file, the Keycloak clients, and the settings that reach the probe as system properties.
 */
final class AuthAndStoresHost {
    private static Map<String, String> settings;

    private AuthAndStoresHost() {
    }

    /**
     * The SoftHSM2 token (before anything loads the library), the PIN file, and two confidential clients in Keycloak
     * with service accounts: one whose secret is the API key, one whose tokens carry {@value #AUDIENCE} for auth-jwt.
     */
    static synchronized Map<String, String> setup() throws Exception {
        if (settings != null) {
            return settings;
        }
        SoftHsm.init(TOKEN_LABEL);
        Path work = Files.createTempDirectory(Files.createDirectories(Paths.get("target").toAbsolutePath()),
                "auth-stores-");
        Path pin = work.resolve("hsm.pin");
        Files.writeString(pin, SoftHsm.PIN);
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));

        Keycloak k = Keycloak.shared();
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String apikeyClient = "itest-apikey-" + suffix;
        String apikeySecret = "apikey-" + UUID.randomUUID();
        createClient(k, apikeyClient, apikeySecret, "");
        String jwtClient = "itest-jwt-" + suffix;
        String jwtSecret = "jwt-" + UUID.randomUUID();
        createClient(k, jwtClient, jwtSecret, ",\"protocolMappers\":[{\"name\":\"audience\",\"protocol\":"
                + "\"openid-connect\",\"protocolMapper\":\"oidc-audience-mapper\",\"config\":{"
                + "\"included.custom.audience\":\"" + AUDIENCE + "\",\"access.token.claim\":\"true\","
                + "\"id.token.claim\":\"false\"}}]");

        Map<String, String> s = new HashMap<>();
        s.put(ISSUER, k.issuer());
        s.put(TOKEN_ENDPOINT, k.tokenEndpoint().toString());
        s.put(APIKEY_CLIENT, apikeyClient);
        s.put(APIKEY_SECRET, apikeySecret);
        s.put(APIKEY_IDENTITY, identityHex(k.issuer(), k.serviceAccountUserId(apikeyClient)));
        s.put(JWT_CLIENT, jwtClient);
        s.put(JWT_SECRET, jwtSecret);
        s.put(JWT_IDENTITY, identityHex(k.issuer(), k.serviceAccountUserId(jwtClient)));
        s.put(PIN_FILE, pin.toString());
        s.put(LIBRARY, SoftHsm.LIBRARY.toString());
        s.put(WORK_DIR, work.toString());
        settings = s;
        return s;
    }

    private static void createClient(Keycloak k, String clientId, String secret, String more) {
        Keycloak.Response r = k.admin("POST", "/clients", "{\"clientId\":\"" + clientId + "\",\"enabled\":true,"
                + "\"protocol\":\"openid-connect\",\"publicClient\":false,\"clientAuthenticatorType\":\"client-secret\","
                + "\"secret\":\"" + secret + "\",\"serviceAccountsEnabled\":true,\"standardFlowEnabled\":false,"
                + "\"directAccessGrantsEnabled\":false" + more + "}");
        if (r.status() != 201) {
            throw new AssertionError("cannot create client " + clientId + ": " + r.status() + " " + r.body());
        }
    }

    /** SpacetimeDB's {@code Identity::from_claims(iss, sub)} as hex (PROTOCOL.md §2), big-endian. */
    static String identityHex(String issuer, String subject) {
        byte[] h = blake3((issuer + "|" + subject).getBytes(StandardCharsets.UTF_8));
        byte[] checksumInput = new byte[28];
        checksumInput[0] = (byte) 0xC2;
        System.arraycopy(h, 0, checksumInput, 2, 26);
        byte[] c = blake3(checksumInput);
        byte[] be = new byte[32];
        be[0] = (byte) 0xC2;
        System.arraycopy(c, 0, be, 2, 4);
        System.arraycopy(h, 0, be, 6, 26);
        return HexFormat.of().formatHex(be);
    }

    private static byte[] blake3(byte[] input) {
        Blake3Digest d = new Blake3Digest(256);
        d.update(input, 0, input.length);
        byte[] out = new byte[32];
        d.doFinal(out, 0);
        return out;
    }

}
