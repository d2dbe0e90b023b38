package dev.stdb.secure.protocol;

/**
 * Bytes that are not a valid SpacetimeDB message: a length past the end, an unknown tag, an invalid bool or UTF-8
 * sequence, trailing bytes. The message names the byte offset and the type being decoded, so a bad frame can be
 * located in a capture.
 */
public class ProtocolException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String decoding;

    public ProtocolException(String problem, long offset, String decoding) {
        super(problem + " at offset " + offset + (decoding == null ? "" : " while decoding " + decoding));
        this.offset = offset;
        this.decoding = decoding;
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
        this.offset = -1;
        this.decoding = null;
    }

    /** Byte offset of the problem within the decoded buffer, or -1 when it has none. */
    public long offset() {
        return offset;
    }

    /** The type that was being decoded, e.g. {@code ServerMessage.TransactionUpdate} or {@code string}. */
    public String decoding() {
        return decoding;
    }
}
