package io.jwtsidecar.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * An RFC 6902 JSON Patch under construction: a list of operations, each a Jackson object
 * {@code {"op":…,"path":…,"value":…}}. Paths are RFC 6901 JSON Pointers; {@link #pointer}
 * escapes each token, so a key such as {@code jwt-sidecar.io/status} becomes
 * {@code jwt-sidecar.io~1status} and is not read as two levels.
 *
 * <p>Not thread-safe: build it on one thread, then hand it on.
 */
public final class JsonPatch {
    private final ArrayNode operations = JsonNodeFactory.instance.arrayNode();

    /** Adds an {@code add} operation: creates the member (or replaces it), or inserts into an array ({@code …/-} appends). */
    public JsonPatch add(String path, JsonNode value) {
        ObjectNode op = operations.addObject();
        op.put("op", "add");
        op.put("path", path);
        op.set("value", value);
        return this;
    }

    /** The operations so far, in order; a live view. */
    public ArrayNode operations() {
        return operations;
    }

    public boolean isEmpty() {
        return operations.isEmpty();
    }

    /**
     * A JSON Pointer from unescaped reference tokens: {@code pointer("metadata", "labels", "a/b")}
     * is {@code /metadata/labels/a~1b}. The token {@code -} (past the end of an array) passes as is.
     */
    public static String pointer(String... tokens) {
        StringBuilder sb = new StringBuilder();
        for (String token : tokens) {
            sb.append('/').append(escape(token));
        }
        return sb.toString();
    }

    /** RFC 6901 §3: {@code ~} becomes {@code ~0} and {@code /} becomes {@code ~1}, in that order. */
    public static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
