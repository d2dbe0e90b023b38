package dev.stdb.secure.protocol.schema;

import dev.stdb.secure.protocol.internal.json.JsonWriter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes a {@link ModuleSchema} as the SATS-JSON module definition that {@code GET /v1/database/:db/schema?version=9|10}
 * returns (PROTOCOL.md §6), in the shape the server emits ({@code From<ModuleDef> for RawModuleDefV9/V10},
 * {@code crates/schema/src/def.rs}, SpacetimeDB 2.8.3) and {@link SchemaParser} reads: compact JSON, fields in BSATN
 * order, options as {@code {"some": x}} / {@code {"none": []}}, unit variants as {@code {"Name": []}}.
 *
 * <p>A {@code ModuleSchema} carries less than a module definition, so the rest is derived or left empty:
 * <ul>
 *   <li>a table with a primary key gets a btree index and a unique constraint on it, named as the server names them
 *       ({@code <table>_<cols>_idx_btree}, accessor {@code <cols>}, and {@code <table>_<cols>_key}); no sequences, no
 *       schedule, no column defaults; {@code table_type} is {@code User};</li>
 *   <li>no type names ({@code types: []}), no views, no row-level security;</li>
 *   <li>V9: procedures are {@code misc_exports} entries {@code {"Procedure": ...}}; V9 cannot express event tables,
 *       private non-lifecycle reducers or reducer return types, so those are lost;</li>
 *   <li>V10: definitions are written with {@code source_name} = the wire name and an {@code ExplicitNames} entry
 *       mapping it to itself (the server always emits that section); as the server, sections with nothing in them are
 *       left out, except {@code Typespace} and {@code ExplicitNames}. A reducer whose return types are unknown (null,
 *       as read from V9) gets the server's defaults: {@code ok_return_type} unit and {@code err_return_type} string.
 *       Procedures are written {@code ClientCallable}.</li>
 * </ul>
 * {@code SchemaParser.parse(writeV10(s))} equals {@code s} whenever every reducer has return types and no lifecycle
 * reducer is marked client-callable; {@code SchemaParser.parse(writeV9(s))} equals {@code s} for every schema V9 can
 * express.
 */
public final class SchemaWriter {

    private SchemaWriter() {
    }

    /** The schema as {@code RawModuleDefV9} SATS-JSON. */
    public static String writeV9(ModuleSchema schema) {
        return JsonWriter.write(v9(schema));
    }

    /** The schema as {@code RawModuleDefV10} SATS-JSON. */
    public static String writeV10(ModuleSchema schema) {
        return JsonWriter.write(v10(schema));
    }

    /**
     * The schema as the schema endpoint's {@code version} parameter asks for it.
     *
     * @param version 9 or 10
     * @throws IllegalArgumentException for any other version
     */
    public static String write(ModuleSchema schema, int version) {
        return switch (version) {
            case 9 -> writeV9(schema);
            case 10 -> writeV10(schema);
            default -> throw new IllegalArgumentException("schema version must be 9 or 10, was " + version);
        };
    }

    /**
     * One {@code AlgebraicType} as SATS-JSON, e.g. {@code {"U32":[]}}, {@code {"Ref":3}},
     * {@code {"Array":{"String":[]}}}.
     */
    public static String writeType(AlgebraicType type) {
        return JsonWriter.write(type(type));
    }

    /**
     * A {@code ProductType} as SATS-JSON, {@code {"elements":[{"name":{"some":"id"},"algebraic_type":{"U32":[]}}]}}:
     * the form of reducer {@code params} and of the {@code schema} of a SQL statement result.
     */
    public static String writeProductType(AlgebraicType.Product product) {
        return JsonWriter.write(productType(product));
    }

    // ------------------------------------------------------------------ V9

