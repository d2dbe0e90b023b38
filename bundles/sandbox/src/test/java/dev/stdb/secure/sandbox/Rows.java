package dev.stdb.secure.sandbox;

import dev.stdb.secure.protocol.message.BsatnRowList;
import dev.stdb.secure.protocol.message.ServerMessage;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.value.Row;
import dev.stdb.secure.protocol.value.RowDecoder;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/** Decodes the rows in server messages with {@link RowDecoder}, by table name. */
final class Rows {
    private Rows() {
    }

    static List<Row> decode(ModuleSchema schema, String table, BsatnRowList list) {
        return new ArrayList<>(RowDecoder.forTable(schema, table).decode(list));
    }

    /** Rows of {@code table} in a {@code QueryRows} (subscribe, unsubscribe, one-off query). */
    static List<Row> of(ModuleSchema schema, ServerMessage.QueryRows rows, String table) {
        List<Row> out = new ArrayList<>();
        for (ServerMessage.SingleTableRows t : rows.tables()) {
            if (t.table().equals(table)) {
                out.addAll(decode(schema, table, t.rows()));
            }
        }
        return out;
    }

    /** Names of the tables a {@code QueryRows} has rows for. */
    static List<String> tables(ServerMessage.QueryRows rows) {
        return rows.tables().stream().filter(t -> !t.rows().isEmpty()).map(ServerMessage.SingleTableRows::table)
                .collect(Collectors.toList());
    }

    /** Every {@code TableUpdate} of {@code table} across the query sets. */
    static List<ServerMessage.TableUpdate> updates(ServerMessage.TransactionUpdate tu, String table) {
        List<ServerMessage.TableUpdate> out = new ArrayList<>();
        for (ServerMessage.QuerySetUpdate qs : tu.querySets()) {
            for (ServerMessage.TableUpdate t : qs.tables()) {
                if (t.tableName().equals(table)) {
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Names of the tables a transaction update touches, each once. */
    static List<String> tables(ServerMessage.TransactionUpdate tu) {
        return tu.querySets().stream().flatMap(qs -> qs.tables().stream()).map(ServerMessage.TableUpdate::tableName)
                .distinct().collect(Collectors.toList());
    }

    static List<Row> inserts(ModuleSchema schema, ServerMessage.TransactionUpdate tu, String table) {
        List<Row> out = new ArrayList<>();
        for (ServerMessage.TableUpdate t : updates(tu, table)) {
            for (ServerMessage.TableUpdateRows r : t.rows()) {
                if (r instanceof ServerMessage.TableUpdateRows.PersistentTable p) {
                    out.addAll(decode(schema, table, p.inserts()));
                }
            }
        }
        return out;
    }

    static List<Row> deletes(ModuleSchema schema, ServerMessage.TransactionUpdate tu, String table) {
        List<Row> out = new ArrayList<>();
        for (ServerMessage.TableUpdate t : updates(tu, table)) {
            for (ServerMessage.TableUpdateRows r : t.rows()) {
                if (r instanceof ServerMessage.TableUpdateRows.PersistentTable p) {
                    out.addAll(decode(schema, table, p.deletes()));
                }
            }
        }
        return out;
    }

    static List<Row> events(ModuleSchema schema, ServerMessage.TransactionUpdate tu, String table) {
        List<Row> out = new ArrayList<>();
        for (ServerMessage.TableUpdate t : updates(tu, table)) {
            for (ServerMessage.TableUpdateRows r : t.rows()) {
                if (r instanceof ServerMessage.TableUpdateRows.EventTable e) {
                    out.addAll(decode(schema, table, e.events()));
                }
            }
        }
        return out;
    }

    /** The transaction update of a committed reducer result ({@code Ok}); fails on any other outcome. */
    static ServerMessage.TransactionUpdate ok(ServerMessage.ReducerResult r) {
        if (r.result() instanceof ServerMessage.ReducerOutcome.Ok ok) {
            return ok.transactionUpdate();
        }
        throw new AssertionError("expected ReducerOutcome.Ok, got " + r.result());
    }

    /** {@code id:name:age} of person rows, for compact assertions. */
    static List<String> people(List<Row> rows) {
        return rows.stream().map(r -> r.getLong("id") + ":" + r.getString("name") + ":" + r.getInt("age"))
                .collect(Collectors.toList());
    }
}
