package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;

/** Who runs a reducer: the identity of the token and the connection it came over (zero for HTTP calls). */
public record Caller(Identity identity, ConnectionId connectionId) {
}