    private static Map<String, Object> v9(ModuleSchema schema) {
        Objects.requireNonNull(schema, "schema");
        List<Object> tables = new ArrayList<>();
        for (TableDef t : schema.tables()) {
            List<String> columns = columnNames(schema, t);
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("name", t.name());
            table.put("product_type_ref", t.productTypeRef());
            table.put("primary_key", new ArrayList<Object>(t.primaryKey()));
            table.put("indexes", indexes(t, columns, "name"));
            table.put("constraints", constraints(t, columns, "name"));
            table.put("sequences", List.of());
            table.put("schedule", none());
            table.put("table_type", unitVariant("User"));
            table.put("table_access", unitVariant(t.isPublic() ? "Public" : "Private"));
            tables.add(table);
        }
        List<Object> reducers = new ArrayList<>();
        for (ReducerDef r : schema.reducers()) {
            reducers.add(object("name", r.name(), "params", productType(r.params()),
                    "lifecycle", r.lifecycle() == null ? none() : some(unitVariant(r.lifecycle().wireName()))));
        }
        List<Object> misc = new ArrayList<>();
        for (ProcedureDef p : schema.procedures()) {
            misc.add(object("Procedure", object("name", p.name(), "params", productType(p.params()),
                    "return_type", type(p.returnType()))));
        }
        return object("typespace", typespace(schema.typespace()), "tables", tables, "reducers", reducers,
                "types", List.of(), "misc_exports", misc, "row_level_security", List.of());
    }

    // ------------------------------------------------------------------ V10

    private static Map<String, Object> v10(ModuleSchema schema) {
        Objects.requireNonNull(schema, "schema");
        List<Object> sections = new ArrayList<>();
        List<Object> names = new ArrayList<>();
        sections.add(object("Typespace", typespace(schema.typespace())));

        List<Object> tables = new ArrayList<>();
        for (TableDef t : schema.tables()) {
            List<String> columns = columnNames(schema, t);
            Map<String, Object> table = new LinkedHashMap<>();
            table.put("source_name", t.name());
            table.put("product_type_ref", t.productTypeRef());
            table.put("primary_key", new ArrayList<Object>(t.primaryKey()));
            table.put("indexes", indexes(t, columns, "source_name"));
            table.put("constraints", constraints(t, columns, "source_name"));
            table.put("sequences", List.of());
            table.put("table_type", unitVariant("User"));
            table.put("table_access", unitVariant(t.isPublic() ? "Public" : "Private"));
            table.put("default_values", List.of());
            table.put("is_event", t.event());
            tables.add(table);
            names.add(object("Table", object("source_name", t.name(), "canonical_name", t.name())));
        }
        if (!tables.isEmpty()) {
            sections.add(object("Tables", tables));
        }

        List<Object> reducers = new ArrayList<>();
        List<Object> lifecycles = new ArrayList<>();
        for (ReducerDef r : schema.reducers()) {
            boolean callable = r.clientCallable() && r.lifecycle() == null;
            reducers.add(object("source_name", r.name(), "params", productType(r.params()),
                    "visibility", unitVariant(callable ? "ClientCallable" : "Private"),
                    "ok_return_type", type(r.okReturnType() != null ? r.okReturnType() : AlgebraicType.Product.UNIT),
                    "err_return_type", type(r.errReturnType() != null
                            ? r.errReturnType() : AlgebraicType.Primitive.STRING)));
            names.add(object("Function", object("source_name", r.name(), "canonical_name", r.name())));
            if (r.lifecycle() != null) {
                lifecycles.add(object("lifecycle_spec", unitVariant(r.lifecycle().wireName()),
                        "function_name", r.name()));
            }
        }
        if (!reducers.isEmpty()) {
            sections.add(object("Reducers", reducers));
        }

        List<Object> procedures = new ArrayList<>();
        for (ProcedureDef p : schema.procedures()) {
            procedures.add(object("source_name", p.name(), "params", productType(p.params()),
                    "return_type", type(p.returnType()), "visibility", unitVariant("ClientCallable")));
            names.add(object("Function", object("source_name", p.name(), "canonical_name", p.name())));
        }
        if (!procedures.isEmpty()) {
            sections.add(object("Procedures", procedures));
        }
        if (!lifecycles.isEmpty()) {
            sections.add(object("LifeCycleReducers", lifecycles));
        }
        sections.add(object("ExplicitNames", object("entries", names)));
        return object("sections", sections);
    }

