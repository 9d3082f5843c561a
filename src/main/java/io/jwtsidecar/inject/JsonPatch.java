package io.jwtsidecar.inject;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Arrays;

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

    /**
     * Adds {@code values} to the array at {@code path}: appended one by one ({@code …/-}) when the
     * array has members, else the array itself, since an {@code add} to {@code …/-} fails on a
     * member that is not there.
     *
     * @param existing whether the array is there and not empty
     */
    public JsonPatch appendAll(boolean existing, JsonNode values, String... path) {
        if (!existing) {
            return add(pointer(path), values);
        }
        String[] append = Arrays.copyOf(path, path.length + 1);
        append[path.length] = "-";
        for (JsonNode v : values) {
            add(pointer(append), v);
        }
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
