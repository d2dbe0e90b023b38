package dev.stdb.secure.protocol.schema;

import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.STRING;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U32;
import static dev.stdb.secure.protocol.schema.AlgebraicType.Primitive.U8;
import static dev.stdb.secure.protocol.schema.AlgebraicType.array;
import static dev.stdb.secure.protocol.schema.AlgebraicType.element;
import static dev.stdb.secure.protocol.schema.AlgebraicType.option;
import static dev.stdb.secure.protocol.schema.AlgebraicType.product;
import static dev.stdb.secure.protocol.schema.AlgebraicType.sum;
import static dev.stdb.secure.protocol.schema.AlgebraicType.variant;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.V10;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.V9;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.l;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.m;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.resource;
import static dev.stdb.secure.protocol.schema.SchemaFixtures.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.protocol.internal.json.Json;
import dev.stdb.secure.protocol.internal.json.JsonWriter;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

class SchemaWriterTest {

    private static String onlyKey(Object node) {
        return m(node).keySet().iterator().next();
    }

    // ------------------------------------------------------------------ fixtures

    @Test
    void v9FixtureRoundTrips() {
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        assertEquals(schema, SchemaParser.parse(SchemaWriter.writeV9(schema)));
        assertEquals(schema, SchemaParser.parse(SchemaWriter.write(schema, 9)));
    }

    @Test
    void v10FixtureRoundTripsWithEventTablesAndErrorTypes() {
        ModuleSchema schema = SchemaParser.parse(resource(V10));
        ModuleSchema back = SchemaParser.parse(SchemaWriter.writeV10(schema));
        assertEquals(schema, back);
        assertEquals(schema, SchemaParser.parse(SchemaWriter.write(schema, 10)));
        assertTrue(back.requireTable("typing_event").event());
        assertEquals(STRING, back.requireReducer("send_message").errReturnType());
        assertEquals(AlgebraicType.Product.UNIT, back.requireReducer("send_message").okReturnType());
        assertEquals(false, back.requireReducer("cleanup").clientCallable());
        assertEquals(Lifecycle.ON_CONNECT, back.requireReducer("identity_connected").lifecycle());
    }

    /** The V9 fixture without what a ModuleSchema does not carry is exactly what the writer emits, key order too. */
    @Test
    void v9OutputIsTheFixtureLessWhatTheModelDoesNotCarry() {
        Object expected = tree(V9);
        Map<String, Object> root = m(expected);
        root.put("types", new ArrayList<>());
        root.put("row_level_security", new ArrayList<>());
        l(root.get("misc_exports")).removeIf(e -> !onlyKey(e).equals("Procedure"));
        for (Object t : l(root.get("tables"))) {
            m(t).put("sequences", new ArrayList<>());
            m(t).put("schedule", Map.of("none", List.of()));
        }
        ModuleSchema schema = SchemaParser.parse(resource(V9));
        assertEquals(JsonWriter.write(expected), SchemaWriter.writeV9(schema));
    }

    /**
     * The V10 fixture without what a ModuleSchema does not carry (type names, views, schedules, row-level security,
     * sequences, column defaults, accessor-style source names) is exactly what the writer emits.
     */
    @Test
    void v10OutputIsTheFixtureLessWhatTheModelDoesNotCarry() {
        Object expected = tree(V10);
        List<Object> sections = l(m(expected).get("sections"));
        sections.removeIf(s -> Set.of("Types", "Views", "Schedules", "RowLevelSecurity").contains(onlyKey(s)));
        Map<String, String> canonical = new HashMap<>();
        for (Object s : sections) {
            if (onlyKey(s).equals("ExplicitNames")) {
                List<Object> entries = l(m(m(s).get("ExplicitNames")).get("entries"));
                entries.removeIf(e -> m(m(e).get(onlyKey(e))).get("source_name").equals("my_user")); // a view
                for (Object e : entries) {
                    Map<String, Object> mapping = m(m(e).get(onlyKey(e)));
                    canonical.put((String) mapping.get("source_name"), (String) mapping.get("canonical_name"));
                    mapping.put("source_name", mapping.get("canonical_name"));
                }
            }
        }
        for (Object s : sections) {
            String kind = onlyKey(s);
            if (Set.of("Tables", "Reducers", "Procedures").contains(kind)) {
                for (Object def : l(m(s).get(kind))) {
                    m(def).put("source_name", canonical.get((String) m(def).get("source_name")));
                    if (kind.equals("Tables")) {
                        m(def).put("sequences", new ArrayList<>());
                        m(def).put("default_values", new ArrayList<>());
                    }
                }
            }
        }
        ModuleSchema schema = SchemaParser.parse(resource(V10));
        assertEquals(JsonWriter.write(expected), SchemaWriter.writeV10(schema));
    }

