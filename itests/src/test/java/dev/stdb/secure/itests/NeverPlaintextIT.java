package dev.stdb.secure.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.audit.SecurityEvent;
import dev.stdb.secure.api.audit.SecurityEventType;
import dev.stdb.secure.api.auth.AuthContext;
import dev.stdb.secure.api.auth.Credential;
import dev.stdb.secure.auth.apikey.ApiKeyProvider;
import dev.stdb.secure.auth.oauth2.OAuth2Provider;
import dev.stdb.secure.store.file.EncryptedFileStore;
import dev.stdb.secure.store.keyring.KeyringCredentialStore;
import dev.stdb.secure.store.pkcs11.Pkcs11Store;
import dev.stdb.secure.testing.keycloak.Keycloak;
import dev.stdb.secure.testing.keyring.PrivateKeyring;
import dev.stdb.secure.testing.softhsm.SoftHsm;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.Test;

/**
 * Issue 7, first slice: secrets never appear in plaintext anywhere the client leaves traces. Known marker secrets are
 * written through store-pkcs11 (a SoftHSM2 token), store-keyring (a private gnome-keyring on a private D-Bus session),
 * auth-apikey's rotation (which writes the new key back into the store) and auth-oauth2's refresh-token persistence
 * (svc-refresh with the HSM store: acquire, refresh with rotation, revoke, close; the tokens are Keycloak's, captured
 * masked); then every file under the run's directories, the security events, and a heap dump taken after every
 * secret was destroyed and the stores and the providers closed are searched for them (UTF-8, UTF-16LE/BE, base64,
 * hex): zero hits. A control marker, planted once in a file and once in a live byte array, must be found, so the
 * scans are not blind.
 *
 * <h2>Why the markers are not in the heap dump because of this test</h2>
 * A marker is 24 bytes from {@link SecureRandom}, written as 48 lowercase hex characters. The test keeps only the
 * pair (random mask, marker XOR mask) as byte arrays: neither holds the marker. The plaintext exists only briefly, in
 * a {@code char[]} that is handed to {@link Secret#ofChars} (which copies it) and zeroed at once, and the Secret is
 * destroyed after the write. The search patterns are made only after the dump is written, and
 * {@code dumpHeap(file, true)} dumps live objects only (it collects first). Keycloak chooses the OAuth 2.0 tokens:
 * each stored refresh token is read from the store, and each access token taken from its credential, as a
 * {@link Secret} whose temporary byte copy is masked at once ({@link Masked#of}) and zeroed; the Secret is destroyed.
 *
 * <p>Keycloak must learn the API keys. They are sent to it by {@link Keycloak#adminWithSecret} (creating the client)
 * and {@link Keycloak#setClientSecret(String, char[])} (the rotation): JSON built in byte arrays that are zeroed after
 * the call, written to a plain socket ({@code Connection: close}), the answer read into an array zeroed too. Not
 * through java.net.http, and not through {@code Keycloak.admin}: the shared helper's long-lived {@code HttpClient}
 * keeps the last bytes it read (the 16 KiB read buffer of its pooled connection, which held the answers of
 * {@code GET /clients?clientId=} and {@code GET /clients/{id}}, both with the old secret, when the rotation looked the
 * client up and fetched its full representation) and the first exchange of each connection. The rotation now looks
 * the client's id up over the plain socket too and PUTs only {@code {"secret":"..."}}.
 *
 * <p>Keycloak's own data directory is not scanned: the IdP stores client secrets by design (it is another process and
 * not part of the client).
 */
public class NeverPlaintextIT {
    private static final String TOKEN_LABEL = AuthAndStoresIT.TOKEN_LABEL;
    private static final int MARKER_BYTES = 24;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Held live across the heap dump: the control marker in plaintext UTF-8 (the dump must show it). */
    private static volatile byte[] plantedInHeap;

