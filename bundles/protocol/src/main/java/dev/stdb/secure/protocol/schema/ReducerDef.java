package dev.stdb.secure.protocol.schema;

import java.util.Objects;

/**
 * A reducer of the module.
 *
 * @param name           the wire name, used in {@code CallReducer} and reducer results
 * @param params         the argument product; {@code CallReducer} args are the BSATN encoding of this product
 * @param lifecycle      the lifecycle role, or null for an ordinary reducer
 * @param clientCallable whether clients may call it (false for lifecycle reducers, and in V10 for
 *                       {@code visibility: Private}, e.g. scheduled reducers)
 * @param okReturnType   type of a successful result (V10 only; unit today), or null when the schema does not say (V9)
 * @param errReturnType  type of the error payload (V10 only; string today), or null when the schema does not say (V9)
 */
public record ReducerDef(String name, AlgebraicType.Product params, Lifecycle lifecycle, boolean clientCallable,
                         AlgebraicType okReturnType, AlgebraicType errReturnType) {

    public ReducerDef {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(params, "params");
    }
}
