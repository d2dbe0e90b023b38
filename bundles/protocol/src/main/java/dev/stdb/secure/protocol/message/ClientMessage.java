package dev.stdb.secure.protocol.message;

import dev.stdb.secure.protocol.ByteString;

import java.util.List;
import java.util.Objects;

/**
 * What a client sends (PROTOCOL.md §3.1, v2 schema, also carried by v3). Request ids and query set ids are u32 on the
 * wire and opaque to the server; Java ints carry their bits.
 */
public sealed interface ClientMessage {

    /** Subscribes a query set (tag 0). */
    record Subscribe(int requestId, int querySetId, List<String> queryStrings) implements ClientMessage {
        public Subscribe {
            queryStrings = List.copyOf(queryStrings);
        }
    }

    /** Drops a query set (tag 1). */
    record Unsubscribe(int requestId, int querySetId, UnsubscribeFlags flags) implements ClientMessage {
        public Unsubscribe {
            Objects.requireNonNull(flags, "flags");
        }
    }

    /** Runs one SQL query once (tag 2). */
    record OneOffQuery(int requestId, String queryString) implements ClientMessage {
        public OneOffQuery {
            Objects.requireNonNull(queryString, "queryString");
        }
    }

    /** Calls a reducer with BSATN arguments (tag 3); the flags byte is always 0 in v2. */
    record CallReducer(int requestId, String reducer, ByteString args) implements ClientMessage {
        public CallReducer {
            Objects.requireNonNull(reducer, "reducer");
            Objects.requireNonNull(args, "args");
        }

        public CallReducer(int requestId, String reducer, byte[] args) {
            this(requestId, reducer, ByteString.copyOf(args));
        }
    }

    /** Calls a procedure with BSATN arguments (tag 4); the flags byte is always 0 in v2. */
    record CallProcedure(int requestId, String procedure, ByteString args) implements ClientMessage {
        public CallProcedure {
            Objects.requireNonNull(procedure, "procedure");
            Objects.requireNonNull(args, "args");
        }

        public CallProcedure(int requestId, String procedure, byte[] args) {
            this(requestId, procedure, ByteString.copyOf(args));
        }
    }

    /** {@code UnsubscribeFlags}: whether the server sends the rows it drops. */
    enum UnsubscribeFlags {
        DEFAULT, SEND_DROPPED_ROWS
    }
}
