package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.Typespace;

/**
 * Encodes and decodes values of one schema type, compiled once. Encoding takes {@link Value}s or plain Java values:
 * Boolean, Byte/Short/Integer/Long/BigInteger (range-checked), Float/Double, String, byte[], List or arrays, Map or
 * records for products, enums or single-entry maps for sums, null or Optional for options, and Identity, ConnectionId,
 * Timestamp or Instant, TimeDuration or Duration, UUID.
 */
public final class ValueCodec {
    private final Node root;
    private final ProtocolLimits limits;

    private ValueCodec(Node root, ProtocolLimits limits) {
        this.root = root;
        this.limits = limits;
    }

    public static ValueCodec compile(Typespace typespace, AlgebraicType type) {
        return compile(typespace, type, ProtocolLimits.DEFAULT);
    }

    public static ValueCodec compile(Typespace typespace, AlgebraicType type, ProtocolLimits limits) {
        return new ValueCodec(new TypePlanner(typespace).plan(type), limits);
    }

    /** Decodes exactly one value that must fill {@code bytes}. */
    public Value decode(byte[] bytes) {
        BsatnReader r = new BsatnReader(bytes, 0, bytes.length, limits);
        Value v = root.read(r, 0);
        r.expectEnd(root.typeName);
        return v;
    }

    /** Decodes one value at the reader's position. */
    public Value read(BsatnReader r) {
        return root.read(r, 0);
    }

    /** Checks one value at the reader's position and moves past it. */
    public void skip(BsatnReader r) {
        root.skip(r, 0);
    }

    public byte[] encode(Object value) {
        BsatnWriter w = new BsatnWriter();
        write(value, w, "value");
        return w.toByteArray();
    }

    /** Encodes {@code value}; {@code path} names it in errors. */
    public void write(Object value, BsatnWriter w, String path) {
        try {
            root.write(value, w, path);
        } catch (StackOverflowError e) {
            // Only a value nested thousands deep (a recursive type) gets here; say so instead of dying.
            throw new ValueMismatchException(path + ": value nested too deeply to encode as " + root.typeName);
        }
    }

    /** Wire size when every value has the same size, else -1. */
    public int fixedSize() {
        return root.fixedSize();
    }

    @Override
    public String toString() {
        return "ValueCodec[" + root.typeName + "]";
    }
}