    /*
     * Earlier heap hits, now gone: (a) the String "Basic " + base64(clientId:oldKey), the client_secret_basic header
     * of auth-apikey's first token request, reachable from the JDK HttpClient's SelectorManager thread ->
     * HttpClientImpl.client2 -> Http2ClientImpl.connections -> Http2Connection -> PlainHttpConnection.connectTimerEvent
     * -> ConnectTimerEvent.exchange -> Exchange.request -> HttpRequestImpl.userHeaders (the JDK keeps the exchange that
     * opened a connection for the connection's life); auth-apikey now uses client_secret_post with a body it zeroes.
     * (b) The test's own Keycloak.setClientSecret: GET /clients?clientId= and GET /clients/{id} (both answers hold the
     * old secret) through the helper's shared HttpClient, whose read buffer kept them: SelectorManager thread ->
     * HttpClientImpl.client2 -> Http2ClientImpl.connections -> Http2Connection -> PlainHttpConnection.tube ->
     * SocketTube.sliceBuffersSource -> SliceBufferSource.current -> HeapByteBuffer.hb (byte[16384]).
     * (c) auth-oauth2's last access token, in the body of its revocation request
     * ("token_type_hint=access_token&token=...") left in the write buffer of the kept-alive connection Nimbus sent it
     * on: KeepAliveCache thread -> KeepAliveCache.table -> ClientVector.elements -> KeepAliveEntry.hc ->
     * sun.net.www.http.HttpClient.serverOutput -> PrintStream.out -> BufferedOutputStream.buf (byte[8192]);
     * auth-oauth2 now sends its token, revocation and device authorization requests with Connection: close, so no
     * such connection is cached.
     */
    @Test
    public void markersAreNowhereInFilesEventsOrTheHeap() throws Exception {
        Path target = Paths.get("target").toAbsolutePath();
        Path work = Files.createTempDirectory(target, "never-plaintext-");
        Path tokens = SoftHsm.init(TOKEN_LABEL);
        PrivateKeyring keyring = PrivateKeyring.get();
        Keycloak keycloak = Keycloak.shared();

        Masked hsmMarker = Masked.random();
        Masked keyringMarker = Masked.random();
        Masked oldKey = Masked.random();
        Masked newKey = Masked.random();
        Masked fileMarker = Masked.random();
        Masked filePassphrase = Masked.random();
        Masked control = Masked.random();
        List<Masked> markers = new ArrayList<>(List.of(hsmMarker, keyringMarker, oldKey, newKey, fileMarker,
                filePassphrase));
        List<SecurityEvent> events = new CopyOnWriteArrayList<>();

        Path dataDir = work.resolve("hsm-data");
        String clientId = "np-apikey-" + UUID.randomUUID().toString().substring(0, 8);
        List<Masked> oauth2Tokens = new ArrayList<>();
        Path fileDir = work.resolve("file-store");
        writeToFileStore(fileDir, fileMarker, filePassphrase);
        writeSecrets(dataDir, clientId, keycloak, hsmMarker, keyringMarker, oldKey, newKey, events, oauth2Tokens);
        assertEquals("captured: both refresh tokens and both access tokens of svc-refresh", 4, oauth2Tokens.size());
        markers.addAll(oauth2Tokens);

        // -------- the heap, after everything was destroyed and closed
        plantedInHeap = control.plainUtf8();
        Path dump = work.resolve("heap.hprof");
        System.gc();
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class).dumpHeap(dump.toString(), true);

        // Patterns only now, after the dump.
        List<byte[]> controlPatterns = control.patterns();
        List<byte[]> patterns = new ArrayList<>();
        for (Masked m : markers) {
            patterns.addAll(m.patterns());
        }
        plantedInHeap = null;

        List<String> heapHits = scanFile(dump, patterns);
        List<String> heapControl = scanFile(dump, controlPatterns);
        assertTrue("the heap scan finds the live control marker (not blind)", !heapControl.isEmpty());

