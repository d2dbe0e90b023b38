package dev.stdb.secure.tls.internal;

import dev.stdb.secure.api.ConfigurationException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import javax.net.ssl.SSLContext;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The JSSE implementation a profile handshakes with: the JDK's by default, or a named provider such as Bouncy
 * Castle's {@value #BCJSSE} (from {@code bctls}), which is found among the installed security providers or, when it
 * is not installed, created from its class so that an application need not register it globally.
 */
public final class JsseProviders {

    /** The name of Bouncy Castle's JSSE provider. */
    public static final String BCJSSE = "BCJSSE";

    private static final String BCJSSE_CLASS = "org.bouncycastle.jsse.provider.BouncyCastleJsseProvider";

    private JsseProviders() {
    }

    /** Null for the JDK's JSSE, else the provider; a name that cannot be found is a configuration error. */
    public static Provider resolve(String name) {
        if (name == null || name.isBlank() || name.equalsIgnoreCase("jdk") || name.equals("SunJSSE")) {
            return null;
        }
        Provider installed = Security.getProvider(name.trim());
        if (installed != null) {
            return installed;
        }
        if (BCJSSE.equalsIgnoreCase(name.trim())) {
            try {
                // BCJSSE on Bouncy Castle's own JCE provider: its default (JDK) crypto lacks a "DEFAULT" SecureRandom
                return (Provider) Class.forName(BCJSSE_CLASS, true, JsseProviders.class.getClassLoader())
                        .getConstructor(Provider.class).newInstance(new BouncyCastleProvider());
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new ConfigurationException("jsse.provider: BCJSSE needs Bouncy Castle's TLS library"
                        + " (org.bouncycastle:bctls-jdk18on) next to this bundle; it is not available ("
                        + e.getClass().getSimpleName() + ")");
            }
        }
        throw new ConfigurationException("jsse.provider: no security provider named '" + name.trim()
                + "' is installed; use jdk or BCJSSE");
    }

    /** A TLS context from {@code provider}, or from the JDK's JSSE when it is null. */
    public static SSLContext context(Provider provider) throws NoSuchAlgorithmException {
        return provider == null ? SSLContext.getInstance("TLS") : SSLContext.getInstance("TLS", provider);
    }
}