    @Test
    void crossVersionRewrites() {
        ModuleSchema v9 = SchemaParser.parse(resource(V9));
        List<ReducerDef> withDefaults = new ArrayList<>();
        for (ReducerDef r : v9.reducers()) {
            withDefaults.add(new ReducerDef(r.name(), r.params(), r.lifecycle(), r.clientCallable(),
                    AlgebraicType.Product.UNIT, STRING));
        }
        assertEquals(new ModuleSchema(v9.typespace(), v9.tables(), withDefaults, v9.procedures()),
                SchemaParser.parse(SchemaWriter.writeV10(v9)), "V9 -> V10 gets the server's default return types");

        ModuleSchema v10 = SchemaParser.parse(resource(V10));
        ModuleSchema down = SchemaParser.parse(SchemaWriter.writeV9(v10));
        assertEquals(v10.typespace(), down.typespace());
        assertEquals(v10.procedures(), down.procedures());
        assertEquals(false, down.requireTable("typing_event").event(), "V9 has no event tables");
        assertEquals(true, down.requireReducer("cleanup").clientCallable(), "V9 has no private reducers");
    }

    @Test
    void writeRejectsOtherVersions() {
        ModuleSchema empty = new ModuleSchema(Typespace.EMPTY, List.of(), List.of(), List.of());
        assertThrows(IllegalArgumentException.class, () -> SchemaWriter.write(empty, 8));
        assertEquals("{\"typespace\":{\"types\":[]},\"tables\":[],\"reducers\":[],\"types\":[],\"misc_exports\":[],"
                + "\"row_level_security\":[]}", SchemaWriter.writeV9(empty));
        assertEquals("{\"sections\":[{\"Typespace\":{\"types\":[]}},{\"ExplicitNames\":{\"entries\":[]}}]}",
                SchemaWriter.writeV10(empty));
        assertEquals(empty, SchemaParser.parse(SchemaWriter.writeV9(empty)));
        assertEquals(empty, SchemaParser.parse(SchemaWriter.writeV10(empty)));
    }

    // ------------------------------------------------------------------ tables

