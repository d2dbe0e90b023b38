package dev.stdb.secure.store.pkcs11;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import dev.stdb.secure.api.store.CredentialStore;
import dev.stdb.secure.api.store.KeyService;
import dev.stdb.secure.api.store.Protection;
import dev.stdb.secure.store.pkcs11.internal.BlobFiles;
import dev.stdb.secure.store.pkcs11.internal.Pkcs11Errors;
import dev.stdb.secure.store.pkcs11.internal.SingleKeyManager;
import dev.stdb.secure.store.pkcs11.internal.TokenLabels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AuthProvider;
import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.ProviderException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Security;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Collections;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyGenerator;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.security.auth.callback.CallbackHandler;
import javax.security.auth.callback.PasswordCallback;
import javax.security.auth.callback.UnsupportedCallbackException;
import javax.net.ssl.X509KeyManager;

/**
 * A {@link CredentialStore} ({@link Protection#HARDWARE}) and a {@link KeyService} on one PKCS#11 token, through the
 * JDK's SunPKCS11 provider.
 *
 * <p><b>Keys</b> are generated on the token and stay there: secret and private keys are created with
 * {@code CKA_SENSITIVE=true} and {@code CKA_EXTRACTABLE=false} and stored as token objects ({@code CKA_TOKEN=true})
 * under their alias (the PKCS#11 label). The store's wrapping key, an AES-256 key (alias {@code stdb-wrap} unless
 * configured), is generated on first write if the token has none. EC (secp256r1) and RSA key pairs for signing and
 * mutual TLS are generated with {@link #generateKeyPair(String, KeyType, Function)}, which stores the certificate chain
 * the caller's CA issues for the public key next to the private key.
 *
 * <p><b>Credentials</b> are encrypted inside the token with AES-256-GCM under the wrapping key (a fresh random 96-bit
 * nonce per write, the entry's file header, which holds its name, as associated data) and the ciphertext is kept in
 * one owner-only file per entry in the data directory ({@link BlobFiles}: written to a temporary file, fsynced and
 * renamed). Files rather than PKCS#11 data objects, because SunPKCS11's KeyStore does not reach data objects and
 * files make the atomic replace, listing and backup plain. Neither the files nor the token ever hold a plaintext
 * credential; copying the files without the token gives nothing.
 *
 * <p><b>Failures</b> are {@link CredentialStoreException}s: {@link ReasonCode#STORE_LOCKED} for a wrong or missing PIN
 * (the message says "wrong PIN" and never holds it), {@link ReasonCode#STORE_UNAVAILABLE} for a missing library, an
 * absent token or a token that went away, {@link ReasonCode#KEY_UNAVAILABLE} for an alias the token does not hold,
 * {@link ReasonCode#STORE_TAMPERED} when an entry fails its GCM tag. A provider that failed is dropped, and the next
 * call configures a new one and logs in again, so the store recovers when the token is back.
 *
 * <p>Thread-safe.
 */
public final class Pkcs11Store implements CredentialStore, KeyService, AutoCloseable {

    /** Key pairs {@link #generateKeyPair(String, KeyType, Function)} makes on the token. */
    public enum KeyType {
        /** ECDSA on secp256r1 (P-256): ES256, TLS {@code ecdsa_secp256r1_sha256}. */
        EC_P256("EC", 256),
        /** RSA 2048 bits: RS256/PS256, TLS {@code rsa_pss_*}. */
        RSA_2048("RSA", 2048),
        /** RSA 3072 bits. */
        RSA_3072("RSA", 3072);

        private final String algorithm;
        private final int bits;

        KeyType(String algorithm, int bits) {
            this.algorithm = algorithm;
            this.bits = bits;
        }
    }

    private static final byte[] WRAP_MAGIC = {'S', 'T', 'W', '1'};
    private static final byte KIND_BYTES = 0;
    private static final byte KIND_CHARS = 1;
    private static final int TAG_BITS = 128;
    private static final AtomicLong GENERATION = new AtomicLong();
    private static final System.Logger LOG = System.getLogger(Pkcs11Store.class.getName());

    private final String id;
    private final Path library;
    private final Long slot;
    private final Integer slotListIndex;
    private final String tokenLabel;
    private final Supplier<char[]> pin;
    private final String wrapKeyAlias;
    private final BlobFiles files;
    private final SecureRandom random = new SecureRandom();
    private final Object lock = new Object();
    private Session session;
    private boolean closed;

