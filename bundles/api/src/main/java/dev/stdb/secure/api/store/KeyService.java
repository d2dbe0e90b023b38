package dev.stdb.secure.api.store;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.Secret;
import java.security.PublicKey;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.X509KeyManager;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * Uses private and secret keys that never leave their device (an HSM over PKCS#11, a platform key store): signs,
 * wraps data keys for file stores, and provides key managers for mutual TLS. Keys are addressed by alias; callers
 * never see key material.
 *
 * <p>Every method may throw {@link CredentialStoreException}, typically with reason
 * {@link dev.stdb.secure.api.ReasonCode#KEY_UNAVAILABLE} or {@link dev.stdb.secure.api.ReasonCode#STORE_LOCKED}.
 */
@ConsumerType
public interface KeyService {

    /** The service's id, for example {@code pkcs11-softhsm}. */
    String id();

    /** Aliases of the keys this service can use, as an unmodifiable snapshot. */
    Set<String> aliases() throws CredentialStoreException;

    /**
     * Signs {@code data} with the private key {@code alias}.
     *
     * @param algorithm a JCA signature algorithm such as {@code SHA256withECDSA}
     */
    byte[] sign(String alias, String algorithm, byte[] data) throws CredentialStoreException;

    /**
     * Encrypts {@code plaintext} with the key {@code alias} using authenticated encryption; the result carries
     * everything {@link #unwrap(String, byte[])} needs besides the key (nonce, tag). Used to protect data keys and
     * small secrets at rest.
     */
    byte[] wrap(String alias, Secret plaintext) throws CredentialStoreException;

    /**
     * Reverses {@link #wrap(String, Secret)}. The result is a new {@link Secret} the caller owns and destroys.
     *
     * @throws CredentialStoreException with reason {@link dev.stdb.secure.api.ReasonCode#STORE_TAMPERED} if the
     *         authentication tag does not verify
     */
    Secret unwrap(String alias, byte[] wrapped) throws CredentialStoreException;

    /** A key manager presenting the certificate chain and private key {@code alias}, for client-certificate TLS. */
    Optional<X509KeyManager> keyManager(String alias) throws CredentialStoreException;

    /** The public key of {@code alias}, for example to publish a JWK or verify a checkpoint signature. */
    Optional<PublicKey> publicKey(String alias) throws CredentialStoreException;
}
