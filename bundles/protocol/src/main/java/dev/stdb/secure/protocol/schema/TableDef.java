package dev.stdb.secure.protocol.schema;

import java.util.List;
import java.util.Objects;

/**
 * A table of the module, as a dynamic client sees it.
 *
 * @param name           the wire name: the name used in subscription and transaction updates and in SQL
 * @param productTypeRef index into the module's typespace of the row type (a product; element names are column names)
 * @param primaryKey     column indexes of the primary key; empty when the table has none
 * @param event          whether this is an event table (rows are only delivered with the transaction that inserted them;
 *                       always false for a V9 schema)
 * @param isPublic       whether the table is public ({@code table_access: Public}) rather than private
 */
public record TableDef(String name, int productTypeRef, List<Integer> primaryKey, boolean event, boolean isPublic) {

    public TableDef {
        Objects.requireNonNull(name, "name");
        if (productTypeRef < 0) {
            throw new IllegalArgumentException("productTypeRef must be >= 0, was " + productTypeRef);
        }
        primaryKey = List.copyOf(primaryKey);
    }

    /** Whether the table declares a primary key. */
    public boolean hasPrimaryKey() {
        return !primaryKey.isEmpty();
    }
}
