package dev.stdb.secure.protocol;

import dev.stdb.secure.protocol.internal.Hex;

import java.util.Arrays;

/**
 * An immutable byte string with value equality: reducer arguments and results, procedure values, {@code array<u8>}.
 * Lets messages and values be plain records without copying or comparing arrays by hand.
 */
public final class ByteString {
    public static final ByteString EMPTY = new ByteString(new byte[0]);

    private final byte[] bytes;

    private ByteString(byte[] bytes) {
        this.bytes = bytes;
    }

    public static ByteString copyOf(byte[] bytes) {
        return bytes.length == 0 ? EMPTY : new ByteString(bytes.clone());
    }

    public static ByteString copyOf(byte[] bytes, int offset, int length) {
        return length == 0 ? EMPTY : new ByteString(Arrays.copyOfRange(bytes, offset, offset + length));
    }

    public int length() {
        return bytes.length;
    }

    public boolean isEmpty() {
        return bytes.length == 0;
    }

    public byte byteAt(int index) {
        return bytes[index];
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    /** Copies the bytes into {@code dst} at {@code offset}. */
    public void copyTo(byte[] dst, int offset) {
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
    }

    public String toHex() {
        return Hex.encode(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString b && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** The length only: these bytes may be anything, including values an application considers private. */
    @Override
    public String toString() {
        return "ByteString[" + bytes.length + " bytes]";
    }
}
