package dev.stdb.secure.protocol.internal.json;

/**
 * A JSON text that is not well-formed, or that exceeds a {@link JsonLimits limit}. The message names the character
 * offset (0-based, in UTF-16 chars of the decoded text) and what was expected there.
 */
public final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int offset;

    /** {@code problem} is completed to "{@code <problem> at offset <offset>}". */
    public JsonException(String problem, int offset) {
        this(problem + " at offset " + offset, offset, true);
    }

    private JsonException(String message, int offset, boolean complete) {
        super(message);
        this.offset = offset;
    }

    /** An exception whose message is used as given (it should still name the offset). */
    static JsonException withMessage(String message, int offset) {
        return new JsonException(message, offset, true);
    }

    /** The 0-based character offset of the problem in the JSON text. */
    public int offset() {
        return offset;
    }
}
