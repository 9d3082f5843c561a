package io.jwtsidecar.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One malformed record for a decoder's table of refusals: why it is malformed, its bytes, and the
 * field the decoder's message must name. Shown by {@code why} in a parameterized test's name.
 */
public record MalformedRecord(String why, byte[] bytes, String field) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A record whose value is these JSON members. */
    public static MalformedRecord of(String why, Map<String, Object> members, String field) {
        return new MalformedRecord(why, json(members), field);
    }

    /** A record whose value is this text, as it is. */
    public static MalformedRecord raw(String why, String text, String field) {
        return new MalformedRecord(why, text.getBytes(StandardCharsets.UTF_8), field);
    }

    /** The members as one JSON object (a Map of Maps and values, as Jackson writes it). */
    public static byte[] json(Map<String, Object> members) {
        try {
            return JSON.writeValueAsBytes(members);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return why;
    }
}
