package dev.stdb.secure.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.stdb.secure.tls.internal.ValidatedPaths;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cache of validated paths never serves a path for other chain bytes, a removed anchor or past its life. */
class ValidatedPathsTest {

    @Test
    void servesThePathForTheSameChainWhileItsAnchorIsTrusted() throws Exception {
        Pki.Issued root = Pki.root("Paths Root");
        X509Certificate leaf = Pki.leaf(root, "localhost").cert();
        X509Certificate other = Pki.root("Paths Other").cert();
        ValidatedPaths paths = new ValidatedPaths();
        Instant now = Instant.now();
        String key = ValidatedPaths.key(new X509Certificate[] {leaf});
        paths.put(key, List.of(leaf, root.cert()), now);
        assertEquals(List.of(leaf, root.cert()), paths.get(key, Set.of(root.cert()), now));
        // a chain with one more certificate appended is another key, with nothing cached
        String longer = ValidatedPaths.key(new X509Certificate[] {leaf, other});
        assertNotEquals(key, longer);
        assertNull(paths.get(longer, Set.of(root.cert()), now));
        // the anchor left the profile: the cached path is dropped, also for a later lookup
        assertNull(paths.get(key, Set.of(other), now));
        assertNull(paths.get(key, Set.of(root.cert()), now));
    }

    @Test
    void entriesLiveAnHourAtMostAndNeverPastACertificate() throws Exception {
        Pki.Issued root = Pki.root("Paths Root");
        Instant now = Instant.now();
        X509Certificate shortLived = Pki.leaf(root, now.minus(Duration.ofDays(1)), now.plus(Duration.ofMinutes(10)),
                "localhost").cert();
        X509Certificate longLived = Pki.leaf(root, "localhost").cert();
        ValidatedPaths paths = new ValidatedPaths();
        String shortKey = ValidatedPaths.key(new X509Certificate[] {shortLived});
        String longKey = ValidatedPaths.key(new X509Certificate[] {longLived});
        paths.put(shortKey, List.of(shortLived, root.cert()), now);
        paths.put(longKey, List.of(longLived, root.cert()), now);
        assertEquals(2, paths.get(longKey, Set.of(root.cert()), now.plus(Duration.ofMinutes(30))).size());
        assertNull(paths.get(shortKey, Set.of(root.cert()), now.plus(Duration.ofMinutes(11))));
        assertNull(paths.get(longKey, Set.of(root.cert()), now.plus(ValidatedPaths.MAX_AGE)));
    }
}
