package dev.stdb.secure.sandbox.internal.sql;

import dev.stdb.secure.protocol.ConnectionId;
import dev.stdb.secure.protocol.Identity;
import dev.stdb.secure.protocol.Timestamp;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.sandbox.internal.module.BuiltInModule;
import dev.stdb.secure.sandbox.internal.module.Caller;
import dev.stdb.secure.sandbox.internal.module.Database;
import dev.stdb.secure.sandbox.internal.module.ReducerRun;
import dev.stdb.secure.sandbox.internal.module.StoredRow;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The SQL subset: what it accepts, what it matches, and the errors for what it does not understand. */
class SqlQueryTest {
    private static final Identity ALICE = Identity.fromHex("c20035600353a2e93544d898c6ed0eac323e200c0468300f22958f8b472a265d");
    private Database db;

    @BeforeEach
    void people() {
        db = BuiltInModule.create();
        Caller caller = new Caller(ALICE, ConnectionId.ZERO);
        for (Object[] p : new Object[][]{{"Ada", 36}, {"Bob", 41}, {"O'Brien", 36}}) {
            ReducerRun run = db.run("add_person", new Value.Product(List.of("name", "age"),
                    List.of(new Value.Str((String) p[0]), new Value.Int(dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U8,
                            (Integer) p[1]))), caller, new Timestamp(1));
            assertEquals(ReducerRun.Status.COMMITTED, run.status());
        }
        db.run("send_message", new Value.Product(List.of("text"), List.of(new Value.Str("hi"))), caller, new Timestamp(2));
    }

    private List<String> names(String sql) throws SqlException {
        SqlQuery q = SqlQuery.parse(sql, db);
        return q.table().rows().stream().filter(q::matches)
                .map(StoredRow::value).map(v -> ((Value.Str) v.get("name")).value()).toList();
    }

    @Test
    void selectAllInAnyCaseWithOptionalSemicolon() throws SqlException {
        assertEquals(List.of("Ada", "Bob", "O'Brien"), names("SELECT * FROM person"));
        assertEquals(List.of("Ada", "Bob", "O'Brien"), names("  select *\n from person ;  "));
    }

    @Test
    void whereColumnEqualsLiteralOfEachKind() throws SqlException {
        assertEquals(List.of("Ada", "O'Brien"), names("SELECT * FROM person WHERE age = 36"));
        assertEquals(List.of("Bob"), names("SELECT * FROM person WHERE id = 2"));
        assertEquals(List.of("O'Brien"), names("SELECT * FROM person WHERE name = 'O''Brien'"));
        assertEquals(List.of(), names("SELECT * FROM person WHERE name = 'nobody'"));
        SqlQuery bySender = SqlQuery.parse("SELECT * FROM message WHERE sender = 0x" + ALICE.toHex(), db);
        assertEquals(1, bySender.table().rows().stream().filter(bySender::matches).count());
        SqlQuery byOther = SqlQuery.parse("SELECT * FROM message WHERE sender = X'" + "c2".repeat(32) + "'", db);
        assertEquals(0, byOther.table().rows().stream().filter(byOther::matches).count());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "DELETE FROM person", "SELECT name FROM person", "SELECT * FROM person WHERE age > 3",
            "SELECT * FROM person JOIN message", "", "SELECT * FROM"})
    void outsideTheSubsetIsAClearError(String sql) {
        SqlException e = assertThrows(SqlException.class, () -> SqlQuery.parse(sql, db));
        assertTrue(e.getMessage().contains("unsupported query"), e.getMessage());
    }

    @Test
    void unknownTablesColumnsAndBadLiteralsAreNamed() {
        Map<String, String> cases = Map.of(
                "SELECT * FROM nope", "no such table: `nope`",
                "SELECT * FROM person WHERE nope = 1", "no such column: `nope`",
                "SELECT * FROM person WHERE age = 300", "outside the range of u8",
                "SELECT * FROM person WHERE age = 'x'", "does not fit column `age`",
                "SELECT * FROM person WHERE name = 7", "expected a 'quoted string'",
                "SELECT * FROM message WHERE sender = 'alice'", "expected a hex literal");
        cases.forEach((sql, expected) -> {
            SqlException e = assertThrows(SqlException.class, () -> SqlQuery.parse(sql, db), sql);
            assertTrue(e.getMessage().contains(expected), sql + " -> " + e.getMessage());
        });
    }
}
