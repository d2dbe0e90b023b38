package dev.stdb.secure.protocol.value;

/**
 * A Java value that does not fit the schema type it is encoded as, or a typed getter used on a column of another
 * type. The message names the path (e.g. {@code send_message.text}) and both types.
 */
public class ValueMismatchException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ValueMismatchException(String message) {
        super(message);
    }
}