        // -------- files of the run: token dir, HSM data dir, keyring and bus, logs and reports under target/
        List<Path> roots = new ArrayList<>(List.of(tokens.getParent(), dataDir, fileDir, keyring.dir(),
                target.resolve("dbus"), target.resolve("failsafe-reports")));
        try (Stream<Path> s = Files.list(target)) {
            s.filter(p -> p.getFileName().toString().endsWith(".log")
                    || p.getFileName().toString().startsWith("paxexam")
                    || p.getFileName().toString().startsWith("auth-stores-")).forEach(roots::add);
        }
        Path planted = work.resolve("planted.txt");
        Files.write(planted, control.plainUtf8());
        List<Path> scanned = new ArrayList<>();
        List<String> fileHits = new ArrayList<>();
        List<String> plantedHits = new ArrayList<>();
        for (Path root : roots) {
            for (Path f : files(root)) {
                if (f.equals(dump)) {
                    continue;
                }
                scanned.add(f);
                for (String hit : scanFile(f, patterns)) {
                    fileHits.add(f + " " + hit);
                }
            }
        }
        for (Path f : files(work)) {
            if (!f.equals(dump) && !scanFile(f, controlPatterns).isEmpty()) {
                plantedHits.add(f.getFileName().toString());
            }
        }
        Files.delete(planted);
        assertEquals("the file scan finds the planted control marker exactly there (not blind)",
                List.of("planted.txt"), plantedHits);
        assertTrue("the wrapped HSM entries were scanned: " + scanned, scanned.stream().anyMatch(p -> p.startsWith(dataDir)));
        assertTrue("the encrypted file store was scanned: " + scanned, scanned.stream().anyMatch(p -> p.startsWith(fileDir)
                && p.getFileName().toString().endsWith(".sdbf")));
        assertTrue("gnome-keyring's login.keyring was scanned: " + scanned,
                scanned.contains(keyring.keyringFiles().resolve("login.keyring").toAbsolutePath())
                        || scanned.contains(keyring.keyringFiles().resolve("login.keyring")));

        // -------- the security events
        List<String> eventHits = new ArrayList<>();
        for (SecurityEvent e : events) {
            String text = e.toString() + e.details();
            for (String hit : scanBytes(text.getBytes(StandardCharsets.UTF_8), patterns, 0)) {
                eventHits.add(e.type() + " " + hit);
            }
        }
        assertTrue("the rotation wrote the key back (CREDENTIAL_WRITTEN): " + events, events.stream()
                .anyMatch(e -> e.type() == SecurityEventType.CREDENTIAL_WRITTEN));

