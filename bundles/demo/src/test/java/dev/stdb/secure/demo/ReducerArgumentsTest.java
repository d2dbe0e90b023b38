package dev.stdb.secure.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.AlgebraicType.Primitive;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.TableDef;
import dev.stdb.secure.protocol.schema.Typespace;
import dev.stdb.secure.protocol.value.Value;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;

class ReducerArgumentsTest {
    private static final AlgebraicType.Product PERSON = AlgebraicType.product(
            AlgebraicType.element("id", Primitive.U32), AlgebraicType.element("name", Primitive.STRING),
            AlgebraicType.element("age", Primitive.U8));

    /** The sandbox's module, and a reducer with every type the demo reads (the row type by reference, as modules do). */
    private static final ModuleSchema SCHEMA = new ModuleSchema(new Typespace(List.of(PERSON)),
            List.of(new TableDef("person", 0, List.of(0), false, true)),
            List.of(reducer("add_person", AlgebraicType.product(AlgebraicType.element("name", Primitive.STRING),
                            AlgebraicType.element("age", Primitive.U8))),
                    reducer("update_person", PERSON),
                    reducer("panic", AlgebraicType.Product.UNIT),
                    reducer("all_kinds", AlgebraicType.product(
                            AlgebraicType.element("flag", Primitive.BOOL),
                            AlgebraicType.element("small", Primitive.I8),
                            AlgebraicType.element("big", Primitive.U64),
                            AlgebraicType.element("huge", Primitive.I128),
                            AlgebraicType.element("ratio", Primitive.F64),
                            AlgebraicType.element("maybe", AlgebraicType.option(Primitive.I32)))),
                    reducer("row_arg", AlgebraicType.product(AlgebraicType.element("person", new AlgebraicType.Ref(0)))),
                    reducer("who", AlgebraicType.product(AlgebraicType.element("id", AlgebraicType.identity())))),
            List.of());

    private static ReducerDef reducer(String name, AlgebraicType.Product params) {
        return new ReducerDef(name, params, null, true, AlgebraicType.Product.UNIT, Primitive.STRING);
    }

    @Test
    void theDefaultArgumentsOfAddPerson() {
        assertArrayEquals(new Object[] {"Ada Lovelace", 36L}, ReducerArguments.parse(SCHEMA, "add_person", "Ada Lovelace,36"));
        assertArrayEquals(new Object[] {"Ada Lovelace", 36L},
                ReducerArguments.parse(SCHEMA, "add_person", "  Ada Lovelace ,\t36  "));
    }

    @Test
    void argumentsFollowTheParameterTypes() {
        assertArrayEquals(new Object[] {1L, "Grace Hopper", 85L},
                ReducerArguments.parse(SCHEMA, "update_person", "1, Grace Hopper, 85"));
        Object[] all = ReducerArguments.parse(SCHEMA, "all_kinds", "TRUE,-128,18446744073709551615,"
                + "-170141183460469231731687303715884105728,2.5,");
        assertEquals(Boolean.TRUE, all[0]);
        assertEquals(-128L, all[1]);
        assertEquals(new BigInteger("18446744073709551615"), all[2]);
        assertEquals(BigInteger.ONE.shiftLeft(127).negate(), all[3]);
        assertEquals(2.5d, all[4]);
        assertEquals(null, all[5], "an empty option is none");
        assertEquals(7L, ReducerArguments.parse(SCHEMA, "all_kinds", "false,0,0,0,0,7")[5]);
        assertArrayEquals(new Object[0], ReducerArguments.parse(SCHEMA, "panic", ""));
        assertArrayEquals(new Object[0], ReducerArguments.parse(SCHEMA, "panic", null));
    }

