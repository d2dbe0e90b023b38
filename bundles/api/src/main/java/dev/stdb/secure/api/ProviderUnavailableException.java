package dev.stdb.secure.api;

/**
 * No provider service (auth, TLS, store, key service) matching the configuration is bound right now. In OSGi this
 * is usually temporary: the connection waits for a provider to appear.
 */
public class ProviderUnavailableException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    /** With reason {@link ReasonCode#PROVIDER_MISSING}; name the service type and target filter in the message. */
    public ProviderUnavailableException(String message) {
        super(ReasonCode.PROVIDER_MISSING, message);
    }

    /** With reason {@link ReasonCode#PROVIDER_MISSING}. */
    public ProviderUnavailableException(String message, Throwable cause) {
        super(ReasonCode.PROVIDER_MISSING, message, cause);
    }
}
