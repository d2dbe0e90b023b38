package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.api.ConfigurationException;
import java.util.Locale;

/** How the client proves its identity at the token endpoint (RFC 6749 §2.3, OIDC Core §9, RFC 8705). */
public enum ClientAuth {
    /** Client id and secret in an HTTP Basic {@code Authorization} header. */
    CLIENT_SECRET_BASIC("client_secret_basic"),
    /** Client id and secret as form parameters. */
    CLIENT_SECRET_POST("client_secret_post"),
    /** A JWT signed with the client's private key (RFC 7523): the key never leaves the client, or its KeyService. */
    PRIVATE_KEY_JWT("private_key_jwt"),
    /**
     * Mutual TLS with a PKI client certificate (RFC 8705 2.1): the token request goes over a TLS connection that
     * presents the certificate; the body carries only {@code client_id}.
     */
    TLS_CLIENT_AUTH("tls_client_auth");

    private final String value;

    ClientAuth(String value) {
        this.value = value;
    }

    /** The registered name, for example {@code client_secret_basic}. */
    public String value() {
        return value;
    }

    /**
     * The method named {@code value} (its registered name, case-insensitive).
     *
     * @throws ConfigurationException naming {@code property} if there is none
     */
    public static ClientAuth parse(String value, String property) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (ClientAuth a : values()) {
            if (a.value.equals(v)) {
                return a;
            }
        }
        throw new ConfigurationException(property + ": '" + value
                + "' is not one of client_secret_basic, client_secret_post, private_key_jwt, tls_client_auth");
    }
}
