package dev.stdb.secure.protocol.schema;

import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.BOOL;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.STRING;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U64;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.V10;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.V9;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.l;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.m;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.resource;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.protocol.internal.json.Json;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

class SchemaParserTest {

    // V10 fixture section indexes
    private static final int TYPESPACE = 0;
    private static final int TABLES = 2;
    private static final int REDUCERS = 3;
    private static final int LIFECYCLE = 7;
    private static final int EXPLICIT_NAMES = 9;

    // ------------------------------------------------------------------ helpers

    private static Object unit() {
        return new ArrayList<>();
    }

    private static Map<String, Object> one(String key, Object value) {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put(key, value);
        return map;
    }

    private static Map<String, Object> table9(Object root, int i) {
        return m(l(m(root).get("tables")).get(i));
    }

    private static Map<String, Object> section(Object root, int i, String kind) {
        return m(m(l(m(root).get("sections")).get(i)));
    }

    private static List<Object> sectionList(Object root, int i, String kind) {
        return l(section(root, i, kind).get(kind));
    }

    private static void assertMalformed(String resourceName, Consumer<Object> edit, String path, String problem) {
        Object root = tree(resourceName);
        edit.accept(root);
        SchemaException e = assertThrows(SchemaException.class, () -> SchemaParser.fromJson(root));
        assertTrue(e.getMessage().startsWith("invalid schema at " + path + ": "),
                () -> "expected path " + path + " in: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "expected '" + problem + "' in: " + e.getMessage());
    }

    private static List<String> columnNames(AlgebraicType.Product row) {
        return row.elements().stream().map(AlgebraicType.Element::name).collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ V9 fixture

    @Test
    void v9TablesAndPrimaryKeys() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        assertEquals(List.of("user", "message", "user_status", "cleanup_job"),
                schema.tables().stream().map(TableDef::name).collect(Collectors.toList()));
        assertEquals(5, schema.typespace().types().size());

        TableDef user = schema.requireTable("user");
        assertEquals(new TableDef("user", 0, List.of(0), false, true), user);
        assertTrue(user.hasPrimaryKey());
        TableDef message = schema.requireTable("message");
        assertEquals(List.of(), message.primaryKey());
        assertFalse(message.hasPrimaryKey());
        assertTrue(message.isPublic());
        TableDef status = schema.requireTable("user_status");
        assertFalse(status.isPublic());
        assertEquals(List.of(0), status.primaryKey());
        schema.tables().forEach(t -> assertFalse(t.event(), "V9 has no event tables"));
    }

    @Test
    void v9RowTypesResolveWithSpecialTypesAndOptions() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));

        AlgebraicType.Product user = schema.rowType(schema.requireTable("user"));
        assertEquals(List.of("identity", "name", "online"), columnNames(user));
        AlgebraicType.Product identity = assertInstanceOf(AlgebraicType.Product.class, user.elements().get(0).type());
        assertEquals(SpecialType.IDENTITY, identity.special());
        assertEquals(AlgebraicType.identity(), identity);
        AlgebraicType.Sum name = assertInstanceOf(AlgebraicType.Sum.class, user.elements().get(1).type());
        assertTrue(name.isOption());
        assertEquals(STRING, name.variants().get(0).type());
        assertEquals(BOOL, user.elements().get(2).type());
        assertEquals(AlgebraicType.product(
                AlgebraicType.element("identity", AlgebraicType.identity()),
                AlgebraicType.element("name", AlgebraicType.option(STRING)),
                AlgebraicType.element("online", BOOL)), user);

        AlgebraicType.Product message = schema.rowType(schema.requireTable("message"));
        assertEquals(List.of("sender", "sent", "text"), columnNames(message));
        assertEquals(SpecialType.IDENTITY, ((AlgebraicType.Product) message.elements().get(0).type()).special());
        assertEquals(SpecialType.TIMESTAMP, ((AlgebraicType.Product) message.elements().get(1).type()).special());
        assertEquals(STRING, message.elements().get(2).type());

        // enum column through a typespace reference
        AlgebraicType.Product status = schema.rowType(schema.requireTable("user_status"));
        assertEquals(new AlgebraicType.Ref(2), status.elements().get(1).type());
        AlgebraicType.Sum statusEnum = assertInstanceOf(AlgebraicType.Sum.class,
                schema.typespace().resolve(status.elements().get(1).type()));
        assertFalse(statusEnum.isOption());
        assertEquals(List.of("online", "away", "doNotDisturb"),
                statusEnum.variants().stream().map(AlgebraicType.Variant::name).collect(Collectors.toList()));
        statusEnum.variants().forEach(v -> assertEquals(AlgebraicType.Product.UNIT, v.type()));

        // ScheduleAt: Interval(TimeDuration) | Time(Timestamp)
        AlgebraicType.Product job = schema.rowType(schema.requireTable("cleanup_job"));
        assertEquals(U64, job.elements().get(0).type());
        AlgebraicType.Sum scheduleAt = (AlgebraicType.Sum) job.elements().get(1).type();
        assertEquals(SpecialType.TIME_DURATION, ((AlgebraicType.Product) scheduleAt.variants().get(0).type()).special());
        assertEquals(SpecialType.TIMESTAMP, ((AlgebraicType.Product) scheduleAt.variants().get(1).type()).special());
    }

    @Test
    void v9ReducersAndProcedures() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        ReducerDef setName = schema.requireReducer("set_name");
        assertEquals(new ReducerDef("set_name", AlgebraicType.product(AlgebraicType.element("name", STRING)),
                null, true, null, null), setName);
        assertTrue(schema.requireReducer("send_message").clientCallable());
        assertEquals(AlgebraicType.product(AlgebraicType.element("status", new AlgebraicType.Ref(2))),
                schema.requireReducer("set_status").params());
        assertTrue(schema.requireReducer("cleanup").clientCallable(), "V9 has no visibility");

        ReducerDef connected = schema.requireReducer("identity_connected");
        assertEquals(Lifecycle.ON_CONNECT, connected.lifecycle());
        assertFalse(connected.clientCallable());
        assertEquals(AlgebraicType.Product.UNIT, connected.params());
        assertEquals(Lifecycle.ON_DISCONNECT, schema.requireReducer("identity_disconnected").lifecycle());
        assertEquals(Lifecycle.INIT, schema.requireReducer("init").lifecycle());
        assertFalse(schema.requireReducer("init").clientCallable());

        assertEquals(1, schema.procedures().size());
        ProcedureDef count = schema.procedure("count_messages").orElseThrow();
        assertEquals(AlgebraicType.product(AlgebraicType.element("since", AlgebraicType.timestamp())), count.params());
        assertEquals(U64, count.returnType());
        assertTrue(schema.procedure("my_user").isEmpty(), "views are not procedures");
    }

    @Test
    void lookupsByName() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        assertTrue(schema.table("nope").isEmpty());
        assertTrue(schema.reducer("nope").isEmpty());
        SchemaException e = assertThrows(SchemaException.class, () -> schema.requireTable("nope"));
        assertEquals("no table named 'nope' in the module; tables: user, message, user_status, cleanup_job",
                e.getMessage());
        SchemaException r = assertThrows(SchemaException.class, () -> schema.requireReducer("nope"));
        assertEquals("no reducer named 'nope' in the module; reducers: set_name, send_message, set_status, cleanup, "
                + "init, identity_connected, identity_disconnected", r.getMessage());
        ModuleSchema empty = new ModuleSchema(Typespace.EMPTY, List.of(), List.of(), List.of());
        assertEquals("no table named 'x' in the module; tables: (none)",
                assertThrows(SchemaException.class, () -> empty.requireTable("x")).getMessage());
    }

    @Test
    void rowTypeRejectsNonProducts() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        SchemaException sum = assertThrows(SchemaException.class,
                () -> schema.rowType(new TableDef("bad", 2, List.of(), false, true)));
        assertTrue(sum.getMessage().contains("table 'bad': product_type_ref 2 is a sum type, not a product type"),
                sum.getMessage());
        SchemaException outside = assertThrows(SchemaException.class,
                () -> schema.rowType(new TableDef("far", 99, List.of(), false, true)));
        assertTrue(outside.getMessage().contains("table 'far'") && outside.getMessage().contains("outside"),
                outside.getMessage());
    }

    @Test
    void parsesStreamsWithASizeLimit() {
        byte[] bytes = resource(V9).getBytes(StandardCharsets.UTF_8);
        assertEquals(SchemaParser.parse(resource(V9)),
                SchemaParser.parse(new ByteArrayInputStream(bytes), bytes.length));
        SchemaException e = assertThrows(SchemaException.class,
                () -> SchemaParser.parse(new ByteArrayInputStream(bytes), bytes.length - 1));
        assertTrue(e.getMessage().contains("exceeds the limit of " + (bytes.length - 1) + " bytes"), e.getMessage());
    }

    // ------------------------------------------------------------------ V10 fixture

    @Test
    void v10TablesUseCanonicalNamesAndEventFlag() {
        ModuleSchema schema = SchemaParser.parse(resource(V10));
        assertEquals(List.of("user", "message", "user_status", "cleanup_job", "typing_event"),
                schema.tables().stream().map(TableDef::name).collect(Collectors.toList()));
        assertTrue(schema.table("userStatus").isEmpty(), "the wire name is the canonical name from ExplicitNames");
        TableDef typing = schema.requireTable("typing_event");
        assertTrue(typing.event());
        assertEquals(List.of(), typing.primaryKey());
        AlgebraicType.Product typingRow = schema.rowType(typing);
        assertEquals(List.of("sender", "typing"), columnNames(typingRow));
        schema.tables().stream().filter(t -> t != typing).forEach(t -> assertFalse(t.event(), t.name()));
        assertFalse(schema.requireTable("user_status").isPublic());
    }

    @Test
    void v10DescribesTheSameModuleAsV9() {
        ModuleSchema v9 = SchemaParser.parse(resource(V9));
        ModuleSchema v10 = SchemaParser.parse(resource(V10));
        assertEquals(v9.typespace().types(), v10.typespace().types().subList(0, 5));
        assertEquals(v9.tables(), v10.tables().subList(0, 4));
        assertEquals(v9.procedures(), v10.procedures());
        for (ReducerDef r9 : v9.reducers()) {
            ReducerDef r10 = v10.requireReducer(r9.name());
            assertEquals(r9.params(), r10.params(), r9.name());
            assertEquals(r9.lifecycle(), r10.lifecycle(), r9.name());
        }
    }

    @Test
    void v10ReducersHaveVisibilityLifecycleAndReturnTypes() {
        ModuleSchema schema = SchemaParser.parse(resource(V10));
        ReducerDef send = schema.requireReducer("send_message"); // source_name sendMessage
        assertTrue(schema.reducer("sendMessage").isEmpty());
        assertTrue(send.clientCallable());
        assertNull(send.lifecycle());
        assertEquals(AlgebraicType.Product.UNIT, send.okReturnType());
        assertEquals(STRING, send.errReturnType());
        assertEquals(AlgebraicType.product(AlgebraicType.element("text", STRING)), send.params());

        ReducerDef connected = schema.requireReducer("identity_connected");
        assertEquals(Lifecycle.ON_CONNECT, connected.lifecycle());
        assertFalse(connected.clientCallable());
        assertEquals(STRING, connected.errReturnType());
        assertEquals(Lifecycle.ON_DISCONNECT, schema.requireReducer("identity_disconnected").lifecycle());
        assertEquals(Lifecycle.INIT, schema.requireReducer("init").lifecycle());

        ReducerDef cleanup = schema.requireReducer("cleanup");
        assertNull(cleanup.lifecycle());
        assertFalse(cleanup.clientCallable(), "scheduled reducers are Private");

        assertEquals(U64, schema.procedure("count_messages").orElseThrow().returnType());
    }

    @Test
    void v10IgnoresUnknownSectionsAndFields() {
        Object root = tree(V10);
        l(m(root).get("sections")).add(1, one("FutureSection", one("anything", List.of(1, 2, 3))));
        l(m(root).get("sections")).add(one("HttpHandlers", new ArrayList<>()));
        l(m(root).get("sections")).add(one("Submodules", new ArrayList<>()));
        m(l(section(root, TABLES + 1, "Tables").get("Tables")).get(0)).put("future_field", "x");
        m(root).put("future_top_level", 1);
        ModuleSchema schema = SchemaParser.fromJson(root);
        assertEquals(SchemaParser.parse(resource(V10)), schema);
    }

    @Test
    void v10WithoutExplicitNamesUsesSourceNames() {
        Object root = tree(V10);
        l(m(root).get("sections")).remove(EXPLICIT_NAMES);
        ModuleSchema schema = SchemaParser.fromJson(root);
        assertTrue(schema.table("userStatus").isPresent());
        assertTrue(schema.reducer("sendMessage").isPresent());
    }

    @Test
    void v10LifecycleMayNameTheSourceOrTheCanonicalName() {
        Object root = tree(V10);
        // identity_connected gets a different accessor (source) name; the lifecycle entry keeps the canonical name
        List<Object> entries = l(m(section(root, EXPLICIT_NAMES, "ExplicitNames").get("ExplicitNames")).get("entries"));
        m(m(entries.get(10)).get("Function")).put("source_name", "onConnect");
        m(sectionList(root, REDUCERS, "Reducers").get(5)).put("source_name", "onConnect");
        ModuleSchema canonical = SchemaParser.fromJson(root);
        assertEquals(Lifecycle.ON_CONNECT, canonical.requireReducer("identity_connected").lifecycle());

        m(sectionList(root, LIFECYCLE, "LifeCycleReducers").get(1)).put("function_name", "onConnect");
        ModuleSchema source = SchemaParser.fromJson(root);
        assertEquals(Lifecycle.ON_CONNECT, source.requireReducer("identity_connected").lifecycle());
        assertFalse(source.requireReducer("identity_connected").clientCallable());
    }

    @Test
    void v10MinimalDocuments() {
        ModuleSchema empty = SchemaParser.parse("{\"sections\": []}");
        assertEquals(new ModuleSchema(Typespace.EMPTY, List.of(), List.of(), List.of()), empty);
        ModuleSchema emptyV9 = SchemaParser.parse("{\"typespace\":{\"types\":[]},\"tables\":[],\"reducers\":[]}");
        assertEquals(empty, emptyV9);
    }

    // ------------------------------------------------------------------ version detection and JSON errors

    @Test
    void detectsTheVersion() {
        SchemaException both = assertThrows(SchemaException.class,
                () -> SchemaParser.parse("{\"typespace\":{\"types\":[]},\"sections\":[]}"));
        assertTrue(both.getMessage().startsWith("invalid schema at (root): has both"), both.getMessage());
        SchemaException neither = assertThrows(SchemaException.class, () -> SchemaParser.parse("{\"tables\":[]}"));
        assertTrue(neither.getMessage().contains("(root)") && neither.getMessage().contains("[tables]"),
                neither.getMessage());
        SchemaException notObject = assertThrows(SchemaException.class, () -> SchemaParser.parse("[]"));
        assertEquals("invalid schema at (root): expected an object but found an array", notObject.getMessage());
    }

    @Test
    void invalidJsonIsASchemaExceptionNamingTheOffset() {
        SchemaException e = assertThrows(SchemaException.class, () -> SchemaParser.parse("{\"sections\": [}"));
        assertTrue(e.getMessage().startsWith("module schema is not valid JSON: "), e.getMessage());
        assertTrue(e.getMessage().contains("at offset 14"), e.getMessage());
        SchemaException deep = assertThrows(SchemaException.class,
                () -> SchemaParser.parse("{\"sections\":" + "[".repeat(10_000)));
        assertTrue(deep.getMessage().contains("nesting deeper than 512 levels"), deep.getMessage());
    }

    // ------------------------------------------------------------------ malformed V9 schemas

    @Test
    void malformedV9Tables() {
        assertMalformed(V9, r -> table9(r, 2).remove("product_type_ref"),
                "tables[2].product_type_ref", "missing field 'product_type_ref'");
        assertMalformed(V9, r -> table9(r, 1).put("name", new BigDecimal(7)),
                "tables[1].name", "expected a string but found the number 7");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", new BigDecimal(99)),
                "tables[0].product_type_ref", "type reference 99 is outside the typespace of 5 types");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", new BigDecimal(2)),
                "tables[0].product_type_ref", "type 2 is a sum type, but a table's row type must be a product type");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", new BigDecimal(-1)),
                "tables[0].product_type_ref", "expected a u32");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", new BigDecimal("1.5")),
                "tables[0].product_type_ref", "expected a u32");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", new BigDecimal("1e999999999")),
                "tables[0].product_type_ref", "expected a u32");
        assertMalformed(V9, r -> table9(r, 0).put("product_type_ref", "0"),
                "tables[0].product_type_ref", "expected a u32 (an integer in 0..4294967295) but found the string");
        assertMalformed(V9, r -> table9(r, 0).put("primary_key", new ArrayList<>(List.of(new BigDecimal(7)))),
                "tables[0].primary_key[0]", "column 7 does not exist; the row type has 3 columns");
        assertMalformed(V9, r -> table9(r, 0).put("primary_key", new ArrayList<>(List.of(new BigDecimal(70000)))),
                "tables[0].primary_key[0]", "expected a u16");
        assertMalformed(V9, r -> table9(r, 0).put("primary_key", one("some", new BigDecimal(0))),
                "tables[0].primary_key", "expected an array but found an object");
        assertMalformed(V9, r -> table9(r, 3).put("table_access", one("Protected", unit())),
                "tables[3].table_access", "unknown table access 'Protected'");
        assertMalformed(V9, r -> table9(r, 3).put("table_access", "Public"),
                "tables[3].table_access", "expected a sum value");
        assertMalformed(V9, r -> table9(r, 1).put("name", "user"),
                "tables[1]", "duplicate table name 'user'");
        assertMalformed(V9, r -> m(r).put("tables", one("user", unit())),
                "tables", "expected an array but found an object");
        assertMalformed(V9, r -> m(r).remove("reducers"), "reducers", "missing field 'reducers'");
    }

    @Test
    void malformedV9Types() {
        Consumer<Object> unknownVariant = r -> l(m(m(r).get("typespace")).get("types")).set(3, one("U512", unit()));
        assertMalformed(V9, unknownVariant, "typespace.types[3]", "unknown type variant 'U512'");
        assertMalformed(V9, r -> {
            Map<String, Object> product = m(m(l(m(m(r).get("typespace")).get("types")).get(3)).get("Product"));
            m(l(product.get("elements")).get(1)).put("algebraic_type", one("Ref", new BigDecimal(42)));
        }, "typespace.types[3].Product.elements[1].algebraic_type.Ref",
                "type reference 42 is outside the typespace of 5 types");
        assertMalformed(V9, r -> {
            Map<String, Object> product = m(m(l(m(m(r).get("typespace")).get("types")).get(0)).get("Product"));
            m(l(product.get("elements")).get(0)).put("name", "identity");
        }, "typespace.types[0].Product.elements[0].name", "expected an option");
        assertMalformed(V9, r -> {
            Map<String, Object> product = m(m(l(m(m(r).get("typespace")).get("types")).get(0)).get("Product"));
            m(l(product.get("elements")).get(2)).put("algebraic_type", one("Bool", "yes"));
        }, "typespace.types[0].Product.elements[2].algebraic_type.Bool", "expected the unit value []");
        assertMalformed(V9, r -> {
            Map<String, Object> product = m(m(l(m(m(r).get("typespace")).get("types")).get(0)).get("Product"));
            m(l(product.get("elements")).get(2)).remove("algebraic_type");
        }, "typespace.types[0].Product.elements[2].algebraic_type", "missing field 'algebraic_type'");
        assertMalformed(V9, r -> l(m(m(r).get("typespace")).get("types")).set(4, one("Ref", new BigDecimal(4))),
                "typespace.types[4]", "cycle");
        assertMalformed(V9, r -> m(m(r).get("typespace")).put("types", "none"),
                "typespace.types", "expected an array but found the string \"none\"");
    }

    @Test
    void malformedV9ReducersAndProcedures() {
        Consumer<Object> badParam = r -> {
            Map<String, Object> params = m(m(l(m(r).get("reducers")).get(2)).get("params"));
            m(l(params.get("elements")).get(0)).put("algebraic_type", one("Ref", new BigDecimal(5)));
        };
        assertMalformed(V9, badParam, "reducers[2].params.elements[0].algebraic_type.Ref",
                "type reference 5 is outside the typespace");
        assertMalformed(V9, r -> m(l(m(r).get("reducers")).get(5)).put("lifecycle", one("some", one("OnCrash", unit()))),
                "reducers[5].lifecycle.some", "unknown lifecycle 'OnCrash'");
        assertMalformed(V9, r -> m(l(m(r).get("reducers")).get(5)).put("lifecycle", one("OnConnect", unit())),
                "reducers[5].lifecycle", "expected an option");
        assertMalformed(V9, r -> m(l(m(r).get("reducers")).get(0)).remove("params"),
                "reducers[0].params", "missing field 'params'");
        assertMalformed(V9, r -> m(l(m(r).get("reducers")).get(1)).put("name", "set_name"),
                "reducers[1]", "duplicate reducer name 'set_name'");
        assertMalformed(V9, r -> m(m(l(m(r).get("misc_exports")).get(1)).get("Procedure")).remove("return_type"),
                "misc_exports[1].Procedure.return_type", "missing field 'return_type'");
        assertMalformed(V9, r -> l(m(r).get("misc_exports")).set(0, "ColumnDefaultValue"),
                "misc_exports[0]", "expected a sum value");
    }

    // ------------------------------------------------------------------ malformed V10 schemas

    @Test
    void malformedV10Schemas() {
        assertMalformed(V10, r -> m(sectionList(r, TABLES, "Tables").get(1)).put("is_event", "yes"),
                "sections[2].Tables[1].is_event", "expected a boolean but found the string \"yes\"");
        assertMalformed(V10, r -> m(sectionList(r, TABLES, "Tables").get(4)).remove("source_name"),
                "sections[2].Tables[4].source_name", "missing field 'source_name'");
        assertMalformed(V10, r -> m(sectionList(r, TABLES, "Tables").get(2)).put("product_type_ref", new BigDecimal(2)),
                "sections[2].Tables[2].product_type_ref", "must be a product type");
        assertMalformed(V10, r -> m(sectionList(r, REDUCERS, "Reducers").get(0)).put("visibility", one("Public", unit())),
                "sections[3].Reducers[0].visibility", "unknown visibility 'Public'");
        assertMalformed(V10, r -> m(sectionList(r, REDUCERS, "Reducers").get(0)).remove("err_return_type"),
                "sections[3].Reducers[0].err_return_type", "missing field 'err_return_type'");
        assertMalformed(V10, r -> m(sectionList(r, REDUCERS, "Reducers").get(0)).put("ok_return_type", one("Map", unit())),
                "sections[3].Reducers[0].ok_return_type", "unknown type variant 'Map'");
        assertMalformed(V10, r -> m(sectionList(r, LIFECYCLE, "LifeCycleReducers").get(1)).put("function_name", "ghost"),
                "sections[7].LifeCycleReducers[1].function_name", "no reducer named 'ghost' for the OnConnect lifecycle");
        assertMalformed(V10, r -> m(sectionList(r, LIFECYCLE, "LifeCycleReducers").get(2))
                        .put("lifecycle_spec", one("OnConnect", unit())),
                "sections[7].LifeCycleReducers[2]", "a second OnConnect reducer");
        assertMalformed(V10, r -> l(m(r).get("sections")).add(one("Tables", new ArrayList<>())),
                "sections[10]", "duplicate Tables section (the first is at sections[2].Tables)");
        assertMalformed(V10, r -> l(m(r).get("sections")).set(1, new ArrayList<>()),
                "sections[1]", "expected a sum value");
        assertMalformed(V10, r -> {
            Map<String, Object> typespace = m(section(r, TYPESPACE, "Typespace").get("Typespace"));
            Map<String, Object> product = m(m(l(typespace.get("types")).get(5)).get("Product"));
            m(l(product.get("elements")).get(1)).put("algebraic_type", one("Ref", new BigDecimal(6)));
        }, "sections[0].Typespace.types[5].Product.elements[1].algebraic_type.Ref",
                "type reference 6 is outside the typespace of 6 types");
        assertMalformed(V10, r -> m(section(r, EXPLICIT_NAMES, "ExplicitNames").get("ExplicitNames")).remove("entries"),
                "sections[9].ExplicitNames.entries", "missing field 'entries'");
        assertMalformed(V10, r -> m(m(l(m(section(r, EXPLICIT_NAMES, "ExplicitNames").get("ExplicitNames"))
                        .get("entries")).get(2)).get("Table")).remove("canonical_name"),
                "sections[9].ExplicitNames.entries[2].Table.canonical_name", "missing field 'canonical_name'");
        assertMalformed(V10, r -> m(r).put("sections", one("Tables", unit())),
                "sections", "expected an array");
    }

    // ------------------------------------------------------------------ parseType

    @Test
    void parseTypeReadsAllTwentyVariants() {
        String[] primitives = {"String", "Bool", "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "I128", "U128",
                "I256", "U256", "F32", "F64"};
        AlgebraicType.Primitive[] expected = {STRING, BOOL, AlgebraicType.Primitive.I8, AlgebraicType.Primitive.U8,
                AlgebraicType.Primitive.I16, AlgebraicType.Primitive.U16, AlgebraicType.Primitive.I32,
                AlgebraicType.Primitive.U32, AlgebraicType.Primitive.I64, U64, AlgebraicType.Primitive.I128,
                AlgebraicType.Primitive.U128, AlgebraicType.Primitive.I256, AlgebraicType.Primitive.U256,
                AlgebraicType.Primitive.F32, AlgebraicType.Primitive.F64};
        for (int i = 0; i < primitives.length; i++) {
            assertEquals(expected[i], SchemaParser.parseType(Json.parse("{\"" + primitives[i] + "\":[]}")));
        }
        assertEquals(new AlgebraicType.Ref(3), SchemaParser.parseType(Json.parse("{\"Ref\":3}")));
        assertEquals(new AlgebraicType.Ref(7), SchemaParser.parseType(Map.of("Ref", 7))); // plain Java numbers too
        assertEquals(AlgebraicType.array(STRING), SchemaParser.parseType(Json.parse("{\"Array\":{\"String\":[]}}")));
        assertEquals(AlgebraicType.product(AlgebraicType.element("id", AlgebraicType.Primitive.U32),
                        AlgebraicType.element(null, AlgebraicType.array(new AlgebraicType.Ref(0)))),
                SchemaParser.parseType(Json.parse("{\"Product\":{\"elements\":["
                        + "{\"name\":{\"some\":\"id\"},\"algebraic_type\":{\"U32\":[]}},"
                        + "{\"name\":{\"none\":[]},\"algebraic_type\":{\"Array\":{\"Ref\":0}}}]}}")));
        assertEquals(AlgebraicType.result(AlgebraicType.Product.UNIT, STRING),
                SchemaParser.parseType(Json.parse("{\"Sum\":{\"variants\":["
                        + "{\"name\":{\"some\":\"ok\"},\"algebraic_type\":{\"Product\":{\"elements\":[]}}},"
                        + "{\"name\":{\"some\":\"err\"},\"algebraic_type\":{\"String\":[]}}]}}")));
        assertEquals(AlgebraicType.Product.UNIT, SchemaParser.parseType(Json.parse("{\"Product\":{\"elements\":[]}}")));
        assertEquals(BOOL, SchemaParser.parseType(Json.parse("{\"Bool\":{}}")));
    }

    @Test
    void parseTypeErrorsNameThePath() {
        assertTypeError("{\"U512\":[]}", "$", "unknown type variant 'U512'");
        assertTypeError("{\"U32\":[], \"U64\":[]}", "$", "an object with 2 keys");
        assertTypeError("\"U32\"", "$", "expected a sum value");
        assertTypeError("{\"Ref\":-1}", "$.Ref", "expected a u32");
        assertTypeError("{\"Ref\":4294967295}", "$.Ref", "index 4294967295 is too large");
        assertTypeError("{\"Ref\":4294967296}", "$.Ref", "expected a u32");
        assertTypeError("{\"Array\":{\"Ref\":\"x\"}}", "$.Array.Ref", "found the string \"x\"");
        assertTypeError("{\"Product\":{\"elements\":[{\"name\":{\"some\":5},\"algebraic_type\":{\"U8\":[]}}]}}",
                "$.Product.elements[0].name.some", "expected a string");
        assertTypeError("{\"Product\":{\"elements\":[{\"name\":{\"maybe\":\"x\"},\"algebraic_type\":{\"U8\":[]}}]}}",
                "$.Product.elements[0].name", "found variant 'maybe'");
        assertTypeError("{\"Product\":{\"elements\":[{\"name\":{\"none\":[1]},\"algebraic_type\":{\"U8\":[]}}]}}",
                "$.Product.elements[0].name.none", "expected the unit value []");
        assertTypeError("{\"Sum\":{\"variants\":[{\"name\":{\"none\":[]}}]}}",
                "$.Sum.variants[0].algebraic_type", "missing field 'algebraic_type'");
        assertTypeError("{\"Sum\":{}}", "$.Sum.variants", "missing field 'variants'");
        assertTypeError("null", "$", "expected a sum value");
        StringBuilder many = new StringBuilder("{\"Sum\":{\"variants\":[");
        for (int i = 0; i < 257; i++) {
            many.append(i == 0 ? "" : ",").append("{\"name\":{\"none\":[]},\"algebraic_type\":{\"U8\":[]}}");
        }
        assertTypeError(many.append("]}}").toString(), "$.Sum.variants", "at most 256 variants, found 257");
    }

    private static void assertTypeError(String json, String path, String problem) {
        SchemaException e = assertThrows(SchemaException.class, () -> SchemaParser.parseType(Json.parse(json)));
        assertTrue(e.getMessage().startsWith("invalid schema at " + path + ": "),
                () -> "expected path " + path + " in: " + e.getMessage());
        assertTrue(e.getMessage().contains(problem), () -> "expected '" + problem + "' in: " + e.getMessage());
    }
}
