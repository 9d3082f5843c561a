package io.jwtsidecar.logging;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Fields as one line of JSON, for log lines a machine reads back (the audit log). Jackson writes
 * it, so a value with quotes, {@code key=value} text or line breaks stays inside its own field.
 * Beyond what JSON requires, DEL, the C1 controls (U+0080 to U+009F, which include a one-byte
 * terminal escape) and the Unicode line and paragraph separators are escaped too: a line read
 * on a terminal or split by a collector is exactly one record, and nothing in it is a control.
 */
public final class JsonLine {
    private static final ObjectMapper MAPPER = new ObjectMapper(new JsonFactoryBuilder()
            .characterEscapes(new Escapes()).build());

    private JsonLine() {
    }

    /** The fields, in their map's order, as one line of JSON. */
    public static String of(Map<String, ?> fields) {
        try {
            return MAPPER.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            // Only strings, numbers, booleans, lists and maps are given; Jackson writes those.
            throw new UncheckedIOException(e);
        }
    }

    private static final class Escapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        Escapes() {
            ascii[0x7f] = ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public @Nullable SerializableString getEscapeSequence(int ch) {
            if ((ch >= 0x80 && ch <= 0x9f) || ch == 0x2028 || ch == 0x2029) {
                return new SerializedString(String.format("\\u%04x", ch));
            }
            return null;
        }
    }
}
