package dev.stdb.secure.sandbox.internal.module;

/** A reducer returned its error value (a string in this module): the transaction rolls back, the caller gets {@code Err}. */
public final class ReducerFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public ReducerFailure(String message) {
        super(message, null, false, false);
    }
}
