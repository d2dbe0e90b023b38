package dev.stdb.secure.api;

/**
 * A configuration value is missing or invalid. The message names the property and the accepted values, so an
 * operator can fix it without reading code. Never include the value of a secret property.
 */
public class ConfigurationException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    /** With reason {@link ReasonCode#INVALID_CONFIGURATION}. */
    public ConfigurationException(String message) {
        super(ReasonCode.INVALID_CONFIGURATION, message);
    }

    /** With reason {@link ReasonCode#INVALID_CONFIGURATION}. */
    public ConfigurationException(String message, Throwable cause) {
        super(ReasonCode.INVALID_CONFIGURATION, message, cause);
    }
}
