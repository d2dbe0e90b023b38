package dev.stdb.secure.sandbox.internal.server;

import java.security.KeyStore;

/**
 * The sandbox's TLS identity, and the trust anchors of client certificates when it requires them.
 *
 * @param keyStore        the server's key and certificate chain
 * @param keyPassword     password of the key store and key
 * @param trustStore      trust anchors for client certificates, or null
 * @param needClientAuth  whether a client certificate is required
 */
public record TlsSettings(KeyStore keyStore, char[] keyPassword, KeyStore trustStore, boolean needClientAuth) {
    @Override
    public String toString() {
        return "TlsSettings[needClientAuth=" + needClientAuth + "]";
    }
}
