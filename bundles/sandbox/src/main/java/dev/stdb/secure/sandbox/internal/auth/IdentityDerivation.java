package dev.stdb.secure.sandbox.internal.auth;

import dev.stdb.secure.protocol.Identity;
import org.bouncycastle.crypto.digests.Blake3Digest;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * SpacetimeDB's {@code Identity::from_claims(iss, sub)} (PROTOCOL.md §2).
 *
 * <ol>
 *   <li>{@code h = BLAKE3(utf8(iss + "|" + sub))}, {@code id = h[0..26]}</li>
 *   <li>{@code c = BLAKE3([0xC2, 0x00] ++ id)}, first 4 bytes</li>
 *   <li>identity, big-endian: {@code [0xC2, 0x00] ++ c[0..4] ++ id}</li>
 * </ol>
 */
public final class IdentityDerivation {
    private static final int ID_BYTES = 26;
    private static final int CHECKSUM_BYTES = 4;
    private static final byte PREFIX_0 = (byte) 0xC2;
    private static final byte PREFIX_1 = 0x00;

    private IdentityDerivation() {
    }

    public static Identity fromClaims(String issuer, String subject) {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(subject, "subject");
        byte[] h = blake3((issuer + "|" + subject).getBytes(StandardCharsets.UTF_8));

        byte[] checksumInput = new byte[2 + ID_BYTES];
        checksumInput[0] = PREFIX_0;
        checksumInput[1] = PREFIX_1;
        System.arraycopy(h, 0, checksumInput, 2, ID_BYTES);
        byte[] c = blake3(checksumInput);

        byte[] be = new byte[Identity.BYTES];
        be[0] = PREFIX_0;
        be[1] = PREFIX_1;
        System.arraycopy(c, 0, be, 2, CHECKSUM_BYTES);
        System.arraycopy(h, 0, be, 2 + CHECKSUM_BYTES, ID_BYTES);
        return Identity.fromBigEndian(be);
    }

    private static byte[] blake3(byte[] input) {
        Blake3Digest digest = new Blake3Digest(256);
        digest.update(input, 0, input.length);
        byte[] out = new byte[32];
        digest.doFinal(out, 0);
        return out;
    }
}
