package dev.stdb.secure.core;

import dev.stdb.secure.protocol.value.Row;

/** Called when a row enters or leaves the client cache (or an event-table row arrives). */
@FunctionalInterface
public interface RowListener {
    void onRow(Row row);
}
