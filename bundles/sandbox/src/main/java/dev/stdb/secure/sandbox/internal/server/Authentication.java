package dev.stdb.secure.sandbox.internal.server;

import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.sandbox.internal.auth.LocalIssuer;
import dev.stdb.secure.sandbox.internal.auth.MintedToken;
import dev.stdb.secure.sandbox.internal.auth.TokenRejectedException;
import dev.stdb.secure.sandbox.internal.auth.TokenValidator;
import dev.stdb.secure.sandbox.internal.auth.ValidatedToken;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * Who a request is from (PROTOCOL.md §1.1): {@code Authorization: Bearer} wins over {@code ?token=}; with neither,
 * the server mints a fresh anonymous identity, exactly like {@code POST /v1/identity}.
 */
final class Authentication {
    private final LocalIssuer issuer;
    private final TokenValidator validator;

    Authentication(LocalIssuer issuer, TokenValidator validator) {
        this.issuer = issuer;
        this.validator = validator;
    }

    /** The caller's identity and the token it is known by. {@code validated} is null for a minted identity. */
    record Caller(Identity identity, String token, ValidatedToken validated) {
        @Override
        public String toString() {
            return "Caller[" + identity + "]";
        }
    }

    /** The presented token, or null. */
    static String presentedToken(Request request) {
        String header = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return header.substring(7).trim();
        }
        return Request.extractQueryParameters(request).getValue("token");
    }

    Caller authenticate(Request request) throws HttpError {
        String token = presentedToken(request);
        if (token == null || token.isEmpty()) {
            MintedToken minted = issuer.mintAnonymous();
            return new Caller(minted.identity(), minted.token(), null);
        }
        return validated(token);
    }

    /** For routes that require a token. */
    Caller require(Request request) throws HttpError {
        String token = presentedToken(request);
        if (token == null || token.isEmpty()) {
            throw new HttpError(401, "this route requires a token: Authorization: Bearer <token>");
        }
        return validated(token);
    }

    private Caller validated(String token) throws HttpError {
        try {
            ValidatedToken v = validator.validate(token);
            return new Caller(v.identity(), token, v);
        } catch (TokenRejectedException e) {
            throw new HttpError(e.status(), e.getMessage());
        }
    }
}
