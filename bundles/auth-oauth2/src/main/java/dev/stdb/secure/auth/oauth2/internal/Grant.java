package dev.stdb.secure.auth.oauth2.internal;

import dev.stdb.secure.api.ConfigurationException;
import java.util.Locale;

/** The grant an OAuth 2.0 provider signs in with. */
public enum Grant {
    CLIENT_CREDENTIALS("client_credentials"),
    /** RFC 8628: a person approves on another device. */
    DEVICE_CODE("device_code"),
    /** RFC 6749 + PKCE (RFC 7636) with a loopback redirect (RFC 8252). */
    AUTHORIZATION_CODE("authorization_code");

    private final String value;

    Grant(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** Whether a person takes part (device code, authorization code). */
    public boolean interactive() {
        return this != CLIENT_CREDENTIALS;
    }

    /** @throws ConfigurationException naming {@code property} */
    public static Grant parse(String value, String property) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        for (Grant g : values()) {
            if (g.value.equals(v)) {
                return g;
            }
        }
        throw new ConfigurationException(property + ": '" + value
                + "' is not one of client_credentials, device_code, authorization_code");
    }
}
