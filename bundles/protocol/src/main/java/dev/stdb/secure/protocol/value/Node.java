package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;

/**
 * One precompiled step of a type: references resolved, special products recognised and sizes known ahead, so
 * decoding does not walk the type tree or look anything up per value.
 */
abstract class Node {
    /** Human-readable type, for errors. */
    final String typeName;

    Node(String typeName) {
        this.typeName = typeName;
    }

    /** Bytes on the wire when every value of this type has the same size, else -1. */
    abstract int fixedSize();

    /** Fewest bytes a value of this type can take; bounds element counts against the remaining bytes. */
    abstract int minSize();

    /** Checks one value and moves past it. */
    abstract void skip(BsatnReader r, int depth);

    abstract Value read(BsatnReader r, int depth);

    /** Encodes a {@link Value} or a plain Java value; {@code path} names the place for errors. */
    abstract void write(Object value, BsatnWriter w, String path);

    static void checkDepth(BsatnReader r, int depth, String typeName) {
        if (depth > r.limits().maxDepth()) {
            throw r.error("values nested deeper than " + r.limits().maxDepth(), typeName);
        }
    }

    ValueMismatchException mismatch(String path, Object value) {
        return new ValueMismatchException(path + ": expected " + typeName + ", got "
                + (value == null ? "null" : value.getClass().getSimpleName()));
    }
}
