package dev.stdb.secure.protocol.schema;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A module's schema as a dynamic client needs it: the typespace, and the tables, reducers and procedures by wire name.
 * Read one with {@link SchemaParser}.
 */
public record ModuleSchema(Typespace typespace, List<TableDef> tables, List<ReducerDef> reducers,
                           List<ProcedureDef> procedures) {

    public ModuleSchema {
        Objects.requireNonNull(typespace, "typespace");
        tables = List.copyOf(tables);
        reducers = List.copyOf(reducers);
        procedures = List.copyOf(procedures);
    }

    /** The table with this wire name. */
    public Optional<TableDef> table(String name) {
        return find(tables, TableDef::name, name);
    }

    /**
     * The table with this wire name.
     *
     * @throws SchemaException when there is none
     */
    public TableDef requireTable(String name) {
        return table(name).orElseThrow(() -> new SchemaException(
                "no table named '" + name + "' in the module; tables: " + names(tables, TableDef::name)));
    }

    /** The reducer with this wire name. */
    public Optional<ReducerDef> reducer(String name) {
        return find(reducers, ReducerDef::name, name);
    }

    /**
     * The reducer with this wire name.
     *
     * @throws SchemaException when there is none
     */
    public ReducerDef requireReducer(String name) {
        return reducer(name).orElseThrow(() -> new SchemaException(
                "no reducer named '" + name + "' in the module; reducers: " + names(reducers, ReducerDef::name)));
    }

    /** The procedure with this wire name. */
    public Optional<ProcedureDef> procedure(String name) {
        return find(procedures, ProcedureDef::name, name);
    }

    /**
     * The row type of {@code table}: {@code typespace.resolve(Ref(productTypeRef))}.
     *
     * @throws SchemaException when the reference is outside the typespace or does not resolve to a product
     */
    public AlgebraicType.Product rowType(TableDef table) {
        AlgebraicType resolved;
        try {
            resolved = typespace.resolve(new AlgebraicType.Ref(table.productTypeRef()));
        } catch (SchemaException e) {
            throw new SchemaException("table '" + table.name() + "': " + e.getMessage(), e);
        }
        if (resolved instanceof AlgebraicType.Product product) {
            return product;
        }
        throw new SchemaException("table '" + table.name() + "': product_type_ref " + table.productTypeRef()
                + " is " + kind(resolved) + ", not a product type");
    }

    /** "a sum type", "an array type", "the primitive type u32" ... for messages. */
    static String kind(AlgebraicType type) {
        if (type instanceof AlgebraicType.Sum) {
            return "a sum type";
        } else if (type instanceof AlgebraicType.Product) {
            return "a product type";
        } else if (type instanceof AlgebraicType.Array) {
            return "an array type";
        } else if (type instanceof AlgebraicType.Ref ref) {
            return "a reference to type " + ref.index();
        }
        return "the primitive type " + ((AlgebraicType.Primitive) type).name().toLowerCase(java.util.Locale.ROOT);
    }

    private static <T> Optional<T> find(List<T> items, Function<T, String> name, String wanted) {
        Objects.requireNonNull(wanted, "name");
        for (T item : items) {
            if (wanted.equals(name.apply(item))) {
                return Optional.of(item);
            }
        }
        return Optional.empty();
    }

    private static <T> String names(List<T> items, Function<T, String> name) {
        return items.isEmpty() ? "(none)" : items.stream().map(name).collect(Collectors.joining(", "));
    }
}
