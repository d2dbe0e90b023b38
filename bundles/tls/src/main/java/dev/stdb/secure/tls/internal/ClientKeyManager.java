package dev.stdb.secure.tls.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509KeyManager;

/**
 * Presents a client certificate chosen by the peer host: the first {@code host-pattern|alias} rule whose pattern
 * matches the host gives the alias; with no rules every host gets {@code defaultAlias}; with rules, a host no rule
 * matches gets no certificate ({@code null}). Never used as a server key manager.
 */
public final class ClientKeyManager extends X509ExtendedKeyManager {

    private final X509KeyManager delegate;
    private final List<Map.Entry<Function<String, Boolean>, String>> rules;
    private final String defaultAlias;

    /**
     * @param rules        host matcher to alias, in order; empty means {@code defaultAlias} for every host
     * @param defaultAlias the alias for every host when there are no rules
     */
    public ClientKeyManager(X509KeyManager delegate, List<Map.Entry<Function<String, Boolean>, String>> rules,
            String defaultAlias) {
        this.delegate = delegate;
        this.rules = List.copyOf(rules);
        this.defaultAlias = defaultAlias;
    }

    /** The alias for {@code host}, or null when no certificate is to be offered. */
    public String aliasFor(String host) {
        if (rules.isEmpty()) {
            return defaultAlias;
        }
        for (Map.Entry<Function<String, Boolean>, String> r : rules) {
            if (Boolean.TRUE.equals(r.getKey().apply(host))) {
                return r.getValue();
            }
        }
        return null;
    }

    private String choose(String[] keyTypes, String host) {
        String alias = aliasFor(host);
        if (alias == null) {
            return null;
        }
        X509Certificate[] chain = delegate.getCertificateChain(alias);
        if (chain == null || chain.length == 0 || keyTypes == null) {
            return null;
        }
        String algorithm = chain[0].getPublicKey().getAlgorithm();
        for (String type : keyTypes) {
            if (algorithm.equals(type)) {
                return alias;
            }
        }
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return choose(keyType, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        String host = null;
        if (socket instanceof SSLSocket) {
            SSLSession s = ((SSLSocket) socket).getHandshakeSession();
            host = s == null ? null : s.getPeerHost();
        }
        if (host == null && socket != null && socket.getInetAddress() != null) {
            host = socket.getInetAddress().getHostAddress();
        }
        return choose(keyType, host);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return delegate.getClientAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return delegate.getCertificateChain(alias);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return delegate.getPrivateKey(alias);
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
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
