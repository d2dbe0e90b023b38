package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.value.Value;

/**
 * A row as the sandbox keeps it: its value (for SQL filters and reducers) and its BSATN (for the wire), plus its key:
 * the primary key's BSATN, or the whole row's for tables without one (tables are sets, as in SpacetimeDB).
 */
public record StoredRow(Value.Product value, ByteString bytes, ByteString key) {
}
