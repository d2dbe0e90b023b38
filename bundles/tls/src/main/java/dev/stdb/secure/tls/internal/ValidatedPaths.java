package dev.stdb.secure.tls.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Paths a profile already built from its anchors, by the exact bytes of the chain a server sent, so that the next
 * handshake with the same chain does not build the path a second time (the JDK's PKIX check, which always runs first,
 * already built one). A cached path is used only while its anchor is still one of the profile's anchors and every
 * certificate in it is still valid; entries live at most {@link #MAX_AGE}.
 */
public final class ValidatedPaths {

    public static final Duration MAX_AGE = Duration.ofHours(1);
    private static final int MAX_ENTRIES = 256;

    private record Entry(List<X509Certificate> path, Instant expires) {
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** The cached path for {@code chain}, or null. */
    public List<X509Certificate> get(String key, Set<X509Certificate> anchors, Instant now) {
        Entry e = entries.get(key);
        if (e == null) {
            return null;
        }
        if (!now.isBefore(e.expires()) || !anchors.contains(e.path().get(e.path().size() - 1))) {
            entries.remove(key, e);
            return null;
        }
        return e.path();
    }

    public void put(String key, List<X509Certificate> path, Instant now) {
        Instant expires = now.plus(MAX_AGE);
        for (X509Certificate c : path) {
            Instant notAfter = c.getNotAfter().toInstant();
            if (notAfter.isBefore(expires)) {
                expires = notAfter;
            }
        }
        if (entries.size() >= MAX_ENTRIES) {
            entries.clear();
        }
        entries.put(key, new Entry(List.copyOf(path), expires));
    }

    /** SHA-256 over the DER of every certificate the server sent, in order. */
    public static String key(X509Certificate[] chain) throws CertificateEncodingException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (X509Certificate c : chain) {
                byte[] der = c.getEncoded();
                sha.update((byte) (der.length >>> 24));
                sha.update((byte) (der.length >>> 16));
                sha.update((byte) (der.length >>> 8));
                sha.update((byte) der.length);
                sha.update(der);
            }
            return Base64.getEncoder().encodeToString(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
