package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.Identity;

/** An identity the sandbox minted and the long-lived token that proves it. The token is never printed. */
public record IssuedToken(Identity identity, String token) {
    @Override
    public String toString() {
        return "IssuedToken[" + identity + ", token=***]";
    }
}