        assertEquals("plaintext secrets in security events", List.of(), eventHits);
        assertEquals("plaintext secrets in files (" + scanned.size() + " scanned)", List.of(), fileHits);
        assertEquals("plaintext secrets in the heap dump " + dump + " (kept for inspection)", List.of(), heapHits);
        Files.delete(dump);
    }

    /**
     * store-file with a passphrase that is itself a marker (it must reach neither the file nor, once the store is
     * closed, the heap): one entry written, read back, the store closed.
     */
    private static void writeToFileStore(Path dir, Masked marker, Masked passphrase) throws Exception {
        try (EncryptedFileStore file = EncryptedFileStore.builder(dir).id("np-file").passphrase(() -> {
            char[] plain = passphrase.plainChars();
            try {
                return Secret.ofChars(plain);
            } finally {
                Arrays.fill(plain, '\0');
            }
        }).open()) {
            write(file, "np/file", marker);
            assertTrue(readEquals(file, "np/file", marker));
        }
    }

    /**
     * The four writers: store-pkcs11, store-keyring, auth-apikey's rotation into the HSM store, and auth-oauth2's
     * refresh-token persistence into the HSM store ({@code svc-refresh}; its tokens, captured masked, go to
     * {@code oauth2Tokens}).
     */
    private static void writeSecrets(Path dataDir, String clientId, Keycloak keycloak, Masked hsmMarker,
            Masked keyringMarker, Masked oldKey, Masked newKey, List<SecurityEvent> events, List<Masked> oauth2Tokens)
            throws Exception {
        String keyName = "np/apikey";
        try (Pkcs11Store hsm = Pkcs11Store.builder().id("np-hsm").library(SoftHsm.LIBRARY).tokenLabel(TOKEN_LABEL)
                .pin(() -> SoftHsm.PIN.toCharArray()).dataDir(dataDir).build();
                KeyringCredentialStore os = KeyringCredentialStore.builder("np-keyring").build()) {
            write(hsm, "np/hsm", hsmMarker);
            write(os, "np/keyring", keyringMarker);
            assertTrue(readEquals(hsm, "np/hsm", hsmMarker));
            assertTrue(readEquals(os, "np/keyring", keyringMarker));

            // A confidential client whose secret is the old key; the old key is in the HSM store.
            createClient(keycloak, clientId, oldKey);
            write(hsm, keyName, oldKey);
            ApiKeyProvider provider = ApiKeyProvider.builder("np-apikey", keyName)
                    .clientCredentials(keycloak.tokenEndpoint(), clientId).timeout(Duration.ofSeconds(30)).build();
            try {
                AuthContext context = new AuthContext(URI.create("ws://127.0.0.1:1"), "quickstart", hsm, null,
                        events::add);
                provider.acquire(context).toCompletableFuture().get(60, TimeUnit.SECONDS).destroy();
                // Rotation: Keycloak takes the new key, the new key goes to <key>.next; the provider promotes it.
                setClientSecret(keycloak, clientId, newKey);
                write(hsm, keyName + ApiKeyProvider.NEXT_SUFFIX, newKey);
                Credential c = provider.acquire(context).toCompletableFuture().get(60, TimeUnit.SECONDS);
                c.destroy();
            } finally {
                provider.close();
            }
            assertTrue("the rotation wrote the new key back", readEquals(hsm, keyName, newKey));
            assertTrue("the rotation entry is gone", hsm.read(keyName + ApiKeyProvider.NEXT_SUFFIX).isEmpty());

            oauth2Refresh(keycloak, hsm, events, oauth2Tokens);
            // The entries stay: their ciphertext (HSM data dir, login.keyring) is what the file scan must see.
        }
    }

    /**
     * auth-oauth2 with the HSM store as {@code ctx.store()}: acquire (the refresh token is stored), refresh (Keycloak
     * rotates it; the new one is stored), revoke (the stored one is deleted), close. Keycloak chooses the tokens: each
     * stored refresh token is read from the store and each access token taken from its credential straight into the
     * masked form, and the Secrets are destroyed.
     */
    private static void oauth2Refresh(Keycloak keycloak, Pkcs11Store hsm, List<SecurityEvent> events,
            List<Masked> tokens) throws Exception {
        OAuth2Provider provider;
        try (Secret clientSecret = Secret.ofString(Keycloak.SVC_REFRESH_SECRET)) {
            provider = OAuth2Provider.clientCredentials(Keycloak.SVC_REFRESH).id("np-oauth2")
                    .issuer(URI.create(keycloak.issuer())).clientSecretBasic(clientSecret)
                    .readTimeout(Duration.ofSeconds(30)).build();
        }
        String key = provider.storeKey();
        try {
            AuthContext context = new AuthContext(URI.create("ws://127.0.0.1:1"), "quickstart", hsm, null,
                    events::add);
            Credential first = provider.acquire(context).toCompletableFuture().get(60, TimeUnit.SECONDS);
            Masked firstRefresh;
            try (Secret stored = hsm.read(key).orElseThrow()) {
                assertTrue("acquire stored the refresh token",
                        first.refreshToken().orElseThrow().contentEquals(stored));
                firstRefresh = Masked.of(stored);
            }
            tokens.add(firstRefresh);
            tokens.add(Masked.of(first.token()));

            Credential second;
            try {
                second = provider.refresh(first, context).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } finally {
                first.destroy();
            }
            try {
                try (Secret stored = hsm.read(key).orElseThrow()) {
                    assertTrue("the refresh stored the rotated token",
                            second.refreshToken().orElseThrow().contentEquals(stored));
                    Masked secondRefresh = Masked.of(stored);
                    assertTrue("Keycloak rotated the refresh token", !secondRefresh.sameAs(firstRefresh));
                    tokens.add(secondRefresh);
                }
                tokens.add(Masked.of(second.token()));
                provider.revoke(second).toCompletableFuture().get(60, TimeUnit.SECONDS);
            } finally {
                second.destroy();
            }
            assertTrue("the revoked refresh token left the store", hsm.read(key).isEmpty());
        } finally {
            provider.close();
        }
        assertTrue("the provider wrote its refresh tokens to the store (2 CREDENTIAL_WRITTEN): " + events,
                events.stream().filter(e -> e.type() == SecurityEventType.CREDENTIAL_WRITTEN
                        && OAuth2Provider.SOURCE.equals(e.source())).count() == 2);
    }

    private static void write(dev.stdb.secure.api.store.CredentialStore store, String key, Masked marker) {
        char[] plain = marker.plainChars();
        try (Secret s = Secret.ofChars(plain)) {
            store.write(key, s);
        } finally {
            Arrays.fill(plain, '\0');
        }
    }

    private static boolean readEquals(dev.stdb.secure.api.store.CredentialStore store, String key, Masked marker) {
        char[] plain = marker.plainChars();
        try (Secret expected = Secret.ofChars(plain); Secret actual = store.read(key).orElseThrow()) {
            return expected.contentEquals(actual);
        } finally {
            Arrays.fill(plain, '\0');
        }
    }

    /** The secret must reach Keycloak: JSON in a byte array zeroed after the call (see the class comment). */
    private static void createClient(Keycloak k, String clientId, Masked secret) {
        byte[] head = ("{\"clientId\":\"" + clientId + "\",\"enabled\":true,\"protocol\":\"openid-connect\","
                + "\"publicClient\":false,\"clientAuthenticatorType\":\"client-secret\",\"serviceAccountsEnabled\":true,"
                + "\"standardFlowEnabled\":false,\"directAccessGrantsEnabled\":false,\"secret\":\"")
                .getBytes(StandardCharsets.UTF_8);
        byte[] plain = secret.plainUtf8(); // lowercase hex: nothing to escape
        byte[] json = new byte[head.length + plain.length + 2];
        Keycloak.Response r;
        try {
            System.arraycopy(head, 0, json, 0, head.length);
            System.arraycopy(plain, 0, json, head.length, plain.length);
            json[json.length - 2] = '"';
            json[json.length - 1] = '}';
            r = k.adminWithSecret("POST", "/clients", json);
        } finally {
            Arrays.fill(plain, (byte) 0);
            Arrays.fill(json, (byte) 0);
        }
        assertEquals(r.body(), 201, r.status());
    }

    private static void setClientSecret(Keycloak k, String clientId, Masked secret) {
        char[] plain = secret.plainChars();
        try {
            k.setClientSecret(clientId, plain);
        } finally {
            Arrays.fill(plain, '\0');
        }
    }

    // ------------------------------------------------------------------ markers

    /** A marker kept as (mask, marker XOR mask): neither array holds the marker. */
    static final class Masked {
        private final byte[] mask;
        private final byte[] masked;

        private Masked(byte[] mask, byte[] masked) {
            this.mask = mask;
            this.masked = masked;
        }

        /** 24 random bytes as 48 lowercase hex characters, masked as soon as they exist. */
        static Masked random() {
            byte[] raw = new byte[MARKER_BYTES];
            RANDOM.nextBytes(raw);
            byte[] text = new byte[MARKER_BYTES * 2];
            for (int i = 0; i < raw.length; i++) {
                text[2 * i] = hexDigit((raw[i] >> 4) & 0xf);
                text[2 * i + 1] = hexDigit(raw[i] & 0xf);
            }
            Arrays.fill(raw, (byte) 0);
            byte[] mask = new byte[text.length];
            RANDOM.nextBytes(mask);
            for (int i = 0; i < text.length; i++) {
                text[i] ^= mask[i];
            }
            return new Masked(mask, text);
        }

        /** A secret someone else chose (an IdP's token), masked from a temporary copy zeroed at once. */
        static Masked of(Secret secret) {
            return secret.withBytes(plain -> {
                byte[] mask = new byte[plain.length];
                RANDOM.nextBytes(mask);
                byte[] masked = new byte[plain.length];
                for (int i = 0; i < plain.length; i++) {
                    masked[i] = (byte) (plain[i] ^ mask[i]);
                }
                return new Masked(mask, masked);
            });
        }

        /** Whether both mask the same plaintext, compared byte by byte without building it. */
        boolean sameAs(Masked other) {
            if (other.masked.length != masked.length) {
                return false;
            }
            int diff = 0;
            for (int i = 0; i < masked.length; i++) {
                diff |= (masked[i] ^ mask[i]) ^ (other.masked[i] ^ other.mask[i]);
            }
            return diff == 0;
        }

        private static byte hexDigit(int v) {
            return (byte) (v < 10 ? '0' + v : 'a' + v - 10);
        }

        /** The plaintext as chars; the caller zeroes them. */
        char[] plainChars() {
            char[] c = new char[masked.length];
            for (int i = 0; i < c.length; i++) {
                c[i] = (char) ((masked[i] ^ mask[i]) & 0xff);
            }
            return c;
        }

        /** The plaintext as UTF-8 (= ASCII) bytes; the caller zeroes them. */
        byte[] plainUtf8() {
            byte[] b = new byte[masked.length];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (masked[i] ^ mask[i]);
            }
            return b;
        }

        /**
         * The byte patterns to search for: UTF-8 (also Latin-1 compact Strings), UTF-16LE and UTF-16BE (char arrays,
         * UTF-16 Strings), base64 at each of the three alignments (the stable middle part), and uppercase hex of the
         * UTF-8 bytes. Made only after the heap dump.
         */
        List<byte[]> patterns() {
            byte[] utf8 = plainUtf8();
            List<byte[]> out = new ArrayList<>();
            out.add(utf8.clone());
            byte[] le = new byte[utf8.length * 2];
            byte[] be = new byte[utf8.length * 2];
            for (int i = 0; i < utf8.length; i++) {
                le[2 * i] = utf8[i];
                be[2 * i + 1] = utf8[i];
            }
            out.add(le);
            out.add(be);
            for (int shift = 0; shift < 3; shift++) {
                byte[] shifted = new byte[shift + utf8.length];
                System.arraycopy(utf8, 0, shifted, shift, utf8.length);
                byte[] b64 = Base64.getEncoder().withoutPadding().encode(shifted);
                int from = shift == 0 ? 0 : 4;
                out.add(Arrays.copyOfRange(b64, from, b64.length - 4));
            }
            byte[] hex = new byte[utf8.length * 2];
            byte[] hexUpper = new byte[utf8.length * 2];
            for (int i = 0; i < utf8.length; i++) {
                hex[2 * i] = hexDigit((utf8[i] >> 4) & 0xf);
                hex[2 * i + 1] = hexDigit(utf8[i] & 0xf);
                hexUpper[2 * i] = (byte) Character.toUpperCase(hex[2 * i]);
                hexUpper[2 * i + 1] = (byte) Character.toUpperCase(hex[2 * i + 1]);
            }
            out.add(hex);
            out.add(hexUpper);
            Arrays.fill(utf8, (byte) 0);
            return out;
        }
    }

    // ------------------------------------------------------------------ scanning

    private static List<Path> files(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }

    /** Hits of any pattern in the file, as "pattern#i@offset"; read in chunks that overlap by a pattern's length. */
    static List<String> scanFile(Path file, List<byte[]> patterns) throws IOException {
        int overlap = patterns.stream().mapToInt(p -> p.length).max().orElse(0);
        List<String> hits = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(32 << 20);
            long base = 0;
            byte[] carry = new byte[0];
            while (true) {
                buf.clear();
                buf.put(carry);
                int n = 0;
                while (buf.hasRemaining() && (n = ch.read(buf)) > 0) {
                    // fill the buffer
                }
                byte[] chunk = Arrays.copyOf(buf.array(), buf.position());
                for (String h : scanBytes(chunk, patterns, base - carry.length)) {
                    if (!hits.contains(h)) {
                        hits.add(h);
                    }
                }
                if (n < 0 || chunk.length == carry.length) {
                    break;
                }
                base += chunk.length - carry.length;
                carry = Arrays.copyOfRange(chunk, Math.max(0, chunk.length - overlap + 1), chunk.length);
            }
        } catch (IOException unreadable) {
            // a socket or a file that vanished
        }
        return hits;
    }

    /** Single pass, patterns indexed by their first two bytes. */
    static List<String> scanBytes(byte[] data, List<byte[]> patterns, long base) {
        List<List<Integer>> index = new ArrayList<>(65536);
        for (int i = 0; i < 65536; i++) {
            index.add(null);
        }
        for (int p = 0; p < patterns.size(); p++) {
            byte[] pat = patterns.get(p);
            int key = (pat[0] & 0xff) << 8 | (pat[1] & 0xff);
            if (index.get(key) == null) {
                index.set(key, new ArrayList<>());
            }
            index.get(key).add(p);
        }
        List<String> hits = new ArrayList<>();
        for (int i = 0; i + 1 < data.length; i++) {
            List<Integer> candidates = index.get((data[i] & 0xff) << 8 | (data[i + 1] & 0xff));
            if (candidates == null) {
                continue;
            }
            for (int p : candidates) {
                byte[] pat = patterns.get(p);
                if (i + pat.length <= data.length && Arrays.equals(data, i, i + pat.length, pat, 0, pat.length)) {
                    hits.add("pattern#" + p + "@" + (base + i));
                }
            }
        }
        return hits;
    }
}
