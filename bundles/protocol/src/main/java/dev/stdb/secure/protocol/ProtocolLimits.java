package dev.stdb.secure.protocol;

/**
 * Caps that keep a hostile or broken peer from exhausting memory: every length read from the wire is checked against
 * the bytes that remain and against these caps before anything is allocated.
 *
 * @param maxMessageBytes     largest frame, and largest frame after decompression (server default 32 MiB)
 * @param maxZeroSizeElements largest element count of an array whose elements take no bytes (e.g. {@code array<()>}),
 *                            which no remaining-bytes check can bound
 * @param maxDepth            deepest nesting of values (recursive types)
 */
public record ProtocolLimits(int maxMessageBytes, int maxZeroSizeElements, int maxDepth) {

    /** 32 MiB, the server's own limit for one message. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024;

    public static final ProtocolLimits DEFAULT = new ProtocolLimits(DEFAULT_MAX_MESSAGE_BYTES, 65_536, 128);

    public ProtocolLimits {
        if (maxMessageBytes <= 0 || maxZeroSizeElements < 0 || maxDepth <= 0) {
            throw new IllegalArgumentException("protocol limits must be positive");
        }
    }

    public ProtocolLimits withMaxMessageBytes(int bytes) {
        return new ProtocolLimits(bytes, maxZeroSizeElements, maxDepth);
    }
}
