package dev.stdb.secure.auth.oauth2;

import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.KeyService;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.X509KeyManager;

/** Test double: a KeyService holding one private key in memory; counts signatures. */
final class TestKeyService implements KeyService {
    private final String alias;
    private final PrivateKey key;
    final AtomicInteger signatures = new AtomicInteger();

    TestKeyService(String alias, PrivateKey key) {
        this.alias = alias;
        this.key = key;
    }

    @Override
    public String id() {
        return "test-keys";
    }

    @Override
    public Set<String> aliases() {
        return Set.of(alias);
    }

    @Override
    public byte[] sign(String alias, String algorithm, byte[] data) {
        if (!this.alias.equals(alias)) {
            throw new IllegalArgumentException("no key " + alias);
        }
        try {
            Signature s = Signature.getInstance(algorithm);
            s.initSign(key);
            s.update(data);
            signatures.incrementAndGet();
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] wrap(String alias, Secret plaintext) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Secret unwrap(String alias, byte[] wrapped) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<X509KeyManager> keyManager(String alias) {
        return Optional.empty();
    }

    @Override
    public Optional<PublicKey> publicKey(String alias) {
        return Optional.empty();
    }
}
