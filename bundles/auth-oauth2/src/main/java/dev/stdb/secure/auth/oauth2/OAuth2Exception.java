package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.api.AuthenticationException;
import dev.stdb.secure.api.ReasonCode;

/**
 * The identity provider refused a request or could not be reached. Carries the provider's OAuth 2.0 error code
 * ({@code invalid_client}, {@code invalid_grant}, ...) and HTTP status when there was an answer; never a secret.
 */
public class OAuth2Exception extends AuthenticationException {

    private static final long serialVersionUID = 1L;

    private final String error;
    private final int httpStatus;

    /**
     * @param reason     why it failed
     * @param message    what happened and what to do
     * @param error      the provider's OAuth 2.0 error code, or null if it did not answer with one
     * @param httpStatus the HTTP status of the answer, or 0 if there was none
     * @param cause      the underlying failure (an I/O error), or null
     */
    public OAuth2Exception(ReasonCode reason, String message, String error, int httpStatus, Throwable cause) {
        super(reason, message, cause);
        this.error = error;
        this.httpStatus = httpStatus;
    }

    /** The provider's OAuth 2.0 error code, such as {@code invalid_client}; null if there was none. */
    public String error() {
        return error;
    }

    /** The HTTP status of the provider's answer; 0 if it did not answer. */
    public int httpStatus() {
        return httpStatus;
    }
}