    /** A configured provider, logged in, and its KeyStore view of the token. */
    private static final class Session {
        final Provider provider;
        final KeyStore keyStore;
        final String where;
        volatile SecretKey wrapKey;
        volatile boolean registered;
        /** Key handles found by alias; a handle that went stale fails its operation, which drops the session. */
        final java.util.concurrent.ConcurrentHashMap<String, Key> keys = new java.util.concurrent.ConcurrentHashMap<>();

        Session(Provider provider, KeyStore keyStore, String where) {
            this.provider = provider;
            this.keyStore = keyStore;
            this.where = where;
        }
    }

    @FunctionalInterface
    private interface Op<R> {
        R run(Session s) throws Exception;
    }

    private Pkcs11Store(Builder b) {
        this.id = b.id;
        this.library = b.library;
        this.slot = b.slot;
        this.slotListIndex = b.slotListIndex;
        this.tokenLabel = b.tokenLabel;
        this.pin = b.pin;
        this.wrapKeyAlias = b.wrapKeyAlias;
        this.files = new BlobFiles(b.dataDir, b.id);
    }

    /** A builder; set the library, the token (slot, slot list index or label), the PIN source and the data directory. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Protection protection() {
        return Protection.HARDWARE;
    }

    /** The alias of the AES key that wraps stored credentials. */
    public String wrapKeyAlias() {
        return wrapKeyAlias;
    }

    /** Where the wrapped credentials live. */
    public Path dataDir() {
        return files.dir();
    }

    // ---------------------------------------------------------------------------------------------- CredentialStore

    @Override
    public Optional<Secret> read(String key) throws CredentialStoreException {
        checkName(key);
        Optional<BlobFiles.Blob> blob = files.read(key);
        if (blob.isEmpty()) {
            return Optional.empty();
        }
        BlobFiles.Blob b = blob.get();
        byte[] plain = call("read of entry '" + key + "'", s -> decrypt(s, requireWrapKey(s), b.header(), b.nonce(),
                b.ciphertext(), "entry '" + key + "'"));
        try {
            if (plain.length == 0) {
                throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, prefix() + "entry '" + key
                        + "' is empty after decryption; it failed its integrity check");
            }
            byte[] body = Arrays.copyOfRange(plain, 1, plain.length);
            try {
                if (plain[0] == KIND_CHARS) {
                    CharBuffer chars = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(body));
                    char[] c = new char[chars.remaining()];
                    chars.get(c);
                    Arrays.fill(chars.array(), '\0');
                    try {
                        return Optional.of(Secret.ofChars(c));
                    } finally {
                        Arrays.fill(c, '\0');
                    }
                }
                return Optional.of(Secret.ofBytes(body));
            } finally {
                Arrays.fill(body, (byte) 0);
            }
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public void write(String key, Secret value) throws CredentialStoreException {
        checkName(key);
        Objects.requireNonNull(value, "value");
        byte[] header = BlobFiles.header(key);
        byte[] nonce = new byte[BlobFiles.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] kindAndValue = value.withBytes(bytes -> {
            byte[] p = new byte[bytes.length + 1];
            p[0] = isChars(value) ? KIND_CHARS : KIND_BYTES;
            System.arraycopy(bytes, 0, p, 1, bytes.length);
            return p;
        });
        byte[] ciphertext;
        try {
            ciphertext = call("write of entry '" + key + "'",
                    s -> encrypt(s, wrapKey(s, true), header, nonce, kindAndValue));
        } finally {
            Arrays.fill(kindAndValue, (byte) 0);
        }
        files.write(key, header, nonce, ciphertext);
    }

    @Override
    public boolean delete(String key) throws CredentialStoreException {
        checkName(key);
        return files.delete(key);
    }

    @Override
    public Set<String> list() throws CredentialStoreException {
        return files.names();
    }

    // -------------------------------------------------------------------------------------------------- KeyService

    @Override
    public Set<String> aliases() throws CredentialStoreException {
        return call("listing aliases", s -> Set.copyOf(Collections.list(s.keyStore.aliases())));
    }

