package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.Timestamp;

/** What a reducer sees: the caller, the transaction's time, the tables and the transaction to change them in. */
public record ReducerContext(Caller caller, Timestamp timestamp, Database db, Transaction tx) {
}
