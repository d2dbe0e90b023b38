package dev.stdb.secure.protocol.schema;

import static dev.stdb.secure.protocol.schema.SatsJson.array;
import static dev.stdb.secure.protocol.schema.SatsJson.bool;
import static dev.stdb.secure.protocol.schema.SatsJson.child;
import static dev.stdb.secure.protocol.schema.SatsJson.fail;
import static dev.stdb.secure.protocol.schema.SatsJson.field;
import static dev.stdb.secure.protocol.schema.SatsJson.index;
import static dev.stdb.secure.protocol.schema.SatsJson.object;
import static dev.stdb.secure.protocol.schema.SatsJson.option;
import static dev.stdb.secure.protocol.schema.SatsJson.string;
import static dev.stdb.secure.protocol.schema.SatsJson.u16;
import static dev.stdb.secure.protocol.schema.SatsJson.u32Index;
import static dev.stdb.secure.protocol.schema.SatsJson.unit;
import static dev.stdb.secure.protocol.schema.SatsJson.variant;

import dev.stdb.secure.protocol.internal.json.Json;
import dev.stdb.secure.protocol.internal.json.JsonException;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads the module schema served by {@code GET /v1/database/:db/schema?version=9|10} (PROTOCOL.md §6): SATS-JSON of
 * {@code RawModuleDefV9} or {@code RawModuleDefV10}, as emitted by the server's {@code From<ModuleDef>} conversions
 * ({@code crates/schema/src/def.rs}).
 *
 * <h2>What is read</h2>
 * Only what a dynamic client needs: the typespace, tables (name, row type, primary key, access, event flag), reducers
 * (name, params, lifecycle, visibility, return types) and procedures. Everything else (indexes, constraints, sequences,
 * schedules, views, type names, row-level security, HTTP handlers, ...) is skipped, and so are fields this reader does
 * not know, which keeps it forward compatible. The fields it does read are checked strictly: every malformed schema
 * gives a {@link SchemaException} naming the JSON path, e.g. {@code tables[2].product_type_ref}.
 *
 * <h2>V9</h2>
 * A top-level object with {@code typespace}; {@code tables[].name} and {@code reducers[].name} are the wire names.
 * Procedures come from {@code misc_exports[]} entries {@code {"Procedure": {...}}} ({@code misc_exports} may be
 * absent). V9 has no event tables ({@code event = false}) and no reducer return types (null). A reducer is
 * client-callable unless it has a {@code lifecycle}.
 *
 * <h2>V10</h2>
 * A top-level object with {@code sections}, each section a sum value {@code {"<Kind>": payload}}; unknown kinds are
 * ignored (forward compatible); a kind this reader uses may appear at most once. Names: V10 definitions carry a
 * {@code source_name} (the module's accessor name) and the wire (canonical) name comes from the
 * {@code ExplicitNames} section ({@code {"entries": [{"Table"|"Function": {"source_name", "canonical_name"}}]}}).
 * The server always emits {@code ExplicitNames} with one entry for every table, reducer, procedure and view
 * ({@code From<ModuleDef> for RawModuleDefV10}, SpacetimeDB 2.8.3), so for server output the name is exact. When a
 * definition has no entry, this reader uses {@code source_name} verbatim; it does <b>not</b> replay the server's
 * {@code CaseConversionPolicy} (default {@code SnakeCase}, i.e. the Rust {@code convert_case} crate) — that only
 * matters for a raw, module-produced definition, never for what the schema endpoint returns. A reducer is
 * client-callable when {@code visibility} is {@code ClientCallable} and no {@code LifeCycleReducers} entry names it
 * (by canonical or by source name: the server emits the canonical name there). {@code Submodules} are not read:
 * each carries its own typespace, which {@link ModuleSchema} cannot represent.
 */
public final class SchemaParser {

    /** The V10 section kinds this reader uses; each may appear once. */
    private static final Set<String> V10_USED_SECTIONS = Set.of(
            "Typespace", "Tables", "Reducers", "Procedures", "LifeCycleReducers", "ExplicitNames",
            "CaseConversionPolicy");

    private SchemaParser() {
    }

    /**
     * Parses a V9 or V10 schema; the version is detected from the top-level key ({@code typespace} for V9,
     * {@code sections} for V10).
     *
     * @throws SchemaException when the text is not JSON, exceeds the JSON parser's default limits, or is not a
     *                         well-formed module schema
     */
    public static ModuleSchema parse(String json) {
        Objects.requireNonNull(json, "json");
        Object root;
        try {
            root = Json.parse(json);
        } catch (JsonException e) {
            throw new SchemaException("module schema is not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(root);
    }

    /**
     * Reads at most {@code maxBytes} bytes of UTF-8 from {@code in} (to its end; the stream is not closed) and parses
     * them as {@link #parse(String)} does.
     *
     * @throws SchemaException              as {@link #parse(String)}, and when the input is larger than
     *                                      {@code maxBytes} or not UTF-8
     * @throws java.io.UncheckedIOException when reading fails
     */
    public static ModuleSchema parse(InputStream in, int maxBytes) {
        Objects.requireNonNull(in, "in");
        Object root;
        try {
            root = Json.parse(in, maxBytes);
        } catch (JsonException e) {
            throw new SchemaException("module schema is not valid JSON: " + e.getMessage(), e);
        }
        return fromJson(root);
    }

    /**
     * Reads one SATS-JSON {@code AlgebraicType} from a parsed JSON tree (maps, lists, strings, numbers as produced by
     * the JSON parser; {@link Integer}/{@link Long} are accepted for numbers too), e.g.
     * {@code {"Product":{"elements":[{"name":{"some":"id"},"algebraic_type":{"U32":[]}}]}}}, {@code {"Ref":3}},
     * {@code {"Array":{"String":[]}}}, {@code {"Bool":[]}}. References are not range-checked (there is no typespace).
     *
     * @throws SchemaException naming the path (rooted at {@code $}) of the first problem
     */
    public static AlgebraicType parseType(Object jsonNode) {
        return new SatsJson.TypeReader(-1).type(jsonNode, "$");
    }

    /** Builds a schema from an already parsed JSON tree. */
    static ModuleSchema fromJson(Object rootNode) {
        Map<String, Object> root = object(rootNode, "");
        boolean v9 = root.containsKey("typespace");
        boolean v10 = root.containsKey("sections");
        if (v9 && v10) {
            throw fail("", "has both 'typespace' (RawModuleDefV9) and 'sections' (RawModuleDefV10); "
                    + "cannot tell the schema version");
        }
        if (v9) {
            return parseV9(root);
        }
        if (v10) {
            return parseV10(root);
        }
        throw fail("", "expected a module schema with 'typespace' (RawModuleDefV9) or 'sections' "
                + "(RawModuleDefV10) but found keys " + root.keySet());
    }

    // ------------------------------------------------------------------ V9

    private static ModuleSchema parseV9(Map<String, Object> root) {
        Typespace typespace = typespace(field(root, "typespace", ""), "typespace");
        SatsJson.TypeReader types = new SatsJson.TypeReader(typespace.types().size());

        List<TableDef> tables = new ArrayList<>();
        List<Object> rawTables = array(field(root, "tables", ""), "tables");
        for (int i = 0; i < rawTables.size(); i++) {
            String p = index("tables", i);
            Map<String, Object> t = object(rawTables.get(i), p);
            String name = string(field(t, "name", p), child(p, "name"));
            tables.add(table(typespace, t, p, name, false));
        }
        checkUnique(tables, TableDef::name, "tables", "table");

        List<ReducerDef> reducers = new ArrayList<>();
        List<Object> rawReducers = array(field(root, "reducers", ""), "reducers");
        for (int i = 0; i < rawReducers.size(); i++) {
            String p = index("reducers", i);
            Map<String, Object> r = object(rawReducers.get(i), p);
            String name = string(field(r, "name", p), child(p, "name"));
            AlgebraicType.Product params = types.productType(field(r, "params", p), child(p, "params"));
            String lp = child(p, "lifecycle");
            Object some = option(field(r, "lifecycle", p), lp);
            Lifecycle lifecycle = some == null ? null : lifecycle(some, child(lp, "some"));
            reducers.add(new ReducerDef(name, params, lifecycle, lifecycle == null, null, null));
        }
        checkUnique(reducers, ReducerDef::name, "reducers", "reducer");

        List<ProcedureDef> procedures = new ArrayList<>();
        Object misc = root.get("misc_exports");
        if (misc != null) {
            List<Object> exports = array(misc, "misc_exports");
            for (int i = 0; i < exports.size(); i++) {
                String p = index("misc_exports", i);
                Map.Entry<String, Object> export = variant(exports.get(i), p);
                if (!export.getKey().equals("Procedure")) {
                    continue; // ColumnDefaultValue, View, and anything newer
                }
                String pp = child(p, "Procedure");
                Map<String, Object> proc = object(export.getValue(), pp);
                String name = string(field(proc, "name", pp), child(pp, "name"));
                for (ProcedureDef other : procedures) {
                    if (other.name().equals(name)) {
                        throw fail(p, "duplicate procedure name '" + name + "'");
                    }
                }
                procedures.add(procedure(types, proc, pp, name));
            }
        }
        return new ModuleSchema(typespace, tables, reducers, procedures);
    }

    // ------------------------------------------------------------------ V10

    private record LifecycleEntry(Lifecycle lifecycle, String functionName, String path) {
    }

    private static ModuleSchema parseV10(Map<String, Object> root) {
        List<Object> sections = array(field(root, "sections", ""), "sections");
        Map<String, Object> payloads = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        for (int i = 0; i < sections.size(); i++) {
            String p = index("sections", i);
            Map.Entry<String, Object> section = variant(sections.get(i), p);
            String kind = section.getKey();
            if (!V10_USED_SECTIONS.contains(kind)) {
                continue; // Types, Views, Schedules, RowLevelSecurity, HttpHandlers, ..., and future kinds
            }
            String previous = paths.putIfAbsent(kind, child(p, kind));
            if (previous != null) {
                throw fail(p, "duplicate " + kind + " section (the first is at " + previous + ")");
            }
            payloads.put(kind, section.getValue());
        }

        // The typespace first: sections may come in any order, and every other section refers to it.
        Typespace typespace = payloads.containsKey("Typespace")
                ? typespace(payloads.get("Typespace"), paths.get("Typespace"))
                : Typespace.EMPTY;
        SatsJson.TypeReader types = new SatsJson.TypeReader(typespace.types().size());

        Map<String, String> tableNames = new HashMap<>();
        Map<String, String> functionNames = new HashMap<>();
        if (payloads.containsKey("ExplicitNames")) {
            explicitNames(payloads.get("ExplicitNames"), paths.get("ExplicitNames"), tableNames, functionNames);
        }
        if (payloads.containsKey("CaseConversionPolicy")) {
            // Only validated: names come from ExplicitNames (see the class comment).
            variant(payloads.get("CaseConversionPolicy"), paths.get("CaseConversionPolicy"));
        }

        List<TableDef> tables = new ArrayList<>();
        if (payloads.containsKey("Tables")) {
            String sp = paths.get("Tables");
            List<Object> raw = array(payloads.get("Tables"), sp);
            for (int i = 0; i < raw.size(); i++) {
                String p = index(sp, i);
                Map<String, Object> t = object(raw.get(i), p);
                String source = string(field(t, "source_name", p), child(p, "source_name"));
                boolean event = bool(field(t, "is_event", p), child(p, "is_event"));
                tables.add(table(typespace, t, p, tableNames.getOrDefault(source, source), event));
            }
            checkUnique(tables, TableDef::name, sp, "table");
        }

        List<LifecycleEntry> lifecycles = new ArrayList<>();
        if (payloads.containsKey("LifeCycleReducers")) {
            String sp = paths.get("LifeCycleReducers");
            List<Object> raw = array(payloads.get("LifeCycleReducers"), sp);
            Map<Lifecycle, String> seen = new HashMap<>();
            for (int i = 0; i < raw.size(); i++) {
                String p = index(sp, i);
                Map<String, Object> l = object(raw.get(i), p);
                Lifecycle lifecycle = lifecycle(field(l, "lifecycle_spec", p), child(p, "lifecycle_spec"));
                String fp = child(p, "function_name");
                String function = string(field(l, "function_name", p), fp);
                String previous = seen.putIfAbsent(lifecycle, p);
                if (previous != null) {
                    throw fail(p, "a second " + lifecycle.wireName() + " reducer (the first is at " + previous + ")");
                }
                lifecycles.add(new LifecycleEntry(lifecycle, function, fp));
            }
        }

        List<ReducerDef> reducers = new ArrayList<>();
        if (payloads.containsKey("Reducers")) {
            String sp = paths.get("Reducers");
            List<Object> raw = array(payloads.get("Reducers"), sp);
            for (int i = 0; i < raw.size(); i++) {
                String p = index(sp, i);
                Map<String, Object> r = object(raw.get(i), p);
                String source = string(field(r, "source_name", p), child(p, "source_name"));
                String name = functionNames.getOrDefault(source, source);
                AlgebraicType.Product params = types.productType(field(r, "params", p), child(p, "params"));
                boolean callable = visibility(field(r, "visibility", p), child(p, "visibility"));
                AlgebraicType ok = types.type(field(r, "ok_return_type", p), child(p, "ok_return_type"));
                AlgebraicType err = types.type(field(r, "err_return_type", p), child(p, "err_return_type"));
                Lifecycle lifecycle = null;
                for (LifecycleEntry l : lifecycles) {
                    if (l.functionName().equals(name) || l.functionName().equals(source)) {
                        if (lifecycle != null) {
                            throw fail(l.path(), "reducer '" + name + "' is both the " + lifecycle.wireName()
                                    + " and the " + l.lifecycle().wireName() + " reducer");
                        }
                        lifecycle = l.lifecycle();
                    }
                }
                reducers.add(new ReducerDef(name, params, lifecycle, callable && lifecycle == null, ok, err));
            }
            checkUnique(reducers, ReducerDef::name, sp, "reducer");
        }
        for (LifecycleEntry l : lifecycles) {
            boolean found = false;
            for (ReducerDef r : reducers) {
                found |= r.lifecycle() == l.lifecycle();
            }
            if (!found) {
                throw fail(l.path(), "no reducer named '" + l.functionName() + "' for the " + l.lifecycle().wireName()
                        + " lifecycle");
            }
        }

        List<ProcedureDef> procedures = new ArrayList<>();
        if (payloads.containsKey("Procedures")) {
            String sp = paths.get("Procedures");
            List<Object> raw = array(payloads.get("Procedures"), sp);
            for (int i = 0; i < raw.size(); i++) {
                String p = index(sp, i);
                Map<String, Object> proc = object(raw.get(i), p);
                String source = string(field(proc, "source_name", p), child(p, "source_name"));
                // visibility is not part of ProcedureDef; private procedures are listed too.
                procedures.add(procedure(types, proc, p, functionNames.getOrDefault(source, source)));
            }
            checkUnique(procedures, ProcedureDef::name, sp, "procedure");
        }
        return new ModuleSchema(typespace, tables, reducers, procedures);
    }

    private static void explicitNames(Object node, String path, Map<String, String> tables,
                                      Map<String, String> functions) {
        Map<String, Object> obj = object(node, path);
        String ep = child(path, "entries");
        List<Object> entries = array(field(obj, "entries", path), ep);
        for (int i = 0; i < entries.size(); i++) {
            String p = index(ep, i);
            Map.Entry<String, Object> entry = variant(entries.get(i), p);
            Map<String, String> target = switch (entry.getKey()) {
                case "Table" -> tables;
                case "Function" -> functions;
                default -> null; // Index, and future kinds
            };
            if (target == null) {
                continue;
            }
            String mp = child(p, entry.getKey());
            Map<String, Object> mapping = object(entry.getValue(), mp);
            String source = string(field(mapping, "source_name", mp), child(mp, "source_name"));
            String canonical = string(field(mapping, "canonical_name", mp), child(mp, "canonical_name"));
            target.put(source, canonical); // as the server's ExplicitNamesLookup: a later entry wins
        }
    }

    private static boolean visibility(Object node, String path) {
        Map.Entry<String, Object> v = variant(node, path);
        boolean callable = switch (v.getKey()) {
            case "ClientCallable" -> true;
            case "Private" -> false;
            default -> throw fail(path, "unknown visibility '" + v.getKey() + "'; expected Private or ClientCallable");
        };
        unit(v.getValue(), child(path, v.getKey()));
        return callable;
    }

    // ------------------------------------------------------------------ shared

    private static Typespace typespace(Object node, String path) {
        Map<String, Object> obj = object(node, path);
        String tp = child(path, "types");
        List<Object> raw = array(field(obj, "types", path), tp);
        SatsJson.TypeReader reader = new SatsJson.TypeReader(raw.size());
        List<AlgebraicType> types = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            types.add(reader.type(raw.get(i), index(tp, i)));
        }
        Typespace typespace = new Typespace(types);
        for (int i = 0; i < types.size(); i++) {
            try {
                typespace.resolve(new AlgebraicType.Ref(i)); // only a cycle of bare references can fail here
            } catch (SchemaException e) {
                throw fail(index(tp, i), e.getMessage(), e);
            }
        }
        return typespace;
    }

    /** The fields V9 and V10 tables share: product_type_ref, primary_key, table_access. */
    private static TableDef table(Typespace typespace, Map<String, Object> t, String p, String name, boolean event) {
        String rp = child(p, "product_type_ref");
        int ref = u32Index(field(t, "product_type_ref", p), rp);
        if (ref >= typespace.types().size()) {
            throw fail(rp, "type reference " + ref + " is outside the typespace of " + typespace.types().size()
                    + " types");
        }
        AlgebraicType row = typespace.resolve(new AlgebraicType.Ref(ref));
        if (!(row instanceof AlgebraicType.Product product)) {
            throw fail(rp, "type " + ref + " is " + ModuleSchema.kind(row) + ", but a table's row type must be a "
                    + "product type");
        }
        String kp = child(p, "primary_key");
        List<Object> rawKey = array(field(t, "primary_key", p), kp);
        List<Integer> key = new ArrayList<>(rawKey.size());
        for (int i = 0; i < rawKey.size(); i++) {
            int col = u16(rawKey.get(i), index(kp, i));
            if (col >= product.elements().size()) {
                throw fail(index(kp, i), "column " + col + " does not exist; the row type has "
                        + product.elements().size() + " columns");
            }
            key.add(col);
        }
        String ap = child(p, "table_access");
        Map.Entry<String, Object> access = variant(field(t, "table_access", p), ap);
        boolean isPublic = switch (access.getKey()) {
            case "Public" -> true;
            case "Private" -> false;
            default -> throw fail(ap, "unknown table access '" + access.getKey() + "'; expected Public or Private");
        };
        unit(access.getValue(), child(ap, access.getKey()));
        return new TableDef(name, ref, key, event, isPublic);
    }

    private static ProcedureDef procedure(SatsJson.TypeReader types, Map<String, Object> proc, String p, String name) {
        AlgebraicType.Product params = types.productType(field(proc, "params", p), child(p, "params"));
        AlgebraicType returnType = types.type(field(proc, "return_type", p), child(p, "return_type"));
        return new ProcedureDef(name, params, returnType);
    }

    private static Lifecycle lifecycle(Object node, String path) {
        Map.Entry<String, Object> v = variant(node, path);
        Lifecycle lifecycle = Lifecycle.fromWireName(v.getKey());
        if (lifecycle == null) {
            throw fail(path, "unknown lifecycle '" + v.getKey() + "'; expected Init, OnConnect or OnDisconnect");
        }
        unit(v.getValue(), child(path, v.getKey()));
        return lifecycle;
    }

    private static <T> void checkUnique(List<T> items, java.util.function.Function<T, String> name, String path,
                                        String what) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String n = name.apply(items.get(i));
            if (!seen.add(n)) {
                throw fail(index(path, i), "duplicate " + what + " name '" + n + "'");
            }
        }
    }
}
