package dev.stdb.secure.protocol.schema;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.stdb.secure.protocol.internal.json.Json;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The schema fixtures and the JSON-tree helpers shared by the schema parser and writer tests. */
final class SchemaFixtures {
    static final String V9 = "/schema/quickstart-chat.v9.json";
    static final String V10 = "/schema/quickstart-chat.v10.json";

    private SchemaFixtures() {
    }

    /** The text of a test resource. */
    static String resource(String name) {
        try (InputStream in = SchemaFixtures.class.getResourceAsStream(name)) {
            assertNotNull(in, name);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A mutable deep copy of the fixture's JSON tree. */
    static Object tree(String resourceName) {
        return mutable(Json.parse(resource(resourceName)));
    }

    /** A mutable deep copy of a JSON tree. */
    static Object mutable(Object node) {
        if (node instanceof Map<?, ?> m) {
            Map<String, Object> copy = new LinkedHashMap<>();
            m.forEach((k, v) -> copy.put((String) k, mutable(v)));
            return copy;
        }
        if (node instanceof List<?> l) {
            List<Object> copy = new ArrayList<>();
            l.forEach(v -> copy.add(mutable(v)));
            return copy;
        }
        return node;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> m(Object node) {
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> l(Object node) {
        return (List<Object>) node;
    }
}
