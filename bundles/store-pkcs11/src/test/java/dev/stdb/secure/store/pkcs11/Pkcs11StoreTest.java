package dev.stdb.secure.store.pkcs11;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.pkcs11.internal.TokenLabels;
import dev.stdb.secure.testing.softhsm.SoftHsm;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.crypto.SecretKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against real SoftHSM2 tokens. */
class Pkcs11StoreTest {

    private static Path tokens;
    private static TestPki.Ca ca;

    @TempDir
    Path dir;

    private final List<Pkcs11Store> opened = new ArrayList<>();

    @BeforeAll
    static void tokens() throws Exception {
        tokens = TestTokens.init();
        ca = TestPki.ca("HSM Test CA");
    }

    @AfterEach
    void closeStores() {
        opened.forEach(Pkcs11Store::close);
    }

    private Pkcs11Store store() {
        return track(TestTokens.store(TestTokens.MAIN, dir.resolve("data")).id("main").build());
    }

    private Pkcs11Store track(Pkcs11Store s) {
        opened.add(s);
        return s;
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @Test
    void roundTripOverwriteDeleteList() throws Exception {
        Pkcs11Store store = store();
        assertEquals(Protection.HARDWARE, store.protection());
        assertEquals("main", store.id());
        assertEquals(Optional.empty(), store.read("oauth2/https://idp.example/realms/x/client-a/refresh"));
        store.write("oauth2/https://idp.example/realms/x/client-a/refresh", Secret.ofString("refresh-token-1"));
        store.write("apikey", Secret.ofBytes(new byte[] {0, 1, 2, (byte) 0xff}));
        assertEquals(Set.of("oauth2/https://idp.example/realms/x/client-a/refresh", "apikey"), store.list());
        try (Secret s = store.read("oauth2/https://idp.example/realms/x/client-a/refresh").orElseThrow()) {
            assertTrue(s.contentEquals(Secret.ofString("refresh-token-1")));
            assertArrayEquals("refresh-token-1".toCharArray(), s.charsCopy());
        }
        try (Secret s = store.read("apikey").orElseThrow()) {
            assertArrayEquals(new byte[] {0, 1, 2, (byte) 0xff}, s.bytesCopy());
        }
        store.write("apikey", Secret.ofString("second"));
        assertTrue(store.read("apikey").orElseThrow().contentEquals(Secret.ofString("second")));
        assertTrue(store.delete("apikey"));
        assertFalse(store.delete("apikey"));
        assertEquals(Optional.empty(), store.read("apikey"));
        assertEquals(Set.of("oauth2/https://idp.example/realms/x/client-a/refresh"), store.list());

        // A second store (a new provider, a new login) on the same token and directory reads what the first wrote.
        Pkcs11Store again = track(TestTokens.store(TestTokens.MAIN, dir.resolve("data")).id("again").build());
        assertTrue(again.read("oauth2/https://idp.example/realms/x/client-a/refresh").orElseThrow()
                .contentEquals(Secret.ofString("refresh-token-1")));
        assertTrue(again.aliases().contains("stdb-wrap"), again.aliases().toString());
    }

    @Test
    void filesAreOwnerOnlyAndHoldNoTemporaryLeftovers() throws Exception {
        Pkcs11Store store = store();
        store.write("a", Secret.ofString("x"));
        store.write("a", Secret.ofString("y"));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(store.dataDir())));
        List<Path> files = SoftHsm.files(store.dataDir());
        assertEquals(1, files.size(), files.toString());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(files.get(0))));
    }

    @Test
    void flippedByteIsTamperedNamingTheEntry() throws Exception {
        Pkcs11Store store = store();
        store.write("service/token", Secret.ofString("value-1"));
        Path file = SoftHsm.files(store.dataDir()).get(0);
        byte[] bytes = Files.readAllBytes(file);
        for (int i : new int[] {bytes.length - 1, bytes.length - 20, 6 + "service/token".length() + 2}) {
            byte[] copy = bytes.clone();
            copy[i] ^= 0x01;
            Files.write(file, copy);
            CredentialStoreException e = assertThrows(CredentialStoreException.class,
                    () -> store.read("service/token"));
            assertEquals(ReasonCode.STORE_TAMPERED, e.reason(), e.getMessage());
            assertTrue(e.getMessage().contains("'service/token'"), e.getMessage());
        }
        // The store keeps working after a tampered entry (a bad tag is not a token failure).
        Files.write(file, bytes);
        assertTrue(store.read("service/token").orElseThrow().contentEquals(Secret.ofString("value-1")));
    }

    @Test
    void fileMovedToAnotherEntryIsTampered() throws Exception {
        Pkcs11Store store = store();
        store.write("alice", Secret.ofString("alice-secret"));
        store.write("bob", Secret.ofString("bob-secret"));
        Path bob = store.dataDir().resolve(
                new dev.stdb.secure.store.pkcs11.internal.BlobFiles(store.dataDir(), "t").fileOf("bob").getFileName());
        Path alice = new dev.stdb.secure.store.pkcs11.internal.BlobFiles(store.dataDir(), "t").fileOf("alice");
        Files.copy(alice, bob, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.read("bob"));
        assertEquals(ReasonCode.STORE_TAMPERED, e.reason());
        assertTrue(e.getMessage().contains("'bob'"), e.getMessage());
        // Edit the name inside the copied file to "bob" too: now only the GCM tag (AAD = header) catches it.
        byte[] a = Files.readAllBytes(alice);
        byte[] forged = new byte[a.length - 2];
        System.arraycopy(a, 0, forged, 0, 4);
        forged[4] = 0;
        forged[5] = 3;
        System.arraycopy("bob".getBytes(StandardCharsets.UTF_8), 0, forged, 6, 3);
        System.arraycopy(a, 6 + 5, forged, 9, a.length - 11);
        Files.write(bob, forged);
        e = assertThrows(CredentialStoreException.class, () -> store.read("bob"));
        assertEquals(ReasonCode.STORE_TAMPERED, e.reason());
        assertTrue(e.getMessage().contains("GCM"), e.getMessage());
    }

    @Test
    void neverPlaintextInTheDataDirectoryOrTheToken() throws Exception {
        Pkcs11Store store = store();
        String marker = "MARKER-" + UUID.randomUUID();
        byte[] binary = ("BIN-" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
        store.write("m1", Secret.ofString(marker));
        store.write("m2", Secret.ofBytes(binary));
        byte[] wrapped = store.wrap(store.wrapKeyAlias(), Secret.ofString(marker));
        Files.write(store.dataDir().resolve("wrapped.bin"), wrapped);
        List<byte[]> needles = new ArrayList<>();
        for (byte[] value : List.of(marker.getBytes(StandardCharsets.UTF_8), binary)) {
            needles.add(value);
            needles.add(Base64.getEncoder().encode(value));
            needles.add(Base64.getUrlEncoder().withoutPadding().encode(value));
            needles.add(HexFormat.of().formatHex(value).getBytes(StandardCharsets.US_ASCII));
            needles.add(HexFormat.of().withUpperCase().formatHex(value).getBytes(StandardCharsets.US_ASCII));
            needles.add(new String(value, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_16LE));
        }
        List<Path> files = SoftHsm.files(store.dataDir(), tokens);
        assertTrue(files.size() >= 4, files.toString());
        for (Path f : files) {
            byte[] content = Files.readAllBytes(f);
            for (byte[] n : needles) {
                assertEquals(-1, indexOf(content, n), f + " holds a stored value");
            }
        }
        assertTrue(store.read("m1").orElseThrow().contentEquals(Secret.ofString(marker)));
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void keysAreNotExtractable() throws Exception {
        Pkcs11Store store = store();
        store.write("x", Secret.ofString("y"));
        String ec = unique("ec");
        store.generateKeyPair(ec, Pkcs11Store.KeyType.EC_P256, pub -> new X509Certificate[] {
            TestPki.client(ca, ec, pub)});
        // An independent SunPKCS11 view of the same token: what any code in the process could reach.
        Provider base = Security.getProvider("SunPKCS11");
        long slot = TokenLabels.slotOf(base, SoftHsm.LIBRARY.toString(), TestTokens.MAIN, "test");
        Provider p = base.configure("--name = probe\nlibrary = " + SoftHsm.LIBRARY + "\nslot = " + slot + "\n");
        KeyStore ks = KeyStore.getInstance("PKCS11", p);
        ks.load(null, SoftHsm.PIN.toCharArray());
        Key wrap = ks.getKey("stdb-wrap", null);
        assertTrue(wrap instanceof SecretKey, String.valueOf(wrap));
        assertNull(wrap.getEncoded());
        assertTrue(wrap.toString().contains("token object, sensitive, unextractable"), wrap.toString());
        Key priv = ks.getKey(ec, null);
        assertTrue(priv instanceof PrivateKey, String.valueOf(priv));
        assertNull(priv.getEncoded());
        assertTrue(priv.toString().contains("token object, sensitive, unextractable"), priv.toString());
        // Exporting into a software key store fails: there is no key material to copy.
        KeyStore p12 = KeyStore.getInstance("PKCS12");
        p12.load(null, null);
        assertThrows(Exception.class, () -> p12.setKeyEntry("wrap", wrap, "pw".toCharArray(), null));
        assertThrows(Exception.class, () -> {
            p12.setKeyEntry("ec", priv, "pw".toCharArray(), ks.getCertificateChain(ec));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            p12.store(out, "pw".toCharArray());
        });
    }

    @Test
    void signsWithEcAndRsaKeysVerifiedByTheJdk() throws Exception {
        Pkcs11Store store = store();
        byte[] data = "header.payload".getBytes(StandardCharsets.US_ASCII);
        String ec = unique("jwt-ec");
        X509Certificate[] ecChain = store.generateKeyPair(ec, Pkcs11Store.KeyType.EC_P256,
                pub -> new X509Certificate[] {TestPki.client(ca, ec, pub), ca.cert()});
        byte[] ecSig = store.sign(ec, "SHA256withECDSA", data);
        PublicKey ecPub = store.publicKey(ec).orElseThrow();
        assertArrayEquals(ecChain[0].getPublicKey().getEncoded(), ecPub.getEncoded());
        Signature v = Signature.getInstance("SHA256withECDSA", "SunEC");
        v.initVerify(java.security.KeyFactory.getInstance("EC", "SunEC").generatePublic(
                new java.security.spec.X509EncodedKeySpec(ecPub.getEncoded())));
        v.update(data);
        assertTrue(v.verify(ecSig));

        String rsa = unique("jwt-rsa");
        store.generateKeyPair(rsa, Pkcs11Store.KeyType.RSA_2048,
                pub -> new X509Certificate[] {TestPki.client(ca, rsa, pub)});
        PublicKey rsaPub = java.security.KeyFactory.getInstance("RSA", "SunRsaSign").generatePublic(
                new java.security.spec.X509EncodedKeySpec(store.publicKey(rsa).orElseThrow().getEncoded()));
        for (String alg : List.of("SHA256withRSA", "SHA384withRSA")) {
            byte[] sig = store.sign(rsa, alg, data);
            Signature r = Signature.getInstance(alg, "SunRsaSign");
            r.initVerify(rsaPub);
            r.update(data);
            assertTrue(r.verify(sig), alg);
            r.initVerify(rsaPub);
            r.update("tampered".getBytes(StandardCharsets.US_ASCII));
            assertFalse(r.verify(sig), alg);
        }
        assertTrue(store.aliases().containsAll(Set.of(ec, rsa)), store.aliases().toString());
        Certificate[] stored = store.keyManager(ec).orElseThrow().getCertificateChain(ec);
        assertEquals(2, stored.length);
        assertEquals(ecChain[0], stored[0]);
    }

    @Test
    void generatedChainMustCertifyTheNewKey() throws Exception {
        Pkcs11Store store = store();
        String alias = unique("mismatch");
        PublicKey other = TestPki.ecKeys().getPublic();
        assertThrows(IllegalArgumentException.class, () -> store.generateKeyPair(alias,
                Pkcs11Store.KeyType.EC_P256, pub -> new X509Certificate[] {TestPki.client(ca, alias, other)}));
        assertFalse(store.aliases().contains(alias));
        String taken = unique("taken");
        store.generateKeyPair(taken, Pkcs11Store.KeyType.EC_P256,
                pub -> new X509Certificate[] {TestPki.client(ca, taken, pub)});
        assertThrows(IllegalArgumentException.class, () -> store.generateKeyPair(taken,
                Pkcs11Store.KeyType.EC_P256, pub -> new X509Certificate[] {TestPki.client(ca, taken, pub)}));
    }

    @Test
    void wrapUnwrapRoundTripAndTamper() throws Exception {
        Pkcs11Store store = store();
        String aes = unique("data-key");
        store.generateAesKey(aes);
        byte[] dataKey = new byte[32];
        new java.security.SecureRandom().nextBytes(dataKey);
        byte[] wrapped = store.wrap(aes, Secret.ofBytes(dataKey));
        byte[] again = store.wrap(aes, Secret.ofBytes(dataKey));
        assertFalse(java.util.Arrays.equals(wrapped, again), "a fresh nonce per wrap");
        assertArrayEquals(dataKey, store.unwrap(aes, wrapped).bytesCopy());
        wrapped[wrapped.length - 3] ^= 0x40;
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.unwrap(aes, wrapped));
        assertEquals(ReasonCode.STORE_TAMPERED, e.reason());
        // Wrapped under one key, unwrapped under another: the tag fails too.
        String other = unique("other-key");
        store.generateAesKey(other);
        e = assertThrows(CredentialStoreException.class, () -> store.unwrap(other, again));
        assertEquals(ReasonCode.STORE_TAMPERED, e.reason());
    }

    @Test
    void absentAliasIsKeyUnavailable() throws Exception {
        Pkcs11Store store = store();
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> store.sign("no-such-key", "SHA256withECDSA", new byte[1]));
        assertEquals(ReasonCode.KEY_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("'no-such-key'"), e.getMessage());
        e = assertThrows(CredentialStoreException.class, () -> store.wrap("no-such-key", Secret.ofString("x")));
        assertEquals(ReasonCode.KEY_UNAVAILABLE, e.reason());
        assertEquals(Optional.empty(), store.keyManager("no-such-key"));
        assertEquals(Optional.empty(), store.publicKey("no-such-key"));
        // An RSA algorithm on an EC key is the key's problem, not the token's: KEY_UNAVAILABLE and the store goes on.
        String ec = unique("ec");
        store.generateKeyPair(ec, Pkcs11Store.KeyType.EC_P256,
                pub -> new X509Certificate[] {TestPki.client(ca, ec, pub)});
        e = assertThrows(CredentialStoreException.class, () -> store.sign(ec, "SHA256withRSA", new byte[1]));
        assertEquals(ReasonCode.KEY_UNAVAILABLE, e.reason());
        assertTrue(store.sign(ec, "SHA256withECDSA", new byte[1]).length > 0);
    }

    @Test
    void missingWrappingKeyIsKeyUnavailable() throws Exception {
        String alias = unique("wrap");
        Pkcs11Store store = track(TestTokens.store(TestTokens.MAIN, dir.resolve("data")).wrapKeyAlias(alias).build());
        store.write("k", Secret.ofString("v"));
        assertTrue(store.aliases().contains(alias));
        assertTrue(store.deleteKey(alias));
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.read("k"));
        assertEquals(ReasonCode.KEY_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("'" + alias + "'"), e.getMessage());
    }

    @Test
    void wrongPinIsStoreLockedWithoutThePin() throws Exception {
        String wrong = "77777-Wrong-Pin";
        List<String> logged = new ArrayList<>();
        Handler h = new Handler() {
            @Override
            public void publish(LogRecord r) {
                logged.add(String.valueOf(r.getMessage()) + " " + r.getThrown());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        Logger root = Logger.getLogger("");
        Level before = root.getLevel();
        root.addHandler(h);
        root.setLevel(Level.ALL);
        try {
            Pkcs11Store store = track(Pkcs11Store.builder().library(SoftHsm.LIBRARY).tokenLabel(TestTokens.PIN_TOKEN)
                    .pin(() -> wrong.toCharArray()).dataDir(dir).build());
            for (int i = 0; i < 2; i++) {
                CredentialStoreException e = assertThrows(CredentialStoreException.class,
                        () -> store.write("k", Secret.ofString("v")));
                assertEquals(ReasonCode.STORE_LOCKED, e.reason());
                assertTrue(e.getMessage().contains("wrong PIN"), e.getMessage());
                assertTrue(e.getMessage().contains(TestTokens.PIN_TOKEN), e.getMessage());
                for (Throwable c = e; c != null; c = c.getCause()) {
                    assertFalse(String.valueOf(c.getMessage()).contains(wrong), c.toString());
                }
                assertFalse(store.toString().contains(wrong));
            }
            // The right PIN on the same token works.
            Pkcs11Store right = track(TestTokens.store(TestTokens.PIN_TOKEN, dir.resolve("ok")).build());
            right.write("k", Secret.ofString("v"));
        } finally {
            root.removeHandler(h);
            root.setLevel(before);
        }
        for (String line : logged) {
            assertFalse(line.contains(wrong), line);
            assertFalse(line.contains(SoftHsm.PIN), line);
        }
    }

    @Test
    void missingLibraryIsStoreUnavailable() {
        Pkcs11Store store = track(Pkcs11Store.builder().library(dir.resolve("libnothere.so")).slotListIndex(0)
                .pin(() -> SoftHsm.PIN.toCharArray()).dataDir(dir).build());
        CredentialStoreException e = assertThrows(CredentialStoreException.class,
                () -> store.write("k", Secret.ofString("v")));
        assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("libnothere.so"), e.getMessage());
        assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    }

    @Test
    void missingTokenLabelIsStoreUnavailableListingWhatIsPresent() {
        Pkcs11Store store = track(TestTokens.store("no-such-token", dir).build());
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> store.aliases());
        assertEquals(ReasonCode.STORE_UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("no token labelled 'no-such-token'"), e.getMessage());
        assertTrue(e.getMessage().contains("'" + TestTokens.MAIN + "'"), e.getMessage());
    }

    @Test
    void pinFileMustBeOwnerOnly() throws Exception {
        Path pin = dir.resolve("pin");
        Files.writeString(pin, SoftHsm.PIN + "\n");
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-r--r--"));
        Pkcs11Store loose = track(Pkcs11Store.builder().library(SoftHsm.LIBRARY).tokenLabel(TestTokens.MAIN)
                .pinFile(pin).dataDir(dir.resolve("d")).build());
        CredentialStoreException e = assertThrows(CredentialStoreException.class, () -> loose.aliases());
        assertEquals(ReasonCode.STORE_PERMISSIONS, e.reason());
        assertFalse(e.getMessage().contains(SoftHsm.PIN), e.getMessage());
        Files.setPosixFilePermissions(pin, PosixFilePermissions.fromString("rw-------"));
        assertTrue(loose.aliases().contains("stdb-wrap") || loose.aliases().size() >= 0);
        loose.write("k", Secret.ofString("v"));
    }

    @Test
    void pinFromACallbackHandler() throws Exception {
        Pkcs11Store store = track(Pkcs11Store.builder().library(SoftHsm.LIBRARY).tokenLabel(TestTokens.MAIN)
                .pin(callbacks -> ((javax.security.auth.callback.PasswordCallback) callbacks[0])
                        .setPassword(SoftHsm.PIN.toCharArray()))
                .dataDir(dir).build());
        store.write("k", Secret.ofString("v"));
        assertTrue(store.read("k").orElseThrow().contentEquals(Secret.ofString("v")));
    }

    @Test
    void aStoreRecoversAfterTheTokenSessionIsLost() throws Exception {
        Pkcs11Store store = track(TestTokens.store(TestTokens.RESET, dir.resolve("data")).build());
        String ec = unique("ec");
        store.generateKeyPair(ec, Pkcs11Store.KeyType.EC_P256,
                pub -> new X509Certificate[] {TestPki.client(ca, ec, pub)});
        store.write("k", Secret.ofString("v1"));
        // Another store on the same token logs out when it closes. PKCS#11 login state belongs to the process and
        // token, so the first store's session is gone too, as after a token reset.
        Pkcs11Store other = TestTokens.store(TestTokens.RESET, dir.resolve("other")).build();
        other.aliases();
        other.close();
        CredentialStoreException first = null;
        try {
            store.sign(ec, "SHA256withECDSA", new byte[] {1});
        } catch (CredentialStoreException e) {
            first = e;
        }
        if (first != null) {
            assertEquals(ReasonCode.STORE_UNAVAILABLE, first.reason(), first.getMessage());
            assertTrue(first.getMessage().contains("next call opens it again"), first.getMessage());
        }
        // Whether or not that call noticed, the store works again: a new provider, a new login.
        assertTrue(store.sign(ec, "SHA256withECDSA", new byte[] {1}).length > 0);
        assertTrue(store.read("k").orElseThrow().contentEquals(Secret.ofString("v1")));
        store.write("k", Secret.ofString("v2"));
        assertTrue(store.read("k").orElseThrow().contentEquals(Secret.ofString("v2")));
    }

    @Test
    void toStringShowsNoPin() {
        Pkcs11Store store = store();
        assertFalse(store.toString().contains(SoftHsm.PIN));
        assertTrue(store.toString().contains(TestTokens.MAIN), store.toString());
    }
}
