package dev.stdb.secure.store.pkcs11.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Presents one key and certificate chain of the token as a client certificate. The private key is a handle to the
 * token's object: the handshake signature is computed inside the token by the SunPKCS11 provider the store registered.
 */
public final class SingleKeyManager extends X509ExtendedKeyManager {

    private final String alias;
    private final PrivateKey key;
    private final X509Certificate[] chain;

    public SingleKeyManager(String alias, PrivateKey key, X509Certificate[] chain) {
        this.alias = alias;
        this.key = key;
        this.chain = chain.clone();
    }

    private boolean matches(String keyType, Principal[] issuers) {
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        if (keyType != null && !keyType.toUpperCase(Locale.ROOT).startsWith(algorithm.toUpperCase(Locale.ROOT))
                && !(algorithm.equals("EC") && keyType.toUpperCase(Locale.ROOT).startsWith("EC"))) {
            return false;
        }
        if (issuers == null || issuers.length == 0) {
            return true;
        }
        for (Principal p : issuers) {
            for (X509Certificate c : chain) {
                if (c.getIssuerX500Principal().equals(p) || c.getSubjectX500Principal().equals(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return matches(keyType, issuers) ? new String[] {alias} : null;
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        if (keyTypes == null) {
            return null;
        }
        for (String t : keyTypes) {
            if (matches(t, issuers)) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return chooseClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String requested) {
        return alias.equals(requested) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String requested) {
        return alias.equals(requested) ? key : null;
    }

    @Override
    public String toString() {
        return "SingleKeyManager[" + alias + "]";
    }
}