    @Test
    void primaryKeysGetTheServersIndexAndConstraint() {
        Typespace ts = new Typespace(List.of(product(element("a", U32), element(null, STRING), element("c", U8))));
        ModuleSchema schema = new ModuleSchema(ts, List.of(new TableDef("t", 0, List.of(0, 1), false, false),
                new TableDef("plain", 0, List.of(), true, true)), List.of(), List.of());
        Map<String, Object> t = m(l(m(Json.parse(SchemaWriter.writeV9(schema))).get("tables")).get(0));
        assertEquals("{\"name\":{\"some\":\"t_a_col1_idx_btree\"},\"accessor_name\":{\"some\":\"a_col1\"},"
                + "\"algorithm\":{\"BTree\":[0,1]}}", JsonWriter.write(l(t.get("indexes")).get(0)));
        assertEquals("{\"name\":{\"some\":\"t_a_col1_key\"},\"data\":{\"Unique\":{\"columns\":[0,1]}}}",
                JsonWriter.write(l(t.get("constraints")).get(0)));
        assertEquals("{\"Private\":[]}", JsonWriter.write(t.get("table_access")));
        Map<String, Object> plain = m(l(m(Json.parse(SchemaWriter.writeV9(schema))).get("tables")).get(1));
        assertEquals(List.of(), plain.get("indexes"));
        assertEquals(List.of(), plain.get("constraints"));

        Map<String, Object> t10 = m(l(m(l(m(Json.parse(SchemaWriter.writeV10(schema))).get("sections")).get(1))
                .get("Tables")).get(0));
        assertEquals("{\"source_name\":{\"some\":\"t_a_col1_idx_btree\"},\"accessor_name\":{\"some\":\"a_col1\"},"
                + "\"algorithm\":{\"BTree\":[0,1]}}", JsonWriter.write(l(t10.get("indexes")).get(0)));
        assertEquals(schema, SchemaParser.parse(SchemaWriter.writeV10(schema)));
    }

    // ------------------------------------------------------------------ types

    @Test
    void typesAreWrittenAsSatsJson() {
        assertEquals("{\"U32\":[]}", SchemaWriter.writeType(U32));
        assertEquals("{\"Bool\":[]}", SchemaWriter.writeType(AlgebraicType.Primitive.BOOL));
        assertEquals("{\"String\":[]}", SchemaWriter.writeType(STRING));
        assertEquals("{\"Ref\":3}", SchemaWriter.writeType(new AlgebraicType.Ref(3)));
        assertEquals("{\"Array\":{\"U8\":[]}}", SchemaWriter.writeType(array(U8)));
        assertEquals("{\"Sum\":{\"variants\":[{\"name\":{\"some\":\"some\"},\"algebraic_type\":{\"String\":[]}},"
                + "{\"name\":{\"some\":\"none\"},\"algebraic_type\":{\"Product\":{\"elements\":[]}}}]}}",
                SchemaWriter.writeType(option(STRING)));
        assertEquals("{\"Product\":{\"elements\":[{\"name\":{\"some\":\"id\"},\"algebraic_type\":{\"U32\":[]}},"
                + "{\"name\":{\"none\":[]},\"algebraic_type\":{\"Ref\":0}}]}}",
                SchemaWriter.writeType(product(element("id", U32), element(null, new AlgebraicType.Ref(0)))));
        assertEquals("{\"Sum\":{\"variants\":[]}}", SchemaWriter.writeType(new AlgebraicType.Sum(List.of())));
        assertEquals("{\"elements\":[{\"name\":{\"some\":\"x\"},\"algebraic_type\":{\"F64\":[]}}]}",
                SchemaWriter.writeProductType(product(element("x", AlgebraicType.Primitive.F64))));
        assertEquals("{\"elements\":[]}", SchemaWriter.writeProductType(AlgebraicType.Product.UNIT));

        for (AlgebraicType.Primitive p : AlgebraicType.Primitive.values()) {
            assertEquals(p, SchemaParser.parseType(Json.parse(SchemaWriter.writeType(p))));
            String name = p == AlgebraicType.Primitive.BOOL ? "Bool" : p == STRING ? "String" : p.name();
            assertEquals("{\"" + name + "\":[]}", SchemaWriter.writeType(p));
        }
        AlgebraicType nested = sum(variant("a", array(option(product(element(null, AlgebraicType.identity()))))),
                variant(null, AlgebraicType.result(AlgebraicType.timestamp(), new AlgebraicType.Ref(7))));
        assertEquals(nested, SchemaParser.parseType(Json.parse(SchemaWriter.writeType(nested))));
    }

    // ------------------------------------------------------------------ random schemas

