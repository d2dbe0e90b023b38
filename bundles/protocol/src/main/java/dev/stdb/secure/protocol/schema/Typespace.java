package dev.stdb.secure.protocol.schema;

import java.util.List;

/** The module's list of types; {@link AlgebraicType.Ref}{@code (n)} means {@code types().get(n)}. */
public record Typespace(List<AlgebraicType> types) {

    public static final Typespace EMPTY = new Typespace(List.of());

    public Typespace {
        types = List.copyOf(types);
    }

    /**
     * Follows references until a non-reference type is reached.
     *
     * @throws SchemaException when a reference points outside the typespace or a reference cycle has no structure
     */
    public AlgebraicType resolve(AlgebraicType type) {
        AlgebraicType t = type;
        for (int hops = 0; t instanceof AlgebraicType.Ref ref; hops++) {
            if (ref.index() >= types.size()) {
                throw new SchemaException("type reference " + ref.index() + " is outside the typespace of "
                        + types.size() + " types");
            }
            if (hops > types.size()) {
                throw new SchemaException("type reference " + ref.index() + " is a cycle of references only");
            }
            t = types.get(ref.index());
        }
        return t;
    }
}
