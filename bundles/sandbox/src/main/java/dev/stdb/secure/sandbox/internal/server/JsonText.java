package dev.stdb.secure.sandbox.internal.server;

/** Just enough JSON writing for the identity endpoints' small objects. */
final class JsonText {
    private JsonText() {
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** {@code {"k1": "v1", ...}} from alternating keys and string values. */
    static String object(String... keysAndValues) {
        StringBuilder b = new StringBuilder("{");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            if (i > 0) {
                b.append(',');
            }
            b.append(quote(keysAndValues[i])).append(':').append(quote(keysAndValues[i + 1]));
        }
        return b.append('}').toString();
    }
}