    @Test
    void randomSchemasRoundTripThroughBothVersions() {
        Random r = new Random(42);
        for (int i = 0; i < 400; i++) {
            ModuleSchema v10 = randomSchema(r, true);
            assertEquals(v10, SchemaParser.parse(SchemaWriter.writeV10(v10)), () -> SchemaWriter.writeV10(v10));
            ModuleSchema v9 = randomSchema(r, false);
            assertEquals(v9, SchemaParser.parse(SchemaWriter.writeV9(v9)), () -> SchemaWriter.writeV9(v9));
        }
    }

    /** A schema the given version can express (V9: no events, no private reducers, no return types). */
    private static ModuleSchema randomSchema(Random r, boolean v10) {
        int n = 1 + r.nextInt(6);
        List<AlgebraicType> types = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            // Never a bare reference at the top: a cycle of bare references is not a type.
            types.add(r.nextInt(3) == 0 ? randomSum(r, n, 1) : randomProduct(r, n, 1));
        }
        Typespace ts = new Typespace(types);
        List<TableDef> tables = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (types.get(i) instanceof AlgebraicType.Product p && r.nextBoolean()) {
                List<Integer> pk = new ArrayList<>();
                if (!p.elements().isEmpty() && r.nextBoolean()) {
                    pk.add(r.nextInt(p.elements().size()));
                }
                tables.add(new TableDef("table_" + tables.size(), i, pk, v10 && r.nextBoolean(), r.nextBoolean()));
            }
        }
        List<ReducerDef> reducers = new ArrayList<>();
        List<Lifecycle> lifecycles = new ArrayList<>(List.of(Lifecycle.values()));
        for (int i = r.nextInt(5); i > 0; i--) {
            Lifecycle lifecycle = !lifecycles.isEmpty() && r.nextInt(3) == 0
                    ? lifecycles.remove(r.nextInt(lifecycles.size())) : null;
            boolean callable = lifecycle == null && (!v10 || r.nextBoolean());
            reducers.add(new ReducerDef("reducer_" + reducers.size(), randomProduct(r, n, 1), lifecycle, callable,
                    v10 ? randomType(r, n, 2) : null, v10 ? randomType(r, n, 2) : null));
        }
        List<ProcedureDef> procedures = new ArrayList<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            procedures.add(new ProcedureDef("proc_" + procedures.size(), randomProduct(r, n, 1), randomType(r, n, 1)));
        }
        return new ModuleSchema(ts, tables, reducers, procedures);
    }

    private static AlgebraicType randomType(Random r, int refs, int depth) {
        switch (depth >= 3 ? r.nextInt(2) : r.nextInt(7)) {
            case 0:
                return AlgebraicType.Primitive.values()[r.nextInt(AlgebraicType.Primitive.values().length)];
            case 1:
                return new AlgebraicType.Ref(r.nextInt(refs));
            case 2:
                return array(randomType(r, refs, depth + 1));
            case 3:
                return randomProduct(r, refs, depth + 1);
            case 4:
                return randomSum(r, refs, depth + 1);
            case 5:
                return option(randomType(r, refs, depth + 1));
            default:
                return AlgebraicType.identity();
        }
    }

    private static AlgebraicType.Product randomProduct(Random r, int refs, int depth) {
        List<AlgebraicType.Element> elements = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            elements.add(element(r.nextInt(4) == 0 ? null : "f" + elements.size() + "\"\\\u00e9",
                    randomType(r, refs, depth)));
        }
        return new AlgebraicType.Product(elements);
    }

    private static AlgebraicType.Sum randomSum(Random r, int refs, int depth) {
        List<AlgebraicType.Variant> variants = new ArrayList<>();
        for (int i = r.nextInt(4); i > 0; i--) {
            variants.add(variant(r.nextInt(4) == 0 ? null : "v" + variants.size(),
                    r.nextBoolean() ? AlgebraicType.Product.UNIT : randomType(r, refs, depth)));
        }
        return new AlgebraicType.Sum(variants);
    }
}
