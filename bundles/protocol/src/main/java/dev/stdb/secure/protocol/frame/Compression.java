package dev.stdb.secure.protocol.frame;

/** The compression byte that starts every server frame, and the {@code compression} query parameter that asks for it. */
public enum Compression {
    NONE(0, "None"), BROTLI(1, "Brotli"), GZIP(2, "Gzip");

    private final int tag;
    private final String queryValue;

    Compression(int tag, String queryValue) {
        this.tag = tag;
        this.queryValue = queryValue;
    }

    public int tag() {
        return tag;
    }

    /** The exact, case-sensitive value of the {@code compression} query parameter. */
    public String queryValue() {
        return queryValue;
    }

    /** Null for an unknown tag. */
    public static Compression ofTag(int tag) {
        for (Compression c : values()) {
            if (c.tag == tag) {
                return c;
            }
        }
        return null;
    }

    /** The variant named by a {@code compression} query parameter, or null when unknown (case-sensitive, as the server). */
    public static Compression ofQueryValue(String value) {
        for (Compression c : values()) {
            if (c.queryValue.equals(value)) {
                return c;
            }
        }
        return null;
    }
}