    @Override
    public byte[] sign(String alias, String algorithm, byte[] data) throws CredentialStoreException {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(data, "data");
        return call("signing with key '" + alias + "'", s -> {
            PrivateKey key = privateKey(s, alias);
            Signature sig;
            try {
                sig = Signature.getInstance(algorithm, s.provider);
                sig.initSign(key);
            } catch (NoSuchAlgorithmException | InvalidKeyException e) {
                throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, prefix() + "key '" + alias + "' ("
                        + key.getAlgorithm() + ") cannot sign with " + algorithm + " on " + s.where, e);
            }
            sig.update(data);
            return sig.sign();
        });
    }

    @Override
    public byte[] wrap(String alias, Secret plaintext) throws CredentialStoreException {
        Objects.requireNonNull(plaintext, "plaintext");
        byte[] nonce = new byte[BlobFiles.NONCE_BYTES];
        random.nextBytes(nonce);
        byte[] ciphertext = call("wrapping with key '" + alias + "'", s -> plaintext.withBytes(p -> {
            try {
                return encrypt(s, secretKey(s, alias), WRAP_MAGIC, nonce, p);
            } catch (Exception e) {
                throw new WrappedFailure(e);
            }
        }));
        ByteBuffer out = ByteBuffer.allocate(WRAP_MAGIC.length + nonce.length + ciphertext.length);
        return out.put(WRAP_MAGIC).put(nonce).put(ciphertext).array();
    }

    @Override
    public Secret unwrap(String alias, byte[] wrapped) throws CredentialStoreException {
        Objects.requireNonNull(wrapped, "wrapped");
        if (wrapped.length < WRAP_MAGIC.length + BlobFiles.NONCE_BYTES + TAG_BITS / 8
                || !Arrays.equals(Arrays.copyOf(wrapped, WRAP_MAGIC.length), WRAP_MAGIC)) {
            throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, prefix() + "data to unwrap with key '"
                    + alias + "' is not wrapped data of this store; it failed its integrity check");
        }
        byte[] nonce = Arrays.copyOfRange(wrapped, WRAP_MAGIC.length, WRAP_MAGIC.length + BlobFiles.NONCE_BYTES);
        byte[] ct = Arrays.copyOfRange(wrapped, WRAP_MAGIC.length + BlobFiles.NONCE_BYTES, wrapped.length);
        byte[] plain = call("unwrapping with key '" + alias + "'",
                s -> decrypt(s, secretKey(s, alias), WRAP_MAGIC, nonce, ct, "data wrapped with key '" + alias + "'"));
        try {
            return Secret.ofBytes(plain);
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public Optional<X509KeyManager> keyManager(String alias) throws CredentialStoreException {
        return call("key manager for '" + alias + "'", s -> {
            Key key = s.keyStore.getKey(alias, null);
            Certificate[] chain = s.keyStore.getCertificateChain(alias);
            if (!(key instanceof PrivateKey) || chain == null || chain.length == 0) {
                return Optional.<X509KeyManager>empty();
            }
            X509Certificate[] x509 = new X509Certificate[chain.length];
            for (int i = 0; i < chain.length; i++) {
                x509[i] = (X509Certificate) chain[i];
            }
            registerForJsse(s);
            return Optional.<X509KeyManager>of(new SingleKeyManager(alias, (PrivateKey) key, x509));
        });
    }

    @Override
    public Optional<PublicKey> publicKey(String alias) throws CredentialStoreException {
        return call("public key of '" + alias + "'", s -> {
            Certificate c = s.keyStore.getCertificate(alias);
            return c == null ? Optional.<PublicKey>empty() : Optional.of(c.getPublicKey());
        });
    }

    // ----------------------------------------------------------------------------------------------- administration

    /**
     * Generates a key pair on the token (private key sensitive, not extractable) and stores it under {@code alias}
     * with the certificate chain {@code certify} returns for its public key: the leaf first, carrying that public key
     * (for example issued by a CA from a CSR, or by a test CA), then its issuers. Nothing is stored if
     * {@code certify} throws or returns a chain for another key.
     *
     * @return the stored chain
     * @throws IllegalArgumentException if {@code alias} is taken or the chain does not certify the new key
     */
    public X509Certificate[] generateKeyPair(String alias, KeyType type,
            Function<PublicKey, X509Certificate[]> certify) throws CredentialStoreException {
        checkName(alias);
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(certify, "certify");
        return call("generating key pair '" + alias + "'", s -> {
            if (s.keyStore.containsAlias(alias)) {
                throw new IllegalArgumentException("alias '" + alias + "' is already used on " + s.where);
            }
            KeyPairGenerator g = KeyPairGenerator.getInstance(type.algorithm, s.provider);
            if (type.algorithm.equals("EC")) {
                g.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                g.initialize(type.bits);
            }
            KeyPair pair = g.generateKeyPair();
            X509Certificate[] chain = certify.apply(pair.getPublic());
            if (chain == null || chain.length == 0
                    || !Arrays.equals(chain[0].getPublicKey().getEncoded(), pair.getPublic().getEncoded())) {
                throw new IllegalArgumentException("the certificate chain for '" + alias
                        + "' does not start with a certificate of the generated public key");
            }
            s.keyStore.setKeyEntry(alias, pair.getPrivate(), null, chain.clone());
            return chain.clone();
        });
    }

    /** Generates an AES-256 key on the token (sensitive, not extractable) under {@code alias}, for {@link #wrap}. */
    public void generateAesKey(String alias) throws CredentialStoreException {
        checkName(alias);
        call("generating AES key '" + alias + "'", s -> {
            if (s.keyStore.containsAlias(alias)) {
                throw new IllegalArgumentException("alias '" + alias + "' is already used on " + s.where);
            }
            KeyGenerator g = KeyGenerator.getInstance("AES", s.provider);
            g.init(256);
            s.keyStore.setKeyEntry(alias, g.generateKey(), null, null);
            return null;
        });
    }

    /** Removes the key (and its certificates) under {@code alias} from the token; true if there was one. */
    public boolean deleteKey(String alias) throws CredentialStoreException {
        return call("deleting key '" + alias + "'", s -> {
            if (!s.keyStore.containsAlias(alias)) {
                return false;
            }
            s.keyStore.deleteEntry(alias);
            s.keys.remove(alias);
            if (alias.equals(wrapKeyAlias)) {
                s.wrapKey = null;
            }
            return true;
        });
    }

    /** Logs out and drops the provider; a later call opens the token again. */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            drop(session);
            session = null;
        }
    }

    @Override
    public String toString() {
        return "Pkcs11Store[" + id + ", " + where() + "]";
    }

    // ---------------------------------------------------------------------------------------------------- internals

    private static boolean isChars(Secret value) {
        // A chars secret decodes to chars without loss; a bytes secret may not be UTF-8 at all. The API does not say
        // which form a secret has, so keep what round-trips: chars when the bytes are UTF-8 text made from chars.
        try {
            char[] c = value.charsCopy();
            Arrays.fill(c, '\0');
            return value.length() == c.length;
        } catch (IllegalStateException notText) {
            return false;
        }
    }

    private static void checkName(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw new IllegalArgumentException("empty key");
        }
    }

    private String prefix() {
        return "PKCS#11 store '" + id + "': ";
    }

    private String where() {
        String token = tokenLabel != null ? "token '" + tokenLabel + "'"
                : slot != null ? "slot " + slot : "slot list index " + slotListIndex;
        return token + " of " + library;
    }

    /** Unchecked carrier for checked failures inside {@link Secret#withBytes}. */
    private static final class WrappedFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        WrappedFailure(Exception cause) {
            super(cause);
        }
    }

    /**
     * Runs {@code op} on the current session. A failure of the token drops the session (the next call opens the
     * token again). A key that is not found on a session opened before this call is looked up once more on a new
     * session: private objects vanish from a session whose login was lost (a token reset, another part of the process
     * logging out), and a missing alias must not be reported for that.
     */
    private <R> R call(String what, Op<R> op) throws CredentialStoreException {
        Session s;
        boolean fresh;
        synchronized (lock) {
            fresh = session == null;
            s = session();
        }
        try {
            return run(what, s, op);
        } catch (CredentialStoreException e) {
            if (fresh || e.reason() != ReasonCode.KEY_UNAVAILABLE) {
                throw e;
            }
            drop(s, true);
            return run(what, session(), op);
        }
    }

    private <R> R run(String what, Session s, Op<R> op) throws CredentialStoreException {
        try {
            return op.run(s);
        } catch (WrappedFailure w) {
            return rethrow(what, s, (Exception) w.getCause());
        } catch (Exception e) {
            return rethrow(what, s, e);
        }
    }

    private <R> R rethrow(String what, Session s, Exception e) throws CredentialStoreException {
        if (e instanceof CredentialStoreException) {
            throw (CredentialStoreException) e;
        }
        if (e instanceof IllegalArgumentException) {
            throw (IllegalArgumentException) e;
        }
        drop(s, true);
        LOG.log(System.Logger.Level.WARNING, () -> prefix() + what + " failed on " + s.where + " ("
                + Pkcs11Errors.describe(e) + "); the provider is dropped and the next call opens the token again");
        throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix() + what + " failed on " + s.where
                + " (" + Pkcs11Errors.describe(e) + "); is the token present? The next call opens it again", e);
    }

    private Session session() throws CredentialStoreException {
        synchronized (lock) {
            if (closed) {
                throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix() + "closed");
            }
            if (session == null) {
                session = open();
            }
            return session;
        }
    }

    private void drop(Session s, boolean ifCurrent) {
        synchronized (lock) {
            if (ifCurrent && session != s) {
                return;
            }
            if (session == s) {
                session = null;
            }
        }
        drop(s);
    }

    private static void drop(Session s) {
        if (s == null) {
            return;
        }
        if (s.registered) {
            Security.removeProvider(s.provider.getName());
        }
        try {
            if (s.provider instanceof AuthProvider) {
                ((AuthProvider) s.provider).logout();
            }
        } catch (Exception ignored) {
            // the token may be gone; the provider is dropped either way
        }
    }

    private Session open() throws CredentialStoreException {
        if (!Files.isRegularFile(library)) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix() + "PKCS#11 library " + library
                    + " does not exist (install the token's PKCS#11 module, e.g. apt-get install softhsm2)");
        }
        Provider base = Security.getProvider("SunPKCS11");
        if (base == null) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix()
                    + "this JDK has no SunPKCS11 provider (module jdk.crypto.cryptoki)");
        }
        String selector;
        if (tokenLabel != null) {
            selector = "slot = " + TokenLabels.slotOf(base, library.toString(), tokenLabel, id);
        } else if (slot != null) {
            selector = "slot = " + slot;
        } else {
            selector = "slotListIndex = " + slotListIndex;
        }
        String name = "stdb-" + id.replaceAll("[^A-Za-z0-9_.-]", "_") + "-" + GENERATION.incrementAndGet();
        String config = "--name = " + name + "\n"
                + "library = " + quote(library.toString()) + "\n"
                + selector + "\n"
                + "attributes(generate, CKO_SECRET_KEY, CKK_AES) = {\n"
                + "  CKA_TOKEN = true\n  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                + "attributes(generate, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n"
                + "attributes(import, CKO_PRIVATE_KEY, *) = {\n"
                + "  CKA_SENSITIVE = true\n  CKA_EXTRACTABLE = false\n}\n";
        Provider provider;
        try {
            provider = base.configure(config);
        } catch (RuntimeException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix() + "cannot open " + where()
                    + " (" + Pkcs11Errors.describe(e) + "); is the token present?", e);
        }
        char[] p;
        try {
            p = pin.get();
        } catch (CredentialStoreException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new CredentialStoreException(ReasonCode.STORE_LOCKED, prefix() + "the PIN source failed ("
                    + e.getClass().getSimpleName() + ")");
        }
        if (p == null) {
            throw new CredentialStoreException(ReasonCode.STORE_LOCKED, prefix() + "no PIN for " + where());
        }
        KeyStore ks;
        try {
            ks = KeyStore.getInstance("PKCS11", provider);
            ks.load(null, p);
        } catch (IOException | GeneralSecurityException | ProviderException e) {
            if (Pkcs11Errors.wrongPin(e)) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, prefix() + "wrong PIN for " + where());
            }
            if (Pkcs11Errors.pinLocked(e)) {
                throw new CredentialStoreException(ReasonCode.STORE_LOCKED, prefix() + "the user PIN of " + where()
                        + " is locked; the security officer must unlock it");
            }
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, prefix() + "cannot log in to " + where()
                    + " (" + Pkcs11Errors.describe(e) + ")", e);
        } finally {
            Arrays.fill(p, '\0');
        }
        return new Session(provider, ks, where());
    }

    private static String quote(String path) {
        return path.chars().anyMatch(Character::isWhitespace) ? "\"" + path + "\"" : path;
    }

    private void registerForJsse(Session s) {
        // JSSE picks the signature provider by key among the installed providers only; the token's private key
        // needs its SunPKCS11 instance installed (last, so it is never preferred for anything another provider does).
        synchronized (s) {
            if (!s.registered) {
                Security.addProvider(s.provider);
                s.registered = true;
            }
        }
    }

    private static Key key(Session s, String alias) throws Exception {
        Key key = s.keys.get(alias);
        if (key == null) {
            key = s.keyStore.getKey(alias, null);
            if (key != null) {
                s.keys.put(alias, key);
            }
        }
        return key;
    }

    private PrivateKey privateKey(Session s, String alias) throws Exception {
        Key key = key(s, alias);
        if (!(key instanceof PrivateKey)) {
            throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, prefix() + "no private key '" + alias
                    + "' on " + s.where);
        }
        return (PrivateKey) key;
    }

    private SecretKey secretKey(Session s, String alias) throws Exception {
        if (alias.equals(wrapKeyAlias)) {
            return requireWrapKey(s);
        }
        Key key = key(s, alias);
        if (!(key instanceof SecretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
            throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, prefix() + "no AES key '" + alias
                    + "' on " + s.where);
        }
        return (SecretKey) key;
    }

    private SecretKey requireWrapKey(Session s) throws Exception {
        SecretKey k = wrapKey(s, false);
        if (k == null) {
            throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, prefix() + "wrapping key '" + wrapKeyAlias
                    + "' is not on " + s.where + "; entries wrapped by it cannot be read");
        }
        return k;
    }

    private SecretKey wrapKey(Session s, boolean create) throws Exception {
        SecretKey k = s.wrapKey;
        if (k != null) {
            return k;
        }
        synchronized (s) {
            if (s.wrapKey != null) {
                return s.wrapKey;
            }
            Key key = s.keyStore.getKey(wrapKeyAlias, null);
            if (key == null) {
                if (!create) {
                    return null;
                }
                KeyGenerator g = KeyGenerator.getInstance("AES", s.provider);
                g.init(256);
                s.keyStore.setKeyEntry(wrapKeyAlias, g.generateKey(), null, null);
                key = s.keyStore.getKey(wrapKeyAlias, null);
                LOG.log(System.Logger.Level.INFO, () -> prefix() + "generated wrapping key '" + wrapKeyAlias
                        + "' (AES-256, sensitive, not extractable) on " + s.where);
            }
            if (!(key instanceof SecretKey) || !"AES".equalsIgnoreCase(key.getAlgorithm())) {
                throw new CredentialStoreException(ReasonCode.KEY_UNAVAILABLE, prefix() + "'" + wrapKeyAlias
                        + "' on " + s.where + " is not an AES key");
            }
            s.wrapKey = (SecretKey) key;
            return s.wrapKey;
        }
    }

    private static byte[] encrypt(Session s, SecretKey key, byte[] aad, byte[] nonce, byte[] plain)
            throws GeneralSecurityException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", s.provider);
        c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(aad);
        return c.doFinal(plain);
    }

    private byte[] decrypt(Session s, SecretKey key, byte[] aad, byte[] nonce, byte[] ciphertext, String what)
            throws GeneralSecurityException, CredentialStoreException {
        Cipher c = Cipher.getInstance("AES/GCM/NoPadding", s.provider);
        c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
        c.updateAAD(aad);
        try {
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw new CredentialStoreException(ReasonCode.STORE_TAMPERED, prefix() + what
                    + " failed its integrity check (GCM tag) on " + s.where
                    + "; it was altered, or wrapped by another key");
        }
    }

    /** Configures a {@link Pkcs11Store}. */
    public static final class Builder {
        private String id = "pkcs11";
        private Path library;
        private Long slot;
        private Integer slotListIndex;
        private String tokenLabel;
        private Supplier<char[]> pin;
        private Path dataDir;
        private String wrapKeyAlias = "stdb-wrap";

        private Builder() {
        }

        /** The store's id ({@code store.id}, {@code id}); default {@code pkcs11}. */
        public Builder id(String id) {
            this.id = requireText(id, "id");
            return this;
        }

        /** The PKCS#11 module, e.g. {@code /usr/lib/softhsm/libsofthsm2.so}. */
        public Builder library(Path library) {
            this.library = Objects.requireNonNull(library, "library");
            return this;
        }

        /** Selects the token by PKCS#11 slot id. */
        public Builder slot(long slot) {
            this.slot = slot;
            return this;
        }

        /** Selects the token by its position in the slot list (SunPKCS11 {@code slotListIndex}); the default is 0. */
        public Builder slotListIndex(int index) {
            if (index < 0) {
                throw new IllegalArgumentException("slot list index must be 0 or more");
            }
            this.slotListIndex = index;
            return this;
        }

        /**
         * Selects the token by label, looked up at each (re)connect; needs the JVM option
         * {@value TokenLabels#ADD_EXPORTS}.
         */
        public Builder tokenLabel(String label) {
            this.tokenLabel = requireText(label, "token label");
            return this;
        }

        /** The user PIN from a callback, asked at each login; the store zeroes the returned array after use. */
        public Builder pin(Supplier<char[]> pin) {
            this.pin = Objects.requireNonNull(pin, "pin");
            return this;
        }

        /** The user PIN from a {@link CallbackHandler} answering a {@link PasswordCallback}, at each login. */
        public Builder pin(CallbackHandler handler) {
            Objects.requireNonNull(handler, "handler");
            this.pin = () -> {
                PasswordCallback cb = new PasswordCallback("PIN", false);
                try {
                    handler.handle(new javax.security.auth.callback.Callback[] {cb});
                    return cb.getPassword();
                } catch (IOException | UnsupportedCallbackException e) {
                    throw new CredentialStoreException(ReasonCode.STORE_LOCKED,
                            "PIN callback failed (" + e.getClass().getSimpleName() + ")");
                } finally {
                    cb.clearPassword();
                }
            };
            return this;
        }

        /** The user PIN from the environment variable named {@code variable}, read at each login. */
        public Builder pinEnv(String variable) {
            String name = requireText(variable, "PIN variable");
            this.pin = () -> {
                String value = System.getenv(name);
                if (value == null) {
                    throw new CredentialStoreException(ReasonCode.STORE_LOCKED,
                            "PIN environment variable '" + name + "' is not set");
                }
                return value.toCharArray();
            };
            return this;
        }

        /**
         * The user PIN from the first line of {@code file}, read at each login. The file must be readable by its
         * owner only (on POSIX file systems).
         */
        public Builder pinFile(Path file) {
            Objects.requireNonNull(file, "file");
            this.pin = () -> readPinFile(file);
            return this;
        }

        /** The directory of the wrapped credential files (created 0700). */
        public Builder dataDir(Path dir) {
            this.dataDir = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The alias of the AES-256 wrapping key; default {@code stdb-wrap}. */
        public Builder wrapKeyAlias(String alias) {
            this.wrapKeyAlias = requireText(alias, "wrap key alias");
            return this;
        }

        /**
         * The store. Nothing touches the token yet: the first call opens it, so a missing token or library is a
         * {@link CredentialStoreException} from that call.
         */
        public Pkcs11Store build() {
            if (library == null) {
                throw new IllegalStateException("library is required");
            }
            int selectors = (slot != null ? 1 : 0) + (slotListIndex != null ? 1 : 0) + (tokenLabel != null ? 1 : 0);
            if (selectors > 1) {
                throw new IllegalStateException("choose one of slot, slot list index and token label");
            }
            if (selectors == 0) {
                slotListIndex = 0;
            }
            if (pin == null) {
                throw new IllegalStateException("a PIN source is required (pin, pinEnv or pinFile)");
            }
            if (dataDir == null) {
                throw new IllegalStateException("dataDir is required");
            }
            return new Pkcs11Store(this);
        }

        private static String requireText(String value, String what) {
            Objects.requireNonNull(value, what);
            if (value.isBlank()) {
                throw new IllegalArgumentException(what + " is blank");
            }
            return value.trim();
        }
    }

    /** Reads a PIN file; unsafe permissions or I/O errors surface as a {@link CredentialStoreException}. */
    static char[] readPinFile(Path file) {
        try {
            if (BlobFiles.notOwnerOnly(file)) {
                throw new CredentialStoreException(ReasonCode.STORE_PERMISSIONS,
                        "PIN file " + file + " is readable by group or others; chmod 600 it");
            }
            byte[] bytes = Files.readAllBytes(file);
            try {
                int end = 0;
                while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                    end++;
                }
                CharBuffer cb = StandardCharsets.UTF_8.decode(ByteBuffer.wrap(bytes, 0, end));
                char[] out = new char[cb.remaining()];
                cb.get(out);
                Arrays.fill(cb.array(), '\0');
                return out;
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        } catch (IOException e) {
            throw new CredentialStoreException(ReasonCode.STORE_LOCKED,
                    "PIN file " + file + " cannot be read (" + e.getClass().getSimpleName() + ")");
        }
    }
}
