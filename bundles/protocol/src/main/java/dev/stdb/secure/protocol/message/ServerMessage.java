package dev.stdb.secure.protocol.message;

import dev.stdb.secure.protocol.ByteString;
import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.TimeDuration;
import dev.stdb.secure.protocol.Timestamp;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/** What the server sends (PROTOCOL.md §3.2, v2 schema, also carried by v3). */
public sealed interface ServerMessage {

    /** Always the first message of a connection (tag 0). The token is never printed. */
    record InitialConnection(Identity identity, ConnectionId connectionId, String token) implements ServerMessage {
        public InitialConnection {
            Objects.requireNonNull(identity, "identity");
            Objects.requireNonNull(connectionId, "connectionId");
            Objects.requireNonNull(token, "token");
        }

        @Override
        public String toString() {
            return "InitialConnection[identity=" + identity + ", connectionId=" + connectionId + ", token=***]";
        }
    }

    /** A query set is live; its initial rows (tag 1). */
    record SubscribeApplied(int requestId, int querySetId, QueryRows rows) implements ServerMessage {
    }

    /** A query set was dropped; its rows only when asked for with SendDroppedRows (tag 2). */
    record UnsubscribeApplied(int requestId, int querySetId, QueryRows rows) implements ServerMessage {
        /** The dropped rows, or null when not requested. */
        @Override
        public QueryRows rows() {
            return rows;
        }
    }

    /** A subscription failed; without a request id it failed later, and its rows must be dropped (tag 3). */
    record SubscriptionError(OptionalInt requestId, int querySetId, String error) implements ServerMessage {
        public SubscriptionError {
            Objects.requireNonNull(requestId, "requestId");
            Objects.requireNonNull(error, "error");
        }
    }

    /** Row changes of a transaction someone else committed (tag 4). */
    record TransactionUpdate(List<QuerySetUpdate> querySets) implements ServerMessage {
        public TransactionUpdate {
            querySets = List.copyOf(querySets);
        }
    }

    /** The answer to a one-off query: rows or an error text (tag 5). */
    record OneOffQueryResult(int requestId, QueryRows rows, String error) implements ServerMessage {
        public OneOffQueryResult {
            if ((rows == null) == (error == null)) {
                throw new IllegalArgumentException("exactly one of rows and error");
            }
        }

        public boolean isOk() {
            return rows != null;
        }
    }

    /** The outcome of this client's reducer call (tag 6). */
    record ReducerResult(int requestId, Timestamp timestamp, ReducerOutcome result) implements ServerMessage {
        public ReducerResult {
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(result, "result");
        }
    }

    /** The outcome of this client's procedure call (tag 7; request id last on the wire). */
    record ProcedureResult(ProcedureStatus status, Timestamp timestamp, TimeDuration totalHostExecutionDuration,
                           int requestId) implements ServerMessage {
        public ProcedureResult {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(timestamp, "timestamp");
            Objects.requireNonNull(totalHostExecutionDuration, "totalHostExecutionDuration");
        }
    }

    // ------------------------------------------------------------------ nested types

    /** {@code QueryRows}: rows grouped by table. */
    record QueryRows(List<SingleTableRows> tables) {
        public QueryRows {
            tables = List.copyOf(tables);
        }
    }

    /** {@code SingleTableRows}. */
    record SingleTableRows(String table, BsatnRowList rows) {
        public SingleTableRows {
            Objects.requireNonNull(table, "table");
            Objects.requireNonNull(rows, "rows");
        }
    }

    /** {@code QuerySetUpdate}: the changes one query set sees. */
    record QuerySetUpdate(int querySetId, List<TableUpdate> tables) {
        public QuerySetUpdate {
            tables = List.copyOf(tables);
        }
    }

    /** {@code TableUpdate}: one table's changes; a table may appear several times in one query set. */
    record TableUpdate(String tableName, List<TableUpdateRows> rows) {
        public TableUpdate {
            Objects.requireNonNull(tableName, "tableName");
            rows = List.copyOf(rows);
        }
    }

    /** {@code TableUpdateRows}. */
    sealed interface TableUpdateRows {
        /** Stored rows: inserts first, then deletes (tag 0). */
        record PersistentTable(BsatnRowList inserts, BsatnRowList deletes) implements TableUpdateRows {
        }

        /** Event-table rows, never stored, only announced (tag 1). */
        record EventTable(BsatnRowList events) implements TableUpdateRows {
        }
    }

    /** {@code ReducerOutcome}. */
    sealed interface ReducerOutcome {
        /** Committed, with the return value and the caller's row changes (tag 0). */
        record Ok(ByteString returnValue, TransactionUpdate transactionUpdate) implements ReducerOutcome {
            public Ok {
                Objects.requireNonNull(returnValue, "returnValue");
                Objects.requireNonNull(transactionUpdate, "transactionUpdate");
            }

            public Ok(byte[] returnValue, TransactionUpdate transactionUpdate) {
                this(ByteString.copyOf(returnValue), transactionUpdate);
            }
        }

        /** Committed with no return value and no row changes for the caller (tag 1). */
        record OkEmpty() implements ReducerOutcome {
        }

        /** The reducer returned its declared error type, BSATN-encoded; rolled back (tag 2). */
        record Err(ByteString error) implements ReducerOutcome {
            public Err {
                Objects.requireNonNull(error, "error");
            }

            public Err(byte[] error) {
                this(ByteString.copyOf(error));
            }
        }

        /** Panic, unknown reducer, bad arguments or host error; a diagnostic text (tag 3). */
        record InternalError(String message) implements ReducerOutcome {
            public InternalError {
                Objects.requireNonNull(message, "message");
            }
        }
    }

    /** {@code ProcedureStatus}. */
    sealed interface ProcedureStatus {
        /** The BSATN of the procedure's return value (tag 0). */
        record Returned(ByteString value) implements ProcedureStatus {
            public Returned {
                Objects.requireNonNull(value, "value");
            }

            public Returned(byte[] value) {
                this(ByteString.copyOf(value));
            }
        }

        /** A diagnostic text (tag 1). */
        record InternalError(String message) implements ProcedureStatus {
            public InternalError {
                Objects.requireNonNull(message, "message");
            }
        }
    }
}
