package dev.stdb.secure.store.file.internal;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The byte layout of a store file (described in the exported package's javadoc). Parsing never throws on damaged
 * input: it reports what it could read and where the structure broke, so one damaged entry never hides the others.
 */
public final class StoreFormat {

    public static final byte[] MAGIC = {'S', 'D', 'B', 'F'};
    public static final int VERSION = 1;
    public static final int SOURCE_PASSPHRASE = 1;
    public static final int SOURCE_KEY_SERVICE = 2;
    /** The data key wrapped under a key-encryption key kept as an entry of another CredentialStore (the keyring). */
    public static final int SOURCE_KEYRING = 3;
    public static final int NONCE = 12;
    public static final int TAG = 16;
    public static final int SALT = 16;
    public static final int CHECKSUM = 32;

    /** Upper bounds that keep a hostile header from making us allocate or compute without end. */
    public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    public static final int MAX_ITERATIONS = 100;
    public static final int MAX_PARALLELISM = 64;
    static final int MAX_WRAPPED = 4096;
    static final int MAX_VALUE = 16 * 1024 * 1024;
    static final int MAX_ENTRIES = 1_000_000;

    private StoreFormat() {
    }

    /** Argon2id cost parameters as kept in a passphrase header. */
    public record Argon2(int memoryKib, int iterations, int parallelism) {
        /** Null if acceptable, else what is wrong (without naming a property). */
        public String problem() {
            if (parallelism < 1 || parallelism > MAX_PARALLELISM) {
                return "parallelism must be 1.." + MAX_PARALLELISM + ", got " + parallelism;
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                return "iterations must be 1.." + MAX_ITERATIONS + ", got " + iterations;
            }
            if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB) {
                return "memory must be " + 8 * parallelism + ".." + MAX_MEMORY_KIB + " KiB, got " + memoryKib;
            }
            return null;
        }

        @Override
        public String toString() {
            return "Argon2id[m=" + memoryKib + " KiB, t=" + iterations + ", p=" + parallelism + "]";
        }
    }

    /**
     * A header: key source, its parameters, the wrapped data key and the header MAC. {@code bytes} is the exact
     * encoding including the checksum. {@code alias} is the KeyService alias (source 2) or the name of the keyring
     * entry holding the key-encryption key (source 3).
     */
    public record Header(int source, Argon2 argon2, byte[] salt, String alias, byte[] wrappedKey, byte[] macNonce,
            byte[] macTag, byte[] bytes) {

        /** The bytes the passphrase-wrapped data key is bound to: everything before the wrapped key. */
        public byte[] wrapAad() {
            return Arrays.copyOf(bytes, prefixLength(this));
        }

        /** The bytes the header MAC covers: everything before the MAC. */
        public byte[] macAad() {
            return Arrays.copyOf(bytes, bytes.length - CHECKSUM - NONCE - TAG);
        }
    }

    /** One entry as stored: name, nonce and ciphertext with its tag. */
    public record Record(String name, byte[] nonce, byte[] ciphertext) {
    }

    /**
     * A parsed file. {@code problem} is null when the layout is intact (it says nothing about authenticity); the
     * records are those read before the layout broke.
     */
    public record Parsed(Header header, List<Record> records, byte[] trailerNonce, byte[] trailerTag,
            int trailerOffset, byte[] all, String problem) {
    }

    /** Thrown by {@link #parseHeader} for a header that cannot be read or whose checksum fails. */
    public static final class BadHeader extends Exception {
        private static final long serialVersionUID = 1L;

        BadHeader(String message) {
            super(message, null, false, false);
        }
    }

    /** Encodes a header; the MAC is computed by {@code mac} over the bytes before it. */
    public static Header header(int source, Argon2 argon2, byte[] salt, String alias, byte[] wrappedKey,
            java.util.function.Function<byte[], byte[][]> mac) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(prefix(source, argon2, salt, alias));
        writeInt(out, wrappedKey.length);
        out.writeBytes(wrappedKey);
        byte[][] nonceAndTag = mac.apply(out.toByteArray());
        out.writeBytes(nonceAndTag[0]);
        out.writeBytes(nonceAndTag[1]);
        out.writeBytes(sha256(out.toByteArray()));
        return new Header(source, argon2, salt, alias, wrappedKey, nonceAndTag[0], nonceAndTag[1], out.toByteArray());
    }

    /** The header's bytes before the wrapped key: what a passphrase-wrapped data key is bound to. */
    public static byte[] prefix(int source, Argon2 argon2, byte[] salt, String alias) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(MAGIC);
        out.write(VERSION);
        out.write(source);
        if (source == SOURCE_PASSPHRASE) {
            writeInt(out, argon2.memoryKib());
            writeInt(out, argon2.iterations());
            writeInt(out, argon2.parallelism());
            out.write(salt.length);
            out.writeBytes(salt);
        } else {
            byte[] a = alias.getBytes(StandardCharsets.UTF_8);
            writeShort(out, a.length);
            out.writeBytes(a);
        }
        return out.toByteArray();
    }

    private static int prefixLength(Header h) {
        return h.bytes().length - CHECKSUM - NONCE - TAG - h.wrappedKey().length - 4;
    }

    /** Reads the header at the start of {@code file}. */
    public static Header parseHeader(byte[] file) throws BadHeader {
        ByteBuffer b = ByteBuffer.wrap(file);
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new BadHeader("not a store file (bad magic)");
            }
            int version = b.get() & 0xff;
            if (version != VERSION) {
                throw new BadHeader("unsupported format version " + version);
            }
            int source = b.get() & 0xff;
            Argon2 argon2 = null;
            byte[] salt = null;
            String alias = null;
            if (source == SOURCE_PASSPHRASE) {
                argon2 = new Argon2(b.getInt(), b.getInt(), b.getInt());
                if (argon2.problem() != null) {
                    throw new BadHeader("implausible Argon2id parameters (" + argon2.problem() + ")");
                }
                int saltLength = b.get() & 0xff;
                if (saltLength < SALT) {
                    throw new BadHeader("salt too short");
                }
                salt = new byte[saltLength];
                b.get(salt);
            } else if (source == SOURCE_KEY_SERVICE || source == SOURCE_KEYRING) {
                byte[] a = new byte[b.getShort() & 0xffff];
                b.get(a);
                alias = new String(a, StandardCharsets.UTF_8);
            } else {
                throw new BadHeader("unknown key source " + source);
            }
            int wrappedLength = b.getInt();
            if (wrappedLength < 0 || wrappedLength > MAX_WRAPPED) {
                throw new BadHeader("implausible wrapped key length " + wrappedLength);
            }
            byte[] wrapped = new byte[wrappedLength];
            b.get(wrapped);
            byte[] macNonce = new byte[NONCE];
            b.get(macNonce);
            byte[] macTag = new byte[TAG];
            b.get(macTag);
            int end = b.position();
            byte[] checksum = new byte[CHECKSUM];
            b.get(checksum);
            if (!MessageDigest.isEqual(checksum, sha256(Arrays.copyOf(file, end)))) {
                throw new BadHeader("header checksum does not match (the header is damaged)");
            }
            return new Header(source, argon2, salt, alias, wrapped, macNonce, macTag,
                    Arrays.copyOf(file, b.position()));
        } catch (BufferUnderflowException e) {
            throw new BadHeader("header is truncated");
        }
    }

    /** Parses the body after {@code header}; never throws. */
    public static Parsed parseBody(Header header, byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file);
        b.position(header.bytes().length);
        List<Record> records = new ArrayList<>();
        int count;
        try {
            count = b.getInt();
        } catch (BufferUnderflowException e) {
            return new Parsed(header, records, null, null, -1, file, "file truncated after the header");
        }
        if (count < 0 || count > MAX_ENTRIES) {
            return new Parsed(header, records, null, null, -1, file, "implausible entry count " + count);
        }
        for (int i = 0; i < count; i++) {
            String name = null;
            try {
                int nameLength = b.getShort() & 0xffff;
                if (nameLength > b.remaining()) {
                    throw new BufferUnderflowException();
                }
                byte[] n = new byte[nameLength];
                b.get(n);
                name = new String(n, StandardCharsets.UTF_8);
                byte[] nonce = new byte[NONCE];
                b.get(nonce);
                int length = b.getInt();
                if (length < TAG || length > MAX_VALUE + TAG) {
                    return new Parsed(header, records, null, null, -1, file,
                            "entry '" + name + "' has an implausible length " + length);
                }
                if (length > b.remaining()) {
                    throw new BufferUnderflowException();
                }
                byte[] ct = new byte[length];
                b.get(ct);
                records.add(new Record(name, nonce, ct));
            } catch (BufferUnderflowException e) {
                return new Parsed(header, records, null, null, -1, file, "file truncated in entry "
                        + (i + 1) + " of " + count + (name == null ? "" : " ('" + name + "')"));
            }
        }
        int trailerOffset = b.position();
        if (b.remaining() != NONCE + TAG) {
            return new Parsed(header, records, null, null, -1, file, b.remaining() < NONCE + TAG
                    ? "file truncated (trailer missing)" : "unexpected bytes after the last entry");
        }
        byte[] nonce = new byte[NONCE];
        b.get(nonce);
        byte[] tag = new byte[TAG];
        b.get(tag);
        return new Parsed(header, records, nonce, tag, trailerOffset, file, null);
    }

    /** Encodes header, records and a trailer whose MAC {@code mac} computes over everything before it. */
    public static byte[] encode(Header header, List<Record> records,
            java.util.function.Function<byte[], byte[][]> mac) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(header.bytes());
        writeInt(out, records.size());
        for (Record r : records) {
            byte[] n = r.name().getBytes(StandardCharsets.UTF_8);
            writeShort(out, n.length);
            out.writeBytes(n);
            out.writeBytes(r.nonce());
            writeInt(out, r.ciphertext().length);
            out.writeBytes(r.ciphertext());
        }
        byte[][] nonceAndTag = mac.apply(out.toByteArray());
        out.writeBytes(nonceAndTag[0]);
        out.writeBytes(nonceAndTag[1]);
        return out.toByteArray();
    }

    /** Associated data of a data key wrapped under a keyring key-encryption key: magic, version, "keyring". */
    public static byte[] keyringAad() {
        byte[] k = "keyring".getBytes(StandardCharsets.US_ASCII);
        byte[] aad = new byte[MAGIC.length + 1 + k.length];
        System.arraycopy(MAGIC, 0, aad, 0, MAGIC.length);
        aad[MAGIC.length] = VERSION;
        System.arraycopy(k, 0, aad, MAGIC.length + 1, k.length);
        return aad;
    }

    /** Associated data of an entry: magic, format version, a domain byte and the entry's name. */
    public static byte[] entryAad(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] aad = new byte[MAGIC.length + 2 + n.length];
        System.arraycopy(MAGIC, 0, aad, 0, MAGIC.length);
        aad[MAGIC.length] = VERSION;
        aad[MAGIC.length + 1] = 'E';
        System.arraycopy(n, 0, aad, MAGIC.length + 2, n.length);
        return aad;
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        if (v > 0xffff) {
            throw new IllegalArgumentException("name longer than 65535 bytes");
        }
        out.write(v >>> 8);
        out.write(v);
    }
}
