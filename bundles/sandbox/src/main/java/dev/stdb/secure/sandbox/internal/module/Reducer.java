package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.value.Value;

/** A reducer of the built-in module. Throwing {@link ReducerFailure} returns its error; any other exception is a panic. */
@FunctionalInterface
public interface Reducer {
    void run(ReducerContext ctx, Value.Product args) throws ReducerFailure;
}
