package dev.stdb.secure.core;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.Timestamp;

/**
 * A reducer call that committed. By the time it completes, its row changes are in the cache and their listeners
 * have run.
 *
 * @param timestamp   the transaction's time on the server
 * @param returnValue BSATN of the reducer's return value (empty for the usual unit)
 */
public record ReducerResult(Timestamp timestamp, ByteString returnValue) {
}
