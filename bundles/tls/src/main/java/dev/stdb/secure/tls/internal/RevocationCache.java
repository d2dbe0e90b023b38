package dev.stdb.secure.tls.internal;

import java.math.BigInteger;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revocation results of one profile, kept across {@code contextFor} calls: definitive statuses per (issuer key,
 * serial number) and verified CRLs per (URL, issuer key), each until its own expiry. Unknown statuses are never
 * cached, so a responder that comes back is asked again. Bounded: past {@value #MAX_ENTRIES} entries the expired
 * ones are dropped, and if that is not enough, all of them.
 */
public final class RevocationCache {

    static final int MAX_ENTRIES = 10_000;

    private record Key(String issuerKey, BigInteger serial) {
    }

    private record Entry<T>(T value, Instant expires) {
    }

    private final Map<Key, Entry<RevocationStatus>> statuses = new ConcurrentHashMap<>();
    private final Map<String, Entry<X509CRL>> crls = new ConcurrentHashMap<>();

    static String issuerKey(X509Certificate issuer) {
        return PinningTrustManager.sha256(issuer.getPublicKey().getEncoded());
    }

    RevocationStatus status(X509Certificate issuer, BigInteger serial, Instant now) {
        return get(statuses, new Key(issuerKey(issuer), serial), now);
    }

    void putStatus(X509Certificate issuer, BigInteger serial, RevocationStatus status, Instant expires, Instant now) {
        if (status.definitive() && expires.isAfter(now)) {
            put(statuses, new Key(issuerKey(issuer), serial), new Entry<>(status, expires), now);
        }
    }

    X509CRL crl(String url, X509Certificate issuer, Instant now) {
        return get(crls, url + " " + issuerKey(issuer), now);
    }

    void putCrl(String url, X509Certificate issuer, X509CRL crl, Instant expires, Instant now) {
        if (expires.isAfter(now)) {
            put(crls, url + " " + issuerKey(issuer), new Entry<>(crl, expires), now);
        }
    }

    /** Number of cached statuses (for tests and diagnostics). */
    public int size() {
        return statuses.size();
    }

    private static <K, T> T get(Map<K, Entry<T>> map, K key, Instant now) {
        Entry<T> e = map.get(key);
        if (e == null) {
            return null;
        }
        if (!now.isBefore(e.expires())) {
            map.remove(key, e);
            return null;
        }
        return e.value();
    }

    private static <K, T> void put(Map<K, Entry<T>> map, K key, Entry<T> entry, Instant now) {
        if (map.size() >= MAX_ENTRIES) {
            map.values().removeIf(e -> !now.isBefore(e.expires()));
            if (map.size() >= MAX_ENTRIES) {
                map.clear();
            }
        }
        map.put(key, entry);
    }
}
