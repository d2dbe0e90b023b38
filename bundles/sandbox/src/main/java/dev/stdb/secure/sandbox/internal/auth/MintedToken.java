package dev.stdb.secure.sandbox.internal.auth;

import dev.stdb.secure.protocol.Identity;

import java.util.Objects;

/** A freshly minted anonymous identity and its long-lived token ({@code POST /v1/identity}). */
public record MintedToken(Identity identity, String token) {
    public MintedToken {
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(token, "token");
    }

    /** Never prints the token. */
    @Override
    public String toString() {
        return "MintedToken[identity=" + identity + ", token=<redacted>]";
    }
}
