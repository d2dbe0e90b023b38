package dev.stdb.secure.auth.oauth2.internal;

import dev.stdb.secure.api.ConfigurationException;
import dev.stdb.secure.api.tls.TlsContext;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS towards the identity provider for RFC 8705 {@code tls_client_auth}: socket factories that carry a
 * {@link TlsContext}'s parameters, and contexts made from a plain key store file for use without a TLS profile.
 */
public final class MutualTls {
    private MutualTls() {
    }

    /**
     * A factory for {@code HttpsURLConnection} (what Nimbus sends with) that applies {@code tls}'s parameters
     * (protocols, cipher suites, endpoint identification) to every socket: the connection would otherwise use the
     * context's defaults. The connection still sets SNI and HTTPS host name checking on top of them.
     */
    public static SSLSocketFactory socketFactory(TlsContext tls) {
        return new ParameterisedFactory(tls.sslContext().getSocketFactory(), tls.sslParameters());
    }

    /**
     * A context presenting the key entry {@code alias} (the first key entry when null) of key store {@code file},
     * trusting the CA certificates in PEM file {@code trustPem}, or the JVM's trust store when null. The password
     * opens store and key; the caller zeroes it. Messages name files and properties, never the password.
     */
    public static TlsContext fromKeyStore(Path file, String type, char[] password, String alias, Path trustPem) {
        KeyStore source;
        try (InputStream in = Files.newInputStream(file)) {
            source = KeyStore.getInstance(type);
            source.load(in, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("private.key.keystore: cannot read key store " + file + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        try {
            String a = alias != null ? alias : Pem.firstKeyAlias(source);
            if (a == null || !source.isKeyEntry(a) || source.getCertificateChain(a) == null) {
                throw new ConfigurationException("private.key.keystore: no private key with a certificate "
                        + (a == null ? "" : "'" + a + "' ") + "in " + file);
            }
            // Only the chosen entry, so the key manager cannot pick another one for the handshake.
            KeyStore one = KeyStore.getInstance("PKCS12");
            one.load(null, null);
            one.setKeyEntry(a, source.getKey(a, password), password, source.getCertificateChain(a));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(one, password);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trustPem == null ? null : trustStore(trustPem));
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            SSLParameters params = ctx.getDefaultSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            return new TlsContext(ctx, params);
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("private.key.keystore: the key of " + file + " cannot be used for TLS ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static KeyStore trustStore(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            if (i == 0) {
                throw new ConfigurationException("tls.trust.pem: no certificate in " + pem);
            }
            return ks;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConfigurationException("tls.trust.pem: cannot read CA certificates from " + pem + " ("
                    + e.getClass().getSimpleName() + ")");
        }
    }

    private static final class ParameterisedFactory extends SSLSocketFactory {
        private final SSLSocketFactory delegate;
        private final SSLParameters parameters;

        ParameterisedFactory(SSLSocketFactory delegate, SSLParameters parameters) {
            this.delegate = delegate;
            this.parameters = parameters;
        }

        private Socket apply(Socket s) {
            if (s instanceof SSLSocket) {
                SSLSocket ssl = (SSLSocket) s;
                SSLParameters p = ssl.getSSLParameters();
                if (parameters.getProtocols() != null) {
                    p.setProtocols(parameters.getProtocols());
                }
                if (parameters.getCipherSuites() != null) {
                    p.setCipherSuites(parameters.getCipherSuites());
                }
                if (parameters.getEndpointIdentificationAlgorithm() != null) {
                    p.setEndpointIdentificationAlgorithm(parameters.getEndpointIdentificationAlgorithm());
                }
                if (parameters.getServerNames() != null) {
                    p.setServerNames(parameters.getServerNames());
                }
                p.setUseCipherSuitesOrder(parameters.getUseCipherSuitesOrder());
                ssl.setSSLParameters(p);
            }
            return s;
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return parameters.getCipherSuites() != null ? parameters.getCipherSuites().clone()
                    : delegate.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return delegate.getSupportedCipherSuites();
        }

        @Override
        public Socket createSocket() throws IOException {
            return apply(delegate.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return apply(delegate.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return apply(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return apply(delegate.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return apply(delegate.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
                throws IOException {
            return apply(delegate.createSocket(address, port, localAddress, localPort));
        }
    }
}
