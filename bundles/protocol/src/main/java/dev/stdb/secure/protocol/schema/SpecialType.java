package dev.stdb.secure.protocol.schema;

/**
 * Single-field products that SATS recognises by their field name (PROTOCOL.md §5.1). On the wire they are just their
 * one field; the decoder turns them into {@code Identity}, {@code Timestamp} and friends.
 */
public enum SpecialType {
    IDENTITY("__identity__", AlgebraicType.Primitive.U256),
    CONNECTION_ID("__connection_id__", AlgebraicType.Primitive.U128),
    TIMESTAMP("__timestamp_micros_since_unix_epoch__", AlgebraicType.Primitive.I64),
    TIME_DURATION("__time_duration_micros__", AlgebraicType.Primitive.I64),
    UUID("__uuid__", AlgebraicType.Primitive.U128);

    private final String fieldName;
    private final AlgebraicType.Primitive field;

    SpecialType(String fieldName, AlgebraicType.Primitive field) {
        this.fieldName = fieldName;
        this.field = field;
    }

    public String fieldName() {
        return fieldName;
    }

    /** The primitive type of the single field. */
    public AlgebraicType.Primitive fieldType() {
        return field;
    }

    /** The special type this product is, or null when it is an ordinary product. */
    public static SpecialType of(AlgebraicType.Product product) {
        if (product.elements().size() != 1) {
            return null;
        }
        AlgebraicType.Element only = product.elements().get(0);
        for (SpecialType s : values()) {
            if (s.fieldName.equals(only.name()) && s.field == only.type()) {
                return s;
            }
        }
        return null;
    }
}