    @Test
    void quotesKeepCommasAndBlanks() {
        assertArrayEquals(new Object[] {"Lovelace, Ada", 36L},
                ReducerArguments.parse(SCHEMA, "add_person", "\"Lovelace, Ada\", 36"));
        assertArrayEquals(new Object[] {" say \"hi\" ", 1L},
                ReducerArguments.parse(SCHEMA, "add_person", "\" say \"\"hi\"\" \",1"));
        assertArrayEquals(new Object[] {"", 1L}, ReducerArguments.parse(SCHEMA, "add_person", "\"\",1"));
        assertEquals(List.of("a", "", "b"), ReducerArguments.split("a,,b"));
        assertEquals(List.of("a", ""), ReducerArguments.split("a,"));
        assertEquals(List.of(), ReducerArguments.split("   "));
    }

    @Test
    void mistakesNameTheReducerAndTheParameter() {
        assertMessage("add_person(name: string, age: u8) takes 2 arguments, got 1",
                () -> ReducerArguments.parse(SCHEMA, "add_person", "Ada Lovelace"));
        assertMessage("add_person(name: string, age: u8) takes 2 arguments, got 3",
                () -> ReducerArguments.parse(SCHEMA, "add_person", "Ada, Lovelace, 36"));
        assertMessage("add_person.age: expected an integer for u8, got 'thirty-six'",
                () -> ReducerArguments.parse(SCHEMA, "add_person", "Ada,thirty-six"));
        assertMessage("add_person.age: 256 is out of range for u8 (0 to 255)",
                () -> ReducerArguments.parse(SCHEMA, "add_person", "Ada,256"));
        assertMessage("add_person.age: -1 is out of range for u8",
                () -> ReducerArguments.parse(SCHEMA, "add_person", "Ada,-1"));
        assertMessage("all_kinds.small: 128 is out of range for i8 (-128 to 127)",
                () -> ReducerArguments.parse(SCHEMA, "all_kinds", "true,128,0,0,0,"));
        assertMessage("all_kinds.flag: expected true or false for bool, got 'yes'",
                () -> ReducerArguments.parse(SCHEMA, "all_kinds", "yes,1,0,0,0,"));
        assertMessage("all_kinds.ratio: expected a number for f64, got 'half'",
                () -> ReducerArguments.parse(SCHEMA, "all_kinds", "true,1,0,0,half,"));
        assertMessage("no reducer named 'add' in the module; reducers: add_person, update_person, panic",
                () -> ReducerArguments.parse(SCHEMA, "add", "x"));
        assertMessage("row_arg.person is of type product, which cannot be given as text",
                () -> ReducerArguments.parse(SCHEMA, "row_arg", "x"));
        assertMessage("who.id is of type Identity, which cannot be given as text",
                () -> ReducerArguments.parse(SCHEMA, "who", "c200"));
        assertMessage("unterminated quote at position 1", () -> ReducerArguments.parse(SCHEMA, "add_person", "\"Ada,36"));
        assertMessage("expected ',' after the quoted argument", () -> ReducerArguments.split("\"Ada\" Lovelace,36"));
    }

    @Test
    void signaturesForMessages() {
        assertEquals("all_kinds(flag: bool, small: i8, big: u64, huge: i128, ratio: f64, maybe: option<i32>)",
                ReducerArguments.signature(SCHEMA, "all_kinds"));
        assertEquals("panic()", ReducerArguments.signature(SCHEMA, "panic"));
    }

    @Test
    void rowsAsText() {
        Value.Product ada = new Value.Product(List.of("id", "name", "age"), List.of(new Value.Int(Primitive.U32, 1),
                new Value.Str("Ada Lovelace"), new Value.Int(Primitive.U8, 36)));
        assertEquals("{id=1, name=Ada Lovelace, age=36}", RowText.of(ada));
        Value.Product odd = new Value.Product(Arrays.asList("big", null, "opt", "none"),
                List.of(new Value.Int(Primitive.U64, -1), new Value.Bool(true), new Value.Opt(new Value.Str("x")),
                        Value.Opt.NONE));
        assertEquals("{big=18446744073709551615, 1=true, opt=x, none=none}", RowText.of(odd));
    }

    private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().startsWith(expected), () -> "message: " + e.getMessage());
    }
}
