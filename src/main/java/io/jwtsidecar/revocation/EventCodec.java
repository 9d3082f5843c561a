package io.jwtsidecar.revocation;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Locale;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * JSON encoding of {@link RevocationEvent} (schema v1) with full validation on decode.
 * Unknown members are ignored (forward compatibility); everything else that is off makes the
 * record a poison pill ({@link MalformedEventException}): one JSON object and nothing after it,
 * no duplicate members, {@code v} exactly the integer 1, the event id a UUID in canonical
 * lower-case form, times whole epoch seconds from 0 to {@value #MAX_EPOCH_SECONDS} (the end of
 * year 9999). Decoding never widens, truncates or rounds a number to make it fit. Thread-safe.
 */
public final class EventCodec {
    /** Longest accepted issuer, value, reason or actor, in characters. */
    public static final int MAX_FIELD_LENGTH = 1024;
    /** The latest accepted time, 9999-12-31T23:59:59Z: rule arithmetic stays far from overflow. */
    public static final long MAX_EPOCH_SECONDS = 253_402_300_799L;

    private static final Pattern CANONICAL_UUID =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final ObjectMapper json;

    public EventCodec() {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build())
                .build();
        // Trailing data after the object would be a second reading of the record that no one signed off.
        this.json = new ObjectMapper(factory).enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** A record that cannot be applied; the message names the field. */
    public static final class MalformedEventException extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        public MalformedEventException(String message) {
            super(message);
            this.reason = message;
        }

        /** What is wrong with the event, in one sentence (the message, never null). */
        public String reason() {
            return reason;
        }
    }

    public byte[] encode(RevocationEvent e) {
        ObjectNode n = json.createObjectNode();
        n.put("v", RevocationEvent.SCHEMA_VERSION);
        n.put("eventId", e.eventId());
        n.put("type", e.type().name().toLowerCase(Locale.ROOT));
        n.put("scope", e.key().scope().wireName());
        n.put("issuer", e.key().issuer());
        n.put("value", e.key().value());
        n.put("at", e.at());
        n.put("expiresAt", e.expiresAt());
        if (e.reason() != null) {
            n.put("reason", e.reason());
        }
        if (e.actor() != null) {
            n.put("actor", e.actor());
        }
        try {
            return json.writeValueAsBytes(n);
        } catch (IOException ex) {
            throw new IllegalStateException("cannot encode event " + e.eventId(), ex);
        }
    }

    public RevocationEvent decode(byte[] bytes) throws MalformedEventException {
        if (bytes == null) {
            throw new MalformedEventException("record has no value");
        }
        JsonNode n;
        try {
            n = json.readTree(bytes);
        } catch (IOException | RuntimeException e) {
            throw new MalformedEventException("not JSON: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
        if (n == null || !n.isObject()) {
            throw new MalformedEventException("not a JSON object");
        }
        JsonNode v = n.get("v");
        // canConvertToInt first: intValue() of 4294967297 is 1.
        if (v == null || !v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() != RevocationEvent.SCHEMA_VERSION) {
            throw new MalformedEventException("v: expected " + RevocationEvent.SCHEMA_VERSION);
        }
        String eventId = requiredText(n, "eventId");
        if (!CANONICAL_UUID.matcher(eventId).matches()) {
            // UUID.fromString alone accepts short forms like "1-1-1-1-1", and upper case would give one
            // event two ids that receipts and idempotency tell apart.
            throw new MalformedEventException("eventId: not a UUID in canonical lower-case form");
        }
        String typeName = requiredText(n, "type");
        RevocationEvent.Type type;
        if (typeName.equals("revoke")) {
            type = RevocationEvent.Type.REVOKE;
        } else if (typeName.equals("restore")) {
            type = RevocationEvent.Type.RESTORE;
        } else {
            throw new MalformedEventException("type: must be revoke or restore");
        }
        String scopeName = requiredText(n, "scope");
        RevocationScope scope = RevocationScope.fromWireName(scopeName)
                .orElseThrow(() -> new MalformedEventException("scope: unknown scope"));
        String issuer = requiredText(n, "issuer");
        String value = n.has("value") ? requiredText(n, "value") : "";
        try {
            RuleKeys.check(scope, issuer, value);
        } catch (IllegalArgumentException e) {
            throw new MalformedEventException(String.valueOf(e.getMessage()));
        }
        long at = requiredSeconds(n, "at");
        long expiresAt = requiredSeconds(n, "expiresAt");
        if (expiresAt < at) {
            throw new MalformedEventException("expiresAt: before at");
        }
        return new RevocationEvent(eventId, type, new RuleKey(scope, issuer, value), at, expiresAt,
                optionalText(n, "reason"), optionalText(n, "actor"));
    }

    private static String requiredText(JsonNode n, String field) throws MalformedEventException {
        JsonNode f = n.get(field);
        if (f == null || !f.isTextual()) {
            throw new MalformedEventException(field + ": required string");
        }
        return f.textValue();
    }

    private static @Nullable String optionalText(JsonNode n, String field) throws MalformedEventException {
        JsonNode f = n.get(field);
        if (f == null || f.isNull()) {
            return null;
        }
        if (!f.isTextual() || f.textValue().length() > MAX_FIELD_LENGTH) {
            throw new MalformedEventException(field + ": must be a string of at most " + MAX_FIELD_LENGTH + " characters");
        }
        return f.textValue();
    }

    private static long requiredSeconds(JsonNode n, String field) throws MalformedEventException {
        JsonNode f = n.get(field);
        if (f == null || !f.isIntegralNumber() || !f.canConvertToLong() || f.longValue() < 0
                || f.longValue() > MAX_EPOCH_SECONDS) {
            throw new MalformedEventException(field + ": required whole epoch seconds from 0 to " + MAX_EPOCH_SECONDS);
        }
        return f.longValue();
    }
}
