package dev.stdb.secure.sandbox.internal.module;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.Lifecycle;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ProcedureDef;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;

/**
 * The small module every sandbox serves: enough tables and reducers to exercise the whole client protocol.
 *
 * <pre>
 * person(id: u32 primary key, name: string, age: u8)           add_person, update_person, delete_person
 * message(sender: Identity, sent: Timestamp, text: string)     send_message (no primary key: rows keyed by bytes)
 * chat_event(sender: Identity, text: string)  event table      send_message
 * fail(reason: string) returns Err(reason); panic() is an internal error; init is a lifecycle reducer
 * procedure echo(text: string) -> string
 * </pre>
 */
public final class BuiltInModule {
    public static final String PERSON = "person";
    public static final String MESSAGE = "message";
    public static final String CHAT_EVENT = "chat_event";

    private static final AlgebraicType.Product PERSON_ROW = product(element("id", Primitive.U32),
            element("name", Primitive.STRING), element("age", Primitive.U8));
    private static final AlgebraicType.Product MESSAGE_ROW = product(element("sender", AlgebraicType.identity()),
            element("sent", AlgebraicType.timestamp()), element("text", Primitive.STRING));
    private static final AlgebraicType.Product CHAT_EVENT_ROW = product(element("sender", AlgebraicType.identity()),
            element("text", Primitive.STRING));

    private BuiltInModule() {
    }

    public static ModuleSchema schema() {
        Typespace typespace = new Typespace(List.of(PERSON_ROW, MESSAGE_ROW, CHAT_EVENT_ROW));
        List<TableDef> tables = List.of(
                new TableDef(PERSON, 0, List.of(0), false, true),
                new TableDef(MESSAGE, 1, List.of(), false, true),
                new TableDef(CHAT_EVENT, 2, List.of(), true, true));
        List<ReducerDef> reducers = List.of(
                reducer("add_person", product(element("name", Primitive.STRING), element("age", Primitive.U8))),
                reducer("update_person", PERSON_ROW),
                reducer("delete_person", product(element("id", Primitive.U32))),
                reducer("send_message", product(element("text", Primitive.STRING))),
                reducer("fail", product(element("reason", Primitive.STRING))),
                reducer("panic", AlgebraicType.Product.UNIT),
                new ReducerDef("init", AlgebraicType.Product.UNIT, Lifecycle.INIT, false,
                        AlgebraicType.Product.UNIT, Primitive.STRING));
        List<ProcedureDef> procedures = List.of(
                new ProcedureDef("echo", product(element("text", Primitive.STRING)), Primitive.STRING));
        return new ModuleSchema(typespace, tables, reducers, procedures);
    }

    private static ReducerDef reducer(String name, AlgebraicType.Product params) {
        return new ReducerDef(name, params, null, true, AlgebraicType.Product.UNIT, Primitive.STRING);
    }

    /** A fresh, empty instance of the module. */
    public static Database create() {
        Map<String, Reducer> reducers = Map.of(
                "add_person", BuiltInModule::addPerson,
                "update_person", BuiltInModule::updatePerson,
                "delete_person", BuiltInModule::deletePerson,
                "send_message", BuiltInModule::sendMessage,
                "fail", (ctx, args) -> {
                    throw new ReducerFailure(((Value.Str) args.get("reason")).value());
                },
                "panic", (ctx, args) -> {
                    throw new IllegalStateException("panic() was called");
                },
                "init", (ctx, args) -> { });
        Map<String, Function<Value.Product, Value>> procedures = Map.of("echo", args -> args.get("text"));
        return new Database(schema(), reducers, procedures);
    }

    private static void addPerson(ReducerContext ctx, Value.Product args) throws ReducerFailure {
        Table person = ctx.db().requireTable(PERSON);
        long next = person.rows().stream().mapToLong(r -> ((Value.Int) r.value().get("id")).value()).max().orElse(0) + 1;
        ctx.tx().insert(person, row(List.of("id", "name", "age"),
                new Value.Int(Primitive.U32, next), args.get("name"), args.get("age")));
    }

    private static void updatePerson(ReducerContext ctx, Value.Product args) throws ReducerFailure {
        Table person = ctx.db().requireTable(PERSON);
        if (person.findByPrimaryKey(args.get("id")).isEmpty()) {
            throw new ReducerFailure("no person with id " + ((Value.Int) args.get("id")).value());
        }
        ctx.tx().update(person, args);
    }

    private static void deletePerson(ReducerContext ctx, Value.Product args) throws ReducerFailure {
        Table person = ctx.db().requireTable(PERSON);
        StoredRow row = person.findByPrimaryKey(args.get("id"))
                .orElseThrow(() -> new ReducerFailure("no person with id " + ((Value.Int) args.get("id")).value()));
        ctx.tx().delete(person, row);
    }

    private static void sendMessage(ReducerContext ctx, Value.Product args) throws ReducerFailure {
        String text = ((Value.Str) args.get("text")).value();
        if (text.isBlank()) {
            throw new ReducerFailure("messages must not be empty");
        }
        Value sender = new Value.IdentityValue(ctx.caller().identity());
        ctx.tx().insert(ctx.db().requireTable(MESSAGE), row(List.of("sender", "sent", "text"),
                sender, new Value.TimestampValue(ctx.timestamp()), args.get("text")));
        ctx.tx().insert(ctx.db().requireTable(CHAT_EVENT), row(List.of("sender", "text"), sender, args.get("text")));
    }

    private static Value.Product row(List<String> names, Value... values) {
        return new Value.Product(names, Arrays.asList(values));
    }
}
