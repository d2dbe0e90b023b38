package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.Typespace;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.stdb.secure.protocol.schema.AlgebraicType.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A recursive type whose value is nested far too deep fails to encode with a typed error, not a dead thread. */
class DeepValueTest {
    private static final Typespace LIST = new Typespace(List.of(sum(variant("nil", Product.UNIT),
            variant("cons", product(element("head", Primitive.U32), element("tail", new AlgebraicType.Ref(0)))))));

    private static Value list(int length) {
        Value v = new Value.Sum(0, "nil", Value.UNIT);
        for (int i = 0; i < length; i++) {
            v = new Value.Sum(1, "cons", new Value.Product(java.util.Arrays.asList("head", "tail"),
                    List.of(new Value.Int(Primitive.U32, i), v)));
        }
        return v;
    }

    @Test
    void shallowRecursiveValuesRoundTrip() {
        ValueCodec codec = ValueCodec.compile(LIST, new AlgebraicType.Ref(0));
        Value three = list(3);
        assertEquals(three, codec.decode(codec.encode(three)));
    }

    @Test
    void valueTooDeepToEncodeIsAValueMismatch() {
        ValueCodec codec = ValueCodec.compile(LIST, new AlgebraicType.Ref(0));
        ValueMismatchException e = assertThrows(ValueMismatchException.class, () -> codec.encode(list(200_000)));
        assertTrue(e.getMessage().contains("nested too deeply"), e.getMessage());
    }
}
