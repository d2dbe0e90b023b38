package dev.stdb.secure.api;

/** A credential store or key service could not read, write or use a secret (reason codes in the {@code store} area). */
public class CredentialStoreException extends SecureClientException {

    private static final long serialVersionUID = 1L;

    public CredentialStoreException(ReasonCode reason, String message) {
        super(reason, message);
    }

    public CredentialStoreException(ReasonCode reason, String message, Throwable cause) {
        super(reason, message, cause);
    }
}
