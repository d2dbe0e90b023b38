package dev.stdb.secure.protocol.value;

import dev.stdb.secure.protocol.bsatn.BsatnWriter;
import dev.stdb.secure.protocol.schema.AlgebraicType;
import dev.stdb.secure.protocol.schema.ModuleSchema;
import dev.stdb.secure.protocol.schema.ReducerDef;
import dev.stdb.secure.protocol.schema.SchemaException;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reducer arguments and errors by the module's schema: {@code CallReducer} args are the BSATN of the reducer's
 * parameter product, and {@code ReducerOutcome.Err} bytes are the BSATN of its error type. Codecs are compiled once
 * per reducer; the instance is safe to share.
 */
public final class ReducerCodec {
    private final ModuleSchema schema;
    private final Map<String, ValueCodec> args = new ConcurrentHashMap<>();
    private final Map<String, ValueCodec> errors = new ConcurrentHashMap<>();

    public ReducerCodec(ModuleSchema schema) {
        this.schema = schema;
    }

    /** Arguments in declaration order, as Java values or {@link Value}s (see {@link ValueCodec}). */
    public byte[] encodeArgs(String reducer, Object... values) {
        return encode(reducer, Arrays.asList(values));
    }

    /** Arguments by parameter name. */
    public byte[] encodeArgs(String reducer, Map<String, ?> values) {
        return encode(reducer, values);
    }

    /** Encoding errors name the reducer and the parameter, e.g. {@code send_message.text}. */
    private byte[] encode(String reducer, Object values) {
        BsatnWriter w = new BsatnWriter();
        argsCodec(reducer).write(values, w, reducer);
        return w.toByteArray();
    }

    /** Decodes call arguments (what a server or a test peer receives). */
    public Value.Product decodeArgs(String reducer, byte[] bytes) {
        return (Value.Product) argsCodec(reducer).decode(bytes);
    }

    /**
     * Decodes the error a reducer returned. V10 schemas name the error type; V9 schemas do not, and SpacetimeDB's
     * only reducer error type is a string, which is then assumed.
     */
    public Value decodeError(String reducer, byte[] bytes) {
        return errors.computeIfAbsent(reducer, name -> {
            ReducerDef def = schema.requireReducer(name);
            AlgebraicType type = def.errReturnType() != null ? def.errReturnType() : AlgebraicType.Primitive.STRING;
            return ValueCodec.compile(schema.typespace(), type);
        }).decode(bytes);
    }

    private ValueCodec argsCodec(String reducer) {
        return args.computeIfAbsent(reducer, name -> {
            ReducerDef def = schema.requireReducer(name);
            if (!def.clientCallable()) {
                throw new SchemaException("reducer '" + name + "' cannot be called by clients"
                        + (def.lifecycle() != null ? " (it is the " + def.lifecycle() + " lifecycle reducer)" : ""));
            }
            return ValueCodec.compile(schema.typespace(), def.params());
        });
    }
}
