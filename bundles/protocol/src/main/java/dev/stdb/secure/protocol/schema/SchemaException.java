package dev.stdb.secure.protocol.schema;

/** A module schema that cannot be read or that does not describe the data it is applied to. */
public class SchemaException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
