package dev.stdb.secure.store.keyring.internal;

import dev.stdb.secure.api.CredentialStoreException;
import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.Secret;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.freedesktop.dbus.ObjectPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.annotations.Position;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.types.Variant;

/**
 * The freedesktop.org Secret Service API (GNOME Keyring, KeePassXC, KWallet) over the D-Bus session bus, spoken with
 * dbus-java's plain method calls so that every D-Bus error keeps its name: {@code IsLocked} becomes
 * {@code STORE_LOCKED}, a missing bus or service {@code STORE_UNAVAILABLE}.
 *
 * <p>Items live in the {@code default} collection with the attributes {@code service}, {@code account} (the key) and
 * {@code xdg:schema}; {@link #accounts(String)} searches by {@code service}. The store never unlocks a collection
 * and never shows a prompt: a locked keyring is reported, and unlocking is the user's (or the session's) business.
 *
 * <p>One D-Bus connection and one encrypted transport session are shared by all threads (dbus-java matches replies to
 * calls); they are reopened after a failure, so a restarted keyring daemon is picked up on the next call.
 */
public final class SecretServiceBackend implements KeyringBackend {

    static final String BUS_NAME = "org.freedesktop.secrets";
    static final String SERVICE_PATH = "/org/freedesktop/secrets";
    static final String SERVICE = "org.freedesktop.Secret.Service";
    static final String COLLECTION = "org.freedesktop.Secret.Collection";
    static final String ITEM = "org.freedesktop.Secret.Item";
    static final String PROMPT = "org.freedesktop.Secret.Prompt";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    /** Lets seahorse and {@code secret-tool search} group the items; any attribute can be searched on. */
    public static final String SCHEMA = "dev.stdb.secure.Credential";
    public static final String ATTR_SERVICE = "service";
    public static final String ATTR_ACCOUNT = "account";
    static final String TEXT = "text/plain; charset=utf8";
    static final String BINARY = "application/octet-stream";

    private static final String WHAT_TO_DO_BUS = "run inside a desktop session (or `dbus-run-session`) and check"
            + " DBUS_SESSION_BUS_ADDRESS";
    private static final String WHAT_TO_DO_SERVICE = "start a Secret Service provider in this session"
            + " (gnome-keyring-daemon --components=secrets, KeePassXC or KWallet)";
    private static final String WHAT_TO_DO_LOCKED = "unlock it (log in to the desktop session, use Passwords and Keys"
            + " (seahorse), or `gnome-keyring-daemon --unlock` with the password on stdin); this store never prompts";

    private final String busAddress;
    private final long timeoutMillis;
    private final Object lock = new Object();
    private Session session;
    private boolean closed;

    /** A transport session: one bus connection, the Secret Service session on it and its key. */
    private record Session(DBusConnection connection, ObjectPath path, TransportCrypto crypto) {
    }

    /** The Secret Service's {@code (oayays)} secret; the value is always the transport ciphertext, never plaintext. */
    public static final class SecretStruct extends Struct {
        @Position(0)
        public final ObjectPath session;
        @Position(1)
        public final byte[] parameters;
        @Position(2)
        public final byte[] value;
        @Position(3)
        public final String contentType;

        public SecretStruct(ObjectPath session, byte[] parameters, byte[] value, String contentType) {
            this.session = session;
            this.parameters = parameters;
            this.value = value;
            this.contentType = contentType;
        }
    }

