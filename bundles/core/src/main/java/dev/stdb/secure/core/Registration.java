package dev.stdb.secure.core;

/** Undoes a listener registration. */
@FunctionalInterface
public interface Registration extends AutoCloseable {
    void remove();

    @Override
    default void close() {
        remove();
    }
}
