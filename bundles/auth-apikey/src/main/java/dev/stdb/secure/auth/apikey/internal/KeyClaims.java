package dev.stdb.secure.auth.apikey.internal;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.auth.Credential;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/**
 * A credential around a bearer token, with issuer, subject and expiry read from the token when it is a JWT. The
 * claims are read, not verified: the server that receives the token verifies it; here they only say when to renew.
 */
public final class KeyClaims {

    private KeyClaims() {
    }

    /** Takes ownership of {@code token}. */
    public static Credential credential(Secret token) {
        Credential.Builder b = Credential.builder(token);
        JWTClaimsSet claims = token.withChars(chars -> parse(new String(chars)));
        if (claims != null) {
            b.issuer(claims.getIssuer()).subject(claims.getSubject()).issuedAt(instant(claims.getIssueTime()))
                    .expiresAt(instant(claims.getExpirationTime()));
        }
        return b.build();
    }

    private static JWTClaimsSet parse(String text) {
        if (text.chars().filter(c -> c == '.').count() != 2) {
            return null;
        }
        try {
            return JWTParser.parse(text).getJWTClaimsSet();
        } catch (ParseException e) {
            return null;
        }
    }

    private static Instant instant(Date date) {
        return date == null ? null : date.toInstant();
    }
}