    /**
     * @param busAddress    a D-Bus address such as {@code unix:path=/run/user/1000/bus}, or null for the session bus
     *                      named by {@code DBUS_SESSION_BUS_ADDRESS}
     * @param timeoutMillis how long one call may wait for the Secret Service's answer
     */
    public SecretServiceBackend(String busAddress, long timeoutMillis) {
        this.busAddress = busAddress;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public String name() {
        return "Secret Service (D-Bus)";
    }

    @FunctionalInterface
    private interface Op<R> {
        R run(Session s) throws GeneralSecurityException;
    }

    /** Runs {@code op} on the shared session; a stale session (daemon restarted) is replaced once and retried. */
    private <R> R run(String operation, String key, Op<R> op) {
        for (int attempt = 0; ; attempt++) {
            boolean fresh;
            Session s;
            synchronized (lock) {
                if (closed) {
                    throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE,
                            "keyring store is closed (" + operation + " '" + key + "')");
                }
                fresh = session == null;
                s = fresh ? open() : session;
                session = s;
            }
            try {
                return op.run(s);
            } catch (CredentialStoreException e) {
                if (e.reason() != ReasonCode.STORE_UNAVAILABLE) {
                    throw e;
                }
                drop(s);
                if (fresh || attempt > 0) {
                    throw e;
                }
            } catch (GeneralSecurityException | RuntimeException e) {
                drop(s);
                if (fresh || attempt > 0) {
                    throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "Secret Service " + operation
                            + " of '" + key + "' failed (" + e.getClass().getSimpleName() + ")");
                }
            }
        }
    }

    private void drop(Session s) {
        synchronized (lock) {
            if (session == s) {
                session = null;
            }
        }
        disconnect(s.connection());
    }

    private static void disconnect(DBusConnection c) {
        try {
            c.disconnect();
        } catch (RuntimeException e) {
            // already gone
        }
    }

    private Session open() {
        DBusConnection connection = connect();
        try {
            TransportCrypto crypto = new TransportCrypto();
            Object[] r = call(connection, SERVICE_PATH, SERVICE, "OpenSession", "sv", TransportCrypto.ALGORITHM,
                    new Variant<>(crypto.publicValue()));
            byte[] peer = bytes(((Variant<?>) r[0]).getValue());
            crypto.agree(peer);
            return new Session(connection, (ObjectPath) r[1], crypto);
        } catch (GeneralSecurityException | RuntimeException e) {
            disconnect(connection);
            if (e instanceof CredentialStoreException cse) {
                throw cse;
            }
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "cannot open an encrypted session with"
                    + " the Secret Service (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
    }

    private DBusConnection connect() {
        String where = busAddress != null ? busAddress
                : "DBUS_SESSION_BUS_ADDRESS=" + System.getenv("DBUS_SESSION_BUS_ADDRESS");
        // dbus-java finds its transports with ServiceLoader through the context class loader; in OSGi that must be
        // this bundle's loader, which holds the embedded transport jar.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(SecretServiceBackend.class.getClassLoader());
        try {
            DBusConnectionBuilder builder = busAddress == null ? DBusConnectionBuilder.forSessionBus()
                    : DBusConnectionBuilder.forAddress(busAddress);
            return builder.withShared(false).build();
        } catch (DBusException | RuntimeException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "no D-Bus session bus for the OS keyring ("
                    + where + "): " + e.getMessage() + "; " + WHAT_TO_DO_BUS);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    /** One method call to the Secret Service; a D-Bus error becomes a typed exception. */
    private Object[] call(DBusConnection c, String path, String iface, String method, String signature,
            Object... args) {
        Message reply;
        try {
            MethodCall m = new MethodCall(BUS_NAME, path, iface, method, (byte) 0,
                    signature == null ? "" : signature, args);
            c.sendMessage(m);
            reply = m.getReply(timeoutMillis);
        } catch (DBusException | RuntimeException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "D-Bus call " + method + " failed ("
                    + e.getClass().getSimpleName() + "); " + WHAT_TO_DO_BUS);
        }
        if (reply == null) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "the Secret Service did not answer "
                    + method + " within " + timeoutMillis + " ms; " + WHAT_TO_DO_SERVICE);
        }
        if (reply instanceof org.freedesktop.dbus.errors.Error error) {
            throw failure(error.getName(), method);
        }
        try {
            Object[] parameters = reply.getParameters();
            return parameters == null ? new Object[0] : parameters;
        } catch (DBusException e) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "unreadable answer to " + method);
        }
    }

    /** Maps a D-Bus error name (never its free text, which a daemon could fill with anything) to a reason. */
    static CredentialStoreException failure(String error, String method) {
        String name = String.valueOf(error);
        switch (name) {
            case "org.freedesktop.Secret.Error.IsLocked":
            case "org.gnome.keyring.Error.Denied":
                return new CredentialStoreException(ReasonCode.STORE_LOCKED, "the OS keyring is locked (" + name
                        + " on " + method + "): " + WHAT_TO_DO_LOCKED);
            case "org.freedesktop.DBus.Error.ServiceUnknown":
            case "org.freedesktop.DBus.Error.NameHasNoOwner":
                return new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "no Secret Service on the D-Bus"
                        + " session bus (" + BUS_NAME + " has no owner): " + WHAT_TO_DO_SERVICE);
            default:
                return new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "the Secret Service refused "
                        + method + " (" + name + ")");
        }
    }

    /** The default collection, checked to be unlocked. */
    private String collection(Session s) {
        Object[] r = call(s.connection(), SERVICE_PATH, SERVICE, "ReadAlias", "s", "default");
        String path = ((ObjectPath) r[0]).getPath();
        if ("/".equals(path)) {
            throw new CredentialStoreException(ReasonCode.STORE_UNAVAILABLE, "the Secret Service has no default"
                    + " keyring collection; create one (log in to a desktop session once, or start"
                    + " gnome-keyring-daemon --unlock with a password)");
        }
        Object locked = ((Variant<?>) call(s.connection(), path, PROPERTIES, "Get", "ss", COLLECTION, "Locked")[0])
                .getValue();
        if (Boolean.TRUE.equals(locked)) {
            throw new CredentialStoreException(ReasonCode.STORE_LOCKED, "the OS keyring collection " + path
                    + " is locked: " + WHAT_TO_DO_LOCKED);
        }
        return path;
    }

    @SuppressWarnings("unchecked")
    private List<ObjectPath> search(Session s, String collection, Map<String, String> attributes) {
        Object[] r = call(s.connection(), collection, COLLECTION, "SearchItems", "a{ss}", attributes);
        return r.length == 0 || r[0] == null ? List.of() : List.copyOf((Collection<ObjectPath>) r[0]);
    }

    private static Map<String, String> attributes(String service, String account) {
        Map<String, String> a = new LinkedHashMap<>();
        a.put(ATTR_SERVICE, service);
        if (account != null) {
            a.put(ATTR_ACCOUNT, account);
        }
        return a;
    }

    @Override
    public Optional<Secret> read(String service, String account) {
        return run("read", account, s -> {
            List<ObjectPath> items = search(s, collection(s), attributes(service, account));
            if (items.isEmpty()) {
                return Optional.empty();
            }
            Object[] r = call(s.connection(), items.get(0).getPath(), ITEM, "GetSecret", "o", s.path());
            Object[] struct = r[0] instanceof Struct st ? st.getParameters() : (Object[]) r[0];
            byte[] plain = s.crypto().decrypt(bytes(struct[1]), bytes(struct[2]));
            try {
                return Optional.of(Secret.ofBytes(plain));
            } finally {
                Arrays.fill(plain, (byte) 0);
            }
        });
    }

    @Override
    public void write(String service, String account, String label, Secret value) {
        byte[] plain = value.bytesCopy();
        try {
            String contentType = utf8(plain) ? TEXT : BINARY;
            run("write", account, s -> {
                String collection = collection(s);
                byte[][] encrypted = s.crypto().encrypt(plain);
                Map<String, String> attributes = attributes(service, account);
                attributes.put("xdg:schema", SCHEMA);
                Map<String, Variant<?>> properties = new HashMap<>();
                properties.put(ITEM + ".Label", new Variant<>(label));
                properties.put(ITEM + ".Attributes", new Variant<>(attributes, "a{ss}"));
                Object[] r = call(s.connection(), collection, COLLECTION, "CreateItem", "a{sv}(oayays)b", properties,
                        new SecretStruct(s.path(), encrypted[0], encrypted[1], contentType), Boolean.TRUE);
                requireNoPrompt(s, (ObjectPath) r[1], "write");
                return null;
            });
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    @Override
    public boolean delete(String service, String account) {
        return run("delete", account, s -> {
            List<ObjectPath> items = search(s, collection(s), attributes(service, account));
            for (ObjectPath item : items) {
                Object[] r = call(s.connection(), item.getPath(), ITEM, "Delete", null);
                requireNoPrompt(s, (ObjectPath) r[0], "delete");
            }
            return !items.isEmpty();
        });
    }

    @Override
    public Set<String> accounts(String service) {
        return run("list", "*", s -> {
            Set<String> accounts = new TreeSet<>();
            for (ObjectPath item : search(s, collection(s), attributes(service, null))) {
                Object value = ((Variant<?>) call(s.connection(), item.getPath(), PROPERTIES, "Get", "ss", ITEM,
                        "Attributes")[0]).getValue();
                if (value instanceof Map<?, ?> map && map.get(ATTR_ACCOUNT) instanceof String a) {
                    accounts.add(a);
                }
            }
            return Set.copyOf(accounts);
        });
    }

    /** A prompt means the service wants the user to confirm or unlock; this store never shows one. */
    private void requireNoPrompt(Session s, ObjectPath prompt, String operation) {
        if (prompt != null && !"/".equals(prompt.getPath())) {
            try {
                call(s.connection(), prompt.getPath(), PROMPT, "Dismiss", null);
            } catch (CredentialStoreException e) {
                // the prompt may be gone already
            }
            throw new CredentialStoreException(ReasonCode.STORE_LOCKED, "the OS keyring asked for a prompt to "
                    + operation + " (it is locked or needs confirmation): " + WHAT_TO_DO_LOCKED);
        }
    }

    @Override
    public void close() {
        Session s;
        synchronized (lock) {
            closed = true;
            s = session;
            session = null;
        }
        if (s != null) {
            try {
                call(s.connection(), s.path().getPath(), "org.freedesktop.Secret.Session", "Close", null);
            } catch (CredentialStoreException e) {
                // closing anyway
            }
            disconnect(s.connection());
        }
    }

    static byte[] bytes(Object value) {
        if (value instanceof byte[] b) {
            return b;
        }
        if (value instanceof List<?> list) {
            byte[] out = new byte[list.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (Byte) list.get(i);
            }
            return out;
        }
        throw new IllegalArgumentException("not a byte array: " + (value == null ? null : value.getClass()));
    }

    /** True if {@code bytes} are UTF-8 text; the decoded copy is zeroed. */
    private static boolean utf8(byte[] bytes) {
        CharBuffer out = CharBuffer.allocate(bytes.length);
        try {
            CoderResult result = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes), out, true);
            return !result.isError();
        } finally {
            Arrays.fill(out.array(), '\0');
        }
    }
}
