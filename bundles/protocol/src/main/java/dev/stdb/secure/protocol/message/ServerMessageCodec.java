package dev.stdb.secure.protocol.message;

import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.message.ServerMessage.QueryRows;
import dev.stdb.secure.protocol.message.ServerMessage.QuerySetUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.ReducerOutcome;
import dev.stdb.secure.protocol.message.ServerMessage.ProcedureStatus;
import dev.stdb.secure.protocol.message.ServerMessage.SingleTableRows;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdate;
import dev.stdb.secure.protocol.message.ServerMessage.TableUpdateRows;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

/**
 * BSATN of {@link ServerMessage}: decoded by clients, encoded by servers and test peers. Row lists are decoded as
 * views into the input buffer, so a {@code TransactionUpdate} of 10,000 rows copies no row bytes.
 */
public final class ServerMessageCodec {
    private static final int MIN_STRING_BYTES = 4;
    /** Smallest encodings, used to bound element counts by the remaining bytes. */
    private static final int MIN_ROW_LIST_BYTES = 1 + 2 + 4;
    private static final int MIN_TABLE_UPDATE_BYTES = 4 + 4;
    private static final int MIN_QUERY_SET_UPDATE_BYTES = 4 + 4;
    private static final int MIN_SINGLE_TABLE_ROWS_BYTES = 4 + MIN_ROW_LIST_BYTES;
    private static final int MIN_TABLE_UPDATE_ROWS_BYTES = 1 + MIN_ROW_LIST_BYTES;

    private ServerMessageCodec() {
    }

    // ------------------------------------------------------------------ decode

    /** Decodes one message from the reader's position. */
    public static ServerMessage decode(BsatnReader r) {
        int tag = r.readTag(8, "ServerMessage");
        return switch (tag) {
            case 0 -> new ServerMessage.InitialConnection(r.readIdentity("ServerMessage.InitialConnection.identity"),
                    r.readConnectionId("ServerMessage.InitialConnection.connection_id"),
                    r.readString("ServerMessage.InitialConnection.token"));
            case 1 -> new ServerMessage.SubscribeApplied(r.readI32("ServerMessage.SubscribeApplied.request_id"),
                    r.readI32("ServerMessage.SubscribeApplied.query_set_id"),
                    readQueryRows(r, "ServerMessage.SubscribeApplied.rows"));
            case 2 -> {
                int requestId = r.readI32("ServerMessage.UnsubscribeApplied.request_id");
                int querySetId = r.readI32("ServerMessage.UnsubscribeApplied.query_set_id");
                QueryRows rows = r.readOptionTag("ServerMessage.UnsubscribeApplied.rows")
                        ? readQueryRows(r, "ServerMessage.UnsubscribeApplied.rows") : null;
                yield new ServerMessage.UnsubscribeApplied(requestId, querySetId, rows);
            }
            case 3 -> {
                OptionalInt requestId = r.readOptionTag("ServerMessage.SubscriptionError.request_id")
                        ? OptionalInt.of(r.readI32("ServerMessage.SubscriptionError.request_id")) : OptionalInt.empty();
                yield new ServerMessage.SubscriptionError(requestId,
                        r.readI32("ServerMessage.SubscriptionError.query_set_id"),
                        r.readString("ServerMessage.SubscriptionError.error"));
            }
            case 4 -> readTransactionUpdate(r, "ServerMessage.TransactionUpdate");
            case 5 -> {
                int requestId = r.readI32("ServerMessage.OneOffQueryResult.request_id");
                boolean ok = r.readTag(2, "ServerMessage.OneOffQueryResult.result") == 0;
                yield ok ? new ServerMessage.OneOffQueryResult(requestId,
                        readQueryRows(r, "ServerMessage.OneOffQueryResult.result.ok"), null)
                        : new ServerMessage.OneOffQueryResult(requestId, null,
                        r.readString("ServerMessage.OneOffQueryResult.result.err"));
            }
            case 6 -> new ServerMessage.ReducerResult(r.readI32("ServerMessage.ReducerResult.request_id"),
                    r.readTimestamp("ServerMessage.ReducerResult.timestamp"), readReducerOutcome(r));
            default -> {
                ProcedureStatus status = r.readTag(2, "ServerMessage.ProcedureResult.status") == 0
                        ? new ProcedureStatus.Returned(r.readByteString("ServerMessage.ProcedureResult.status.Returned"))
                        : new ProcedureStatus.InternalError(r.readString("ServerMessage.ProcedureResult.status.InternalError"));
                yield new ServerMessage.ProcedureResult(status,
                        r.readTimestamp("ServerMessage.ProcedureResult.timestamp"),
                        r.readTimeDuration("ServerMessage.ProcedureResult.total_host_execution_duration"),
                        r.readI32("ServerMessage.ProcedureResult.request_id"));
            }
        };
    }

