package dev.stdb.secure.protocol.message;

import java.util.Arrays;
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
    record CallReducer(int requestId, String reducer, byte[] args) implements ClientMessage {
        public CallReducer {
            Objects.requireNonNull(reducer, "reducer");
            args = args.clone();
        }

        @Override
        public byte[] args() {
            return args.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CallReducer c && c.requestId == requestId && c.reducer.equals(reducer)
                    && Arrays.equals(c.args, args);
        }

        @Override
        public int hashCode() {
            return Objects.hash(requestId, reducer, Arrays.hashCode(args));
        }

        @Override
        public String toString() {
            return "CallReducer[requestId=" + requestId + ", reducer=" + reducer + ", args=" + args.length + " bytes]";
        }
    }

    /** Calls a procedure with BSATN arguments (tag 4); the flags byte is always 0 in v2. */
    record CallProcedure(int requestId, String procedure, byte[] args) implements ClientMessage {
        public CallProcedure {
            Objects.requireNonNull(procedure, "procedure");
            args = args.clone();
        }

        @Override
        public byte[] args() {
            return args.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CallProcedure c && c.requestId == requestId && c.procedure.equals(procedure)
                    && Arrays.equals(c.args, args);
        }

        @Override
        public int hashCode() {
            return Objects.hash(requestId, procedure, Arrays.hashCode(args));
        }

        @Override
        public String toString() {
            return "CallProcedure[requestId=" + requestId + ", procedure=" + procedure + ", args=" + args.length + " bytes]";
        }
    }

    /** {@code UnsubscribeFlags}: whether the server sends the rows it drops. */
    enum UnsubscribeFlags {
        DEFAULT, SEND_DROPPED_ROWS
    }
}
