package dev.stdb.secure.protocol.property;

import dev.stdb.secure.protocol.ProtocolException;
import dev.stdb.secure.protocol.ProtocolLimits;
import dev.stdb.secure.protocol.bsatn.BsatnReader;
import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.property.Gen.TypedValue;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.value.Value;
import dev.stdb.secure.protocol.value.ValueCodec;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Random types, random values: encode, decode, skip and size agree. */
class ValueRoundTripTest {

    @Provide
    Arbitrary<TypedValue> typedValues() {
        return Arbitraries.randomValue(Gen::typedValue);
    }

    @Provide
    Arbitrary<Long> seeds() {
        return Arbitraries.longs();
    }

    @Property(tries = 1000)
    void decodeOfEncodeIsTheValue(@ForAll("typedValues") TypedValue tv) {
        ValueCodec codec = ValueCodec.compile(Gen.TS, tv.type());
        byte[] bytes = codec.encode(tv.value());
        assertEquals(tv.value(), codec.decode(bytes));
        // encoding is deterministic, also from the decoded value
        assertArrayEquals(bytes, codec.encode(tv.value()));
        assertEquals(tv.value(), codec.decode(codec.encode(codec.decode(bytes))));
        if (codec.fixedSize() >= 0) {
            assertEquals(codec.fixedSize(), bytes.length, "fixed-size type " + tv.type());
        }
    }

    @Property(tries = 1000)
    void skipAndReadConsumeExactlyTheEncoding(@ForAll("typedValues") TypedValue tv, @ForAll("seeds") long seed) {
        Random r = new Random(seed);
        ValueCodec codec = ValueCodec.compile(Gen.TS, tv.type());
        byte[] value = codec.encode(tv.value());
        int before = r.nextInt(9);
        int after = r.nextInt(9);
        byte[] buf = Gen.bytes(r, before + value.length + after);
        System.arraycopy(value, 0, buf, before, value.length);

        BsatnReader skipper = new BsatnReader(buf, before, value.length + after, ProtocolLimits.DEFAULT);
        codec.skip(skipper);
        assertEquals(before + value.length, skipper.position());

        BsatnReader reader = new BsatnReader(buf, before, value.length + after, ProtocolLimits.DEFAULT);
        assertEquals(tv.value(), codec.read(reader));
        assertEquals(before + value.length, reader.position());

        // the same value through a writer that already holds bytes
        BsatnWriter w = new BsatnWriter(1);
        w.writeRaw(buf, 0, before);
        codec.write(tv.value(), w, "v");
        assertEquals(before + value.length, w.size());
    }

    /**
     * skip and read must accept exactly the same bytes (and stop at the same place): row lists are checked with skip,
     * their columns later read with read, which "cannot meet malformed bytes".
     */
    @Property(tries = 1000)
    void skipAcceptsExactlyWhatReadAccepts(@ForAll("typedValues") TypedValue tv, @ForAll("seeds") long seed) {
        Random r = new Random(seed);
        ValueCodec codec = ValueCodec.compile(Gen.TS, tv.type());
        byte[] bytes = codec.encode(tv.value());
        if (bytes.length == 0) {
            return;
        }
        for (int mutation = 0; mutation < 4; mutation++) {
            byte[] bad = bytes.clone();
            int at = r.nextInt(bad.length);
            bad[at] = (byte) (r.nextBoolean() ? r.nextInt(256) : bad[at] + 1 + r.nextInt(3));
            Object readResult = outcome(() -> {
                BsatnReader rd = new BsatnReader(bad);
                codec.read(rd);
                return rd.position();
            });
            Object skipResult = outcome(() -> {
                BsatnReader rd = new BsatnReader(bad);
                codec.skip(rd);
                return rd.position();
            });
            assertEquals(readResult, skipResult, "type " + tv.type() + " bytes " + java.util.HexFormat.of().formatHex(bad));
        }
    }

    /** The end position, or the failure's offset as "error@offset". */
    private static Object outcome(java.util.function.Supplier<Integer> run) {
        try {
            return run.get();
        } catch (ProtocolException e) {
            return "error@" + e.offset();
        }
    }

    /** Strict UTF-8 checking agrees with the JDK's strict decoder, on where the first bad sequence starts too. */
    @Property(tries = 2000)
    void utf8ValidationAgreesWithTheJdk(@ForAll("seeds") long seed) {
        Random r = new Random(seed);
        int n = r.nextInt(12);
        byte[] s = new byte[n];
        for (int i = 0; i < n; i++) {
            int k = r.nextInt(6);
            s[i] = (byte) (k == 0 ? r.nextInt(0x80) : k == 1 ? 0x80 + r.nextInt(0x40)
                    : k == 2 ? 0xC0 + r.nextInt(0x40) : k == 3 ? pickLead(r) : r.nextInt(256));
        }
        byte[] wire = new BsatnWriter().writeBytes(s).toByteArray();
        int jdkBad = jdkFirstInvalid(s);
        ValueCodec string = ValueCodec.compile(Gen.TS, AlgebraicType.Primitive.STRING);
        if (jdkBad < 0) {
            assertEquals(new Value.Str(new String(s, StandardCharsets.UTF_8)), string.decode(wire));
        } else {
            ProtocolException e = assertThrows(ProtocolException.class, () -> string.decode(wire),
                    () -> java.util.HexFormat.of().formatHex(s));
            assertEquals(4 + jdkBad, e.offset(), () -> java.util.HexFormat.of().formatHex(s));
            assertEquals("string", e.decoding());
        }
    }

    private static int pickLead(Random r) {
        int[] leads = {0xE0, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xC0, 0xC1, 0xC2, 0xDF, 0xF8, 0xFF};
        return leads[r.nextInt(leads.length)];
    }

    private static int jdkFirstInvalid(byte[] s) {
        CharsetDecoder d = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(s);
        CharBuffer out = CharBuffer.allocate(s.length * 2 + 2);
        CoderResult cr = d.decode(in, out, true);
        if (cr.isError()) {
            return in.position();
        }
        cr = d.flush(out);
        if (cr.isError()) {
            return in.position();
        }
        assertTrue(!in.hasRemaining());
        return -1;
    }

    @Property(tries = 200)
    void stringsOfEveryPlaneSurviveTheCodec(@ForAll("seeds") long seed) throws CharacterCodingException {
        String s = Gen.string(new Random(seed));
        ValueCodec string = ValueCodec.compile(Gen.TS, AlgebraicType.Primitive.STRING);
        byte[] wire = string.encode(s);
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        assertEquals(4 + utf8.length, wire.length);
        assertEquals(new Value.Str(s), string.decode(wire));
        if (!s.equals(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(utf8)).toString())) {
            fail("generator made an invalid string");
        }
    }
}
