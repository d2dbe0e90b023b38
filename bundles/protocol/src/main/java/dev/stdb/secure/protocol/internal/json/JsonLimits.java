package dev.stdb.secure.protocol.internal.json;

/**
 * Resource limits for {@link Json#parse(CharSequence, JsonLimits)}, so that hostile input can neither exhaust the
 * stack nor make the parser do unbounded work.
 *
 * @param maxInputChars  longest accepted JSON text, in chars
 * @param maxDepth       deepest accepted nesting of arrays and objects ({@code []} is depth 1); at most
 *                       {@link #MAX_DEPTH_CEILING}, because the parser recurses once per level
 * @param maxNumberChars longest accepted number literal, in chars (u256/i256 need at most 78)
 */
public record JsonLimits(int maxInputChars, int maxDepth, int maxNumberChars) {

    /** Upper bound for {@link #maxDepth}: the parser is recursive, and this keeps it far away from the stack limit. */
    public static final int MAX_DEPTH_CEILING = 4096;

    public static final int DEFAULT_MAX_INPUT_CHARS = 16 * 1024 * 1024;
    public static final int DEFAULT_MAX_DEPTH = 512;
    public static final int DEFAULT_MAX_NUMBER_CHARS = 1024;

    public static final JsonLimits DEFAULT =
            new JsonLimits(DEFAULT_MAX_INPUT_CHARS, DEFAULT_MAX_DEPTH, DEFAULT_MAX_NUMBER_CHARS);

    public JsonLimits {
        if (maxInputChars < 0) {
            throw new IllegalArgumentException("maxInputChars must be >= 0, was " + maxInputChars);
        }
        if (maxDepth < 0 || maxDepth > MAX_DEPTH_CEILING) {
            throw new IllegalArgumentException(
                    "maxDepth must be in 0.." + MAX_DEPTH_CEILING + ", was " + maxDepth);
        }
        if (maxNumberChars < 1) {
            throw new IllegalArgumentException("maxNumberChars must be >= 1, was " + maxNumberChars);
        }
    }

    public JsonLimits withMaxInputChars(int value) {
        return new JsonLimits(value, maxDepth, maxNumberChars);
    }

    public JsonLimits withMaxDepth(int value) {
        return new JsonLimits(maxInputChars, value, maxNumberChars);
    }

    public JsonLimits withMaxNumberChars(int value) {
        return new JsonLimits(maxInputChars, maxDepth, value);
    }
}