    private static ReducerOutcome readReducerOutcome(BsatnReader r) {
        String what = "ServerMessage.ReducerResult.result";
        return switch (r.readTag(4, what)) {
            case 0 -> new ReducerOutcome.Ok(r.readByteString(what + ".Ok.ret_value"),
                    readTransactionUpdate(r, what + ".Ok.transaction_update"));
            case 1 -> new ReducerOutcome.OkEmpty();
            case 2 -> new ReducerOutcome.Err(r.readByteString(what + ".Err"));
            default -> new ReducerOutcome.InternalError(r.readString(what + ".InternalError"));
        };
    }

    private static ServerMessage.TransactionUpdate readTransactionUpdate(BsatnReader r, String what) {
        int n = r.readLength(MIN_QUERY_SET_UPDATE_BYTES, what + ".query_sets");
        List<QuerySetUpdate> sets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int querySetId = r.readI32(what + ".query_sets.query_set_id");
            int tables = r.readLength(MIN_TABLE_UPDATE_BYTES, what + ".query_sets.tables");
            List<TableUpdate> updates = new ArrayList<>(tables);
            for (int t = 0; t < tables; t++) {
                String name = r.readString(what + ".TableUpdate.table_name");
                int parts = r.readLength(MIN_TABLE_UPDATE_ROWS_BYTES, what + ".TableUpdate.rows");
                List<TableUpdateRows> rows = new ArrayList<>(parts);
                for (int p = 0; p < parts; p++) {
                    rows.add(r.readTag(2, what + ".TableUpdateRows") == 0
                            ? new TableUpdateRows.PersistentTable(readRowList(r, what + ".PersistentTable.inserts"),
                            readRowList(r, what + ".PersistentTable.deletes"))
                            : new TableUpdateRows.EventTable(readRowList(r, what + ".EventTable.events")));
                }
                updates.add(new TableUpdate(name, rows));
            }
            sets.add(new QuerySetUpdate(querySetId, updates));
        }
        return new ServerMessage.TransactionUpdate(sets);
    }

    private static QueryRows readQueryRows(BsatnReader r, String what) {
        int n = r.readLength(MIN_SINGLE_TABLE_ROWS_BYTES, what + ".tables");
        List<SingleTableRows> tables = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            tables.add(new SingleTableRows(r.readString(what + ".table"), readRowList(r, what + ".rows")));
        }
        return new QueryRows(tables);
    }

    /** Reads a {@code BsatnRowList}; the offsets of a RowOffsets hint must rise and stay inside the row data. */
    static BsatnRowList readRowList(BsatnReader r, String what) {
        RowSizeHint hint;
        int hintAt = r.position();
        if (r.readTag(2, what + ".size_hint") == 0) {
            hint = new RowSizeHint.FixedSize(r.readU16(what + ".size_hint.FixedSize"));
        } else {
            int n = r.readLength(8, what + ".size_hint.RowOffsets");
            long[] offsets = new long[n];
            for (int i = 0; i < n; i++) {
                offsets[i] = r.readI64(what + ".size_hint.RowOffsets");
            }
            hint = RowSizeHint.RowOffsets.owning(offsets);
        }
        int dataAt = r.readSlice(what + ".rows_data");
        int length = r.lastLength();
        if (hint instanceof RowSizeHint.RowOffsets ro) {
            long previous = 0;
            for (int i = 0; i < ro.count(); i++) {
                long o = ro.offset(i);
                if (o < previous || o > length || (i == 0 && o != 0)) {
                    throw r.errorAt(hintAt, "row offset " + Long.toUnsignedString(o) + " of row " + i
                            + " is not inside " + length + " bytes of rows or does not rise", what + ".size_hint");
                }
                previous = o;
            }
        } else if (hint instanceof RowSizeHint.FixedSize fs && length > 0 && (fs.rowSize() == 0 || length % fs.rowSize() != 0)) {
            throw r.errorAt(hintAt, length + " bytes of rows are not a multiple of the fixed row size "
                    + fs.rowSize(), what + ".size_hint");
        }
        return new BsatnRowList(hint, r.buffer(), dataAt, length);
    }

    // ------------------------------------------------------------------ encode

    public static byte[] encode(ServerMessage message) {
        BsatnWriter w = new BsatnWriter(256);
        encode(message, w);
        return w.toByteArray();
    }

    public static void encode(ServerMessage message, BsatnWriter w) {
        if (message instanceof ServerMessage.InitialConnection m) {
            w.writeU8(0).writeIdentity(m.identity()).writeConnectionId(m.connectionId()).writeString(m.token());
        } else if (message instanceof ServerMessage.SubscribeApplied m) {
            w.writeU8(1).writeI32(m.requestId()).writeI32(m.querySetId());
            writeQueryRows(m.rows(), w);
        } else if (message instanceof ServerMessage.UnsubscribeApplied m) {
            w.writeU8(2).writeI32(m.requestId()).writeI32(m.querySetId());
            if (m.rows() == null) {
                w.writeU8(1);
            } else {
                w.writeU8(0);
                writeQueryRows(m.rows(), w);
            }
        } else if (message instanceof ServerMessage.SubscriptionError m) {
            w.writeU8(3);
            if (m.requestId().isPresent()) {
                w.writeU8(0).writeI32(m.requestId().getAsInt());
            } else {
                w.writeU8(1);
            }
            w.writeI32(m.querySetId()).writeString(m.error());
        } else if (message instanceof ServerMessage.TransactionUpdate m) {
            w.writeU8(4);
            writeTransactionUpdate(m, w);
        } else if (message instanceof ServerMessage.OneOffQueryResult m) {
            w.writeU8(5).writeI32(m.requestId());
            if (m.isOk()) {
                w.writeU8(0);
                writeQueryRows(m.rows(), w);
            } else {
                w.writeU8(1).writeString(m.error());
            }
        } else if (message instanceof ServerMessage.ReducerResult m) {
            w.writeU8(6).writeI32(m.requestId()).writeTimestamp(m.timestamp());
            writeReducerOutcome(m.result(), w);
        } else if (message instanceof ServerMessage.ProcedureResult m) {
            w.writeU8(7);
            if (m.status() instanceof ProcedureStatus.Returned ret) {
                w.writeU8(0).writeBytes(ret.value());
            } else {
                w.writeU8(1).writeString(((ProcedureStatus.InternalError) m.status()).message());
            }
            w.writeTimestamp(m.timestamp()).writeTimeDuration(m.totalHostExecutionDuration()).writeI32(m.requestId());
        } else {
            throw new IllegalArgumentException("unknown server message " + message);
        }
    }

    private static void writeReducerOutcome(ReducerOutcome outcome, BsatnWriter w) {
        if (outcome instanceof ReducerOutcome.Ok ok) {
            w.writeU8(0).writeBytes(ok.returnValue());
            writeTransactionUpdate(ok.transactionUpdate(), w);
        } else if (outcome instanceof ReducerOutcome.OkEmpty) {
            w.writeU8(1);
        } else if (outcome instanceof ReducerOutcome.Err err) {
            w.writeU8(2).writeBytes(err.error());
        } else {
            w.writeU8(3).writeString(((ReducerOutcome.InternalError) outcome).message());
        }
    }

    private static void writeTransactionUpdate(ServerMessage.TransactionUpdate m, BsatnWriter w) {
        w.writeLength(m.querySets().size());
        for (QuerySetUpdate set : m.querySets()) {
            w.writeI32(set.querySetId()).writeLength(set.tables().size());
            for (TableUpdate table : set.tables()) {
                w.writeString(table.tableName()).writeLength(table.rows().size());
                for (TableUpdateRows rows : table.rows()) {
                    if (rows instanceof TableUpdateRows.PersistentTable p) {
                        w.writeU8(0);
                        writeRowList(p.inserts(), w);
                        writeRowList(p.deletes(), w);
                    } else {
                        w.writeU8(1);
                        writeRowList(((TableUpdateRows.EventTable) rows).events(), w);
                    }
                }
            }
        }
    }

    private static void writeQueryRows(QueryRows rows, BsatnWriter w) {
        w.writeLength(rows.tables().size());
        for (SingleTableRows t : rows.tables()) {
            w.writeString(t.table());
            writeRowList(t.rows(), w);
        }
    }

    static void writeRowList(BsatnRowList list, BsatnWriter w) {
        if (list.sizeHint() instanceof RowSizeHint.FixedSize fs) {
            w.writeU8(0).writeI16(fs.rowSize());
        } else {
            RowSizeHint.RowOffsets ro = (RowSizeHint.RowOffsets) list.sizeHint();
            w.writeU8(1).writeLength(ro.count());
            for (int i = 0; i < ro.count(); i++) {
                w.writeI64(ro.offset(i));
            }
        }
        w.writeBytes(list.buffer(), list.offset(), list.length());
    }
}
