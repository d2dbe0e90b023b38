package dev.stdb.secure.protocol.schema;

import java.util.Objects;

/**
 * A procedure of the module.
 *
 * @param name       the wire name
 * @param params     the argument product
 * @param returnType the type of the returned value
 */
public record ProcedureDef(String name, AlgebraicType.Product params, AlgebraicType returnType) {

    public ProcedureDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(params, "params");
        Objects.requireNonNull(returnType, "returnType");
    }
}