    // ------------------------------------------------------------------ tables

    /** Column names of the table's row type; {@code col<i>} for unnamed or unresolvable columns. */
    private static List<String> columnNames(ModuleSchema schema, TableDef t) {
        List<String> names = new ArrayList<>();
        AlgebraicType.Product row = null;
        try {
            row = schema.rowType(t);
        } catch (SchemaException e) {
            // written as is; the primary key then names columns by number
        }
        int n = row == null ? 0 : row.elements().size();
        for (int col : t.primaryKey()) {
            n = Math.max(n, col + 1);
        }
        for (int i = 0; i < n; i++) {
            String name = row != null && i < row.elements().size() ? row.elements().get(i).name() : null;
            names.add(name != null ? name : "col" + i);
        }
        return names;
    }

    private static String keyColumns(TableDef t, List<String> columns) {
        StringBuilder b = new StringBuilder();
        for (int col : t.primaryKey()) {
            if (b.length() > 0) {
                b.append('_');
            }
            b.append(columns.get(col));
        }
        return b.toString();
    }

    /** A btree index on the primary key, as the server names it; {@code nameField} is name (V9) or source_name (V10). */
    private static List<Object> indexes(TableDef t, List<String> columns, String nameField) {
        if (!t.hasPrimaryKey()) {
            return List.of();
        }
        String cols = keyColumns(t, columns);
        return List.of(object(nameField, some(t.name() + "_" + cols + "_idx_btree"), "accessor_name", some(cols),
                "algorithm", object("BTree", new ArrayList<Object>(t.primaryKey()))));
    }

    /** A unique constraint on the primary key, as the server names it. */
    private static List<Object> constraints(TableDef t, List<String> columns, String nameField) {
        if (!t.hasPrimaryKey()) {
            return List.of();
        }
        return List.of(object(nameField, some(t.name() + "_" + keyColumns(t, columns) + "_key"),
                "data", object("Unique", object("columns", new ArrayList<Object>(t.primaryKey())))));
    }

    // ------------------------------------------------------------------ types

    private static Map<String, Object> typespace(Typespace typespace) {
        List<Object> types = new ArrayList<>();
        for (AlgebraicType t : typespace.types()) {
            types.add(type(t));
        }
        return object("types", types);
    }

    static Object type(AlgebraicType type) {
        Objects.requireNonNull(type, "type");
        if (type instanceof AlgebraicType.Ref ref) {
            return object("Ref", ref.index());
        }
        if (type instanceof AlgebraicType.Product p) {
            return object("Product", productType(p));
        }
        if (type instanceof AlgebraicType.Sum s) {
            List<Object> variants = new ArrayList<>();
            for (AlgebraicType.Variant v : s.variants()) {
                variants.add(object("name", optionalName(v.name()), "algebraic_type", type(v.type())));
            }
            return object("Sum", object("variants", variants));
        }
        if (type instanceof AlgebraicType.Array a) {
            return object("Array", type(a.element()));
        }
        AlgebraicType.Primitive p = (AlgebraicType.Primitive) type;
        String name = switch (p) {
            case BOOL -> "Bool";
            case STRING -> "String";
            default -> p.name(); // I8 ... U256, F32, F64
        };
        return unitVariant(name);
    }

    private static Map<String, Object> productType(AlgebraicType.Product p) {
        List<Object> elements = new ArrayList<>();
        for (AlgebraicType.Element e : p.elements()) {
            elements.add(object("name", optionalName(e.name()), "algebraic_type", type(e.type())));
        }
        return object("elements", elements);
    }

    // ------------------------------------------------------------------ SATS-JSON shapes

    private static Object optionalName(String name) {
        return name == null ? none() : some(name);
    }

    private static Map<String, Object> some(Object value) {
        return object("some", value);
    }

    private static Map<String, Object> none() {
        return unitVariant("none");
    }

    /** A sum value whose payload is unit: {@code {"Name": []}}. */
    private static Map<String, Object> unitVariant(String name) {
        return object(name, List.of());
    }

    /** An ordered object from key/value pairs. */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }
}
