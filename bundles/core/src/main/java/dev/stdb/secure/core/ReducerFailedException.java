package dev.stdb.secure.core;

import dev.stdb.secure.api.ReasonCode;
import dev.stdb.secure.api.SecureClientException;
import dev.stdb.secure.protocol.value.Value;

/** The reducer returned its error value; nothing it did was committed. */
public final class ReducerFailedException extends SecureClientException {
    private static final long serialVersionUID = 1L;

    private final transient Value error;
    private final String reducer;

    public ReducerFailedException(String reducer, Value error) {
        super(ReasonCode.REDUCER_FAILED, "reducer " + reducer + " failed: " + describe(error));
        this.reducer = reducer;
        this.error = error;
    }

    private static String describe(Value error) {
        return error instanceof Value.Str s ? s.value() : String.valueOf(error);
    }

    public String reducer() {
        return reducer;
    }

    /** The error value, decoded by the module's schema (a string for most modules). */
    public Value error() {
        return error;
    }
}
