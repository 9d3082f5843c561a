package io.jwtsidecar.revocation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.jwtsidecar.revocation.EventCodec.MalformedEventException;
import io.jwtsidecar.testing.MalformedRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The revocation event wire format (schema v1): what is written is read back unchanged, unknown
 * members are tolerated, and every malformed record is refused with a message naming the field.
 */
class EventCodecTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISS = "https://issuer.example";

    private final EventCodec codec = new EventCodec();

    /** A valid event as the JSON members a producer would send; tests change one thing. */
    private static Map<String, Object> valid() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("eventId", "6f1c1b8e-2d7a-4c55-9a39-3f7e2c1d0b4a");
        m.put("type", "revoke");
        m.put("scope", "sub");
        m.put("issuer", ISS);
        m.put("value", "alice");
        m.put("at", 1_700_000_000L);
        m.put("expiresAt", 1_700_086_400L);
        m.put("reason", "compromised");
        m.put("actor", "ops@example");
        return m;
    }


    private static Map<String, Object> with(Consumer<Map<String, Object>> change) {
        Map<String, Object> m = valid();
        change.accept(m);
        return m;
    }

    private static String valueFor(RevocationScope scope) {
        return scope == RevocationScope.ISSUER ? "" : scope.wireName() + "-value";
    }

    @ParameterizedTest(name = "a {0} event survives encode and decode unchanged")
    @EnumSource(RevocationScope.class)
    void every_scope_round_trips(RevocationScope scope) throws Exception {
        for (RevocationEvent.Type type : RevocationEvent.Type.values()) {
            RevocationEvent event = new RevocationEvent(UUID.randomUUID().toString(), type,
                    new RuleKey(scope, ISS, valueFor(scope)), 1_700_000_000L, 1_700_003_600L, "why", "who");

            assertThat(codec.decode(codec.encode(event))).isEqualTo(event);
        }
    }

    @Test
    void an_event_without_reason_or_actor_round_trips_with_nulls() throws Exception {
        RevocationEvent event = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE,
                new RuleKey(RevocationScope.JTI, ISS, "token-1"), 10, 10, null, null);

        byte[] encoded = codec.encode(event);

        assertThat(new String(encoded, StandardCharsets.UTF_8)).doesNotContain("reason", "actor");
        assertThat(codec.decode(encoded)).isEqualTo(event);
    }

    @Test
    void the_encoding_is_schema_version_one_with_lower_case_wire_names() throws Exception {
        RevocationEvent event = new RevocationEvent("6f1c1b8e-2d7a-4c55-9a39-3f7e2c1d0b4a", RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.CLIENT, ISS, "web-app"), 5, 6, null, null);

        Map<String, Object> members = JSON.readValue(codec.encode(event),
                new TypeReference<Map<String, Object>>() { });

        assertThat(members).containsEntry("v", 1).containsEntry("type", "revoke").containsEntry("scope", "client")
                .containsEntry("issuer", ISS).containsEntry("value", "web-app");
    }

    @Test
    void a_valid_producer_record_decodes_to_its_fields() throws Exception {
        RevocationEvent e = codec.decode(MalformedRecord.json(valid()));

        assertThat(e.eventId()).isEqualTo("6f1c1b8e-2d7a-4c55-9a39-3f7e2c1d0b4a");
        assertThat(e.type()).isEqualTo(RevocationEvent.Type.REVOKE);
        assertThat(e.key()).isEqualTo(new RuleKey(RevocationScope.SUB, ISS, "alice"));
        assertThat(e.at()).isEqualTo(1_700_000_000L);
        assertThat(e.expiresAt()).isEqualTo(1_700_086_400L);
        assertThat(e.reason()).isEqualTo("compromised");
        assertThat(e.actor()).isEqualTo("ops@example");
    }

    @Test
    void unknown_members_are_ignored_for_forward_compatibility() throws Exception {
        Map<String, Object> m = with(x -> {
            x.put("futureField", "x");
            x.put("nested", Map.of("a", List.of(1, 2, 3)));
        });

        assertThat(codec.decode(MalformedRecord.json(m))).isEqualTo(codec.decode(MalformedRecord.json(valid())));
    }

    @Test
    void scope_issuer_may_omit_the_value() throws Exception {
        Map<String, Object> m = with(x -> {
            x.put("scope", "issuer");
            x.remove("value");
        });

        assertThat(codec.decode(MalformedRecord.json(m)).key()).isEqualTo(new RuleKey(RevocationScope.ISSUER, ISS, ""));
    }

    @Test
    void expires_at_equal_to_at_is_accepted() throws Exception {
        assertThat(codec.decode(MalformedRecord.json(with(x -> x.put("expiresAt", x.get("at"))))).expiresAt()).isEqualTo(1_700_000_000L);
    }


    static Stream<Arguments> malformed() {
        String aValidBody = new String(MalformedRecord.json(valid()), StandardCharsets.UTF_8);
        return Stream.of(
                MalformedRecord.raw("not JSON at all", "revoke alice please", "not JSON"),
                MalformedRecord.raw("truncated JSON", aValidBody.substring(0, aValidBody.length() - 5), "not JSON"),
                MalformedRecord.raw("a JSON array", "[" + aValidBody + "]", "JSON object"),
                MalformedRecord.raw("a JSON string", "\"revoke\"", "JSON object"),
                MalformedRecord.of("v missing", with(x -> x.remove("v")), "v:"),
                MalformedRecord.of("v = 2", with(x -> x.put("v", 2)), "v:"),
                MalformedRecord.of("v a string", with(x -> x.put("v", "1")), "v:"),
                MalformedRecord.of("v a fraction", with(x -> x.put("v", 1.5)), "v:"),
                MalformedRecord.of("v = 2^32 + 1, which wraps to 1 as an int", with(x -> x.put("v", 4_294_967_297L)), "v:"),
                MalformedRecord.of("v = 2^64 + 1, beyond a long", with(x -> x.put("v", new BigInteger("18446744073709551617"))), "v:"),
                MalformedRecord.of("v = 1.0 (a float, not an integer)", with(x -> x.put("v", 1.0)), "v:"),
                MalformedRecord.raw("trailing data after the object", aValidBody + " {\"v\":1}", "not JSON"),
                MalformedRecord.raw("trailing garbage after the object", aValidBody + "x", "not JSON"),
                MalformedRecord.of("eventId in upper case", with(x -> x.put("eventId", "6F1C1B8E-2D7A-4C55-9A39-3F7E2C1D0B4A")),
                        "eventId:"),
                MalformedRecord.of("eventId in mixed case", with(x -> x.put("eventId", "6f1c1b8e-2d7a-4c55-9a39-3F7E2C1D0B4A")),
                        "eventId:"),
                MalformedRecord.of("eventId with braces", with(x -> x.put("eventId", "{6f1c1b8e-2d7a-4c55-9a39-3f7e2c1d0b4a}")),
                        "eventId:"),
                MalformedRecord.of("at after the year 9999", with(x -> x.put("at", 253_402_300_800L)), "at:"),
                MalformedRecord.of("expiresAt after the year 9999", with(x -> x.put("expiresAt", Long.MAX_VALUE)), "expiresAt:"),
                MalformedRecord.of("eventId missing", with(x -> x.remove("eventId")), "eventId:"),
                MalformedRecord.of("eventId not a UUID", with(x -> x.put("eventId", "not-a-uuid")), "eventId:"),
                MalformedRecord.of("eventId empty", with(x -> x.put("eventId", "")), "eventId:"),
                MalformedRecord.of("eventId a number", with(x -> x.put("eventId", 42)), "eventId:"),
                MalformedRecord.of("type unknown", with(x -> x.put("type", "delete")), "type:"),
                MalformedRecord.of("type in upper case", with(x -> x.put("type", "REVOKE")), "type:"),
                MalformedRecord.of("type missing", with(x -> x.remove("type")), "type:"),
                MalformedRecord.of("scope unknown", with(x -> x.put("scope", "email")), "scope:"),
                MalformedRecord.of("scope in upper case", with(x -> x.put("scope", "SUB")), "scope:"),
                MalformedRecord.of("scope missing", with(x -> x.remove("scope")), "scope:"),
                MalformedRecord.of("issuer missing", with(x -> x.remove("issuer")), "issuer:"),
                MalformedRecord.of("issuer empty", with(x -> x.put("issuer", "")), "issuer:"),
                MalformedRecord.of("issuer null", with(x -> x.put("issuer", null)), "issuer:"),
                MalformedRecord.of("issuer longer than 1024 characters", with(x -> x.put("issuer", "i".repeat(1025))), "issuer:"),
                MalformedRecord.of("value missing for scope sub", with(x -> x.remove("value")), "value:"),
                MalformedRecord.of("value empty for scope jti", with(x -> { x.put("scope", "jti"); x.put("value", ""); }), "value:"),
                MalformedRecord.of("value a number", with(x -> x.put("value", 7)), "value:"),
                MalformedRecord.of("value non-empty for scope issuer", with(x -> x.put("scope", "issuer")), "value:"),
                MalformedRecord.of("value with a control character", with(x -> x.put("value", "ali\u0000ce")), "value:"),
                MalformedRecord.of("value with the rule-key separator", with(x -> x.put("value", "a\u001fb")), "value:"),
                MalformedRecord.of("value with a newline", with(x -> x.put("value", "alice\nbob")), "value:"),
                MalformedRecord.of("issuer with a control character", with(x -> x.put("issuer", ISS + "\u0007")), "issuer:"),
                MalformedRecord.of("at negative", with(x -> x.put("at", -1)), "at:"),
                MalformedRecord.of("at a string", with(x -> x.put("at", "1700000000")), "at:"),
                MalformedRecord.of("at a fraction", with(x -> x.put("at", 1.7e9 + 0.5)), "at:"),
                MalformedRecord.of("at beyond a long", with(x -> x.put("at", new BigInteger("99999999999999999999"))), "at:"),
                MalformedRecord.of("at missing", with(x -> x.remove("at")), "at:"),
                MalformedRecord.of("expiresAt missing", with(x -> x.remove("expiresAt")), "expiresAt:"),
                MalformedRecord.of("expiresAt before at", with(x -> x.put("expiresAt", 1_699_999_999L)), "expiresAt:"),
                MalformedRecord.of("reason longer than 1024 characters", with(x -> x.put("reason", "r".repeat(1025))), "reason:"),
                MalformedRecord.of("reason a number", with(x -> x.put("reason", 3)), "reason:"),
                MalformedRecord.of("actor longer than 1024 characters", with(x -> x.put("actor", "a".repeat(1025))), "actor:"),
                MalformedRecord.raw("a duplicate member name", aValidBody.replace("\"value\":\"alice\"",
                        "\"value\":\"alice\",\"value\":\"bob\""), "value"),
                MalformedRecord.raw("a duplicate v", "{\"v\":1," + aValidBody.substring(1), "'v'"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "refused: {0}")
    @MethodSource("malformed")
    void a_malformed_record_is_refused_with_a_message_naming_the_field(MalformedRecord bad) {
        MalformedEventException e = assertThrows(MalformedEventException.class, () -> codec.decode(bad.bytes()));

        assertThat(e.getMessage()).contains(bad.field());
    }

    @Test
    void a_reason_of_exactly_1024_characters_is_accepted() throws Exception {
        String reason = "r".repeat(EventCodec.MAX_FIELD_LENGTH);

        assertThat(codec.decode(MalformedRecord.json(with(x -> x.put("reason", reason)))).reason()).isEqualTo(reason);
    }

    @Test
    void whitespace_after_the_object_is_not_trailing_data() throws Exception {
        byte[] body = (new String(MalformedRecord.json(valid()), StandardCharsets.UTF_8) + " \n").getBytes(StandardCharsets.UTF_8);

        assertThat(codec.decode(body).key().value()).isEqualTo("alice");
    }

    @Test
    void a_record_without_a_value_is_refused() {
        assertThatThrownBy(() -> codec.decode(null)).isInstanceOf(MalformedEventException.class);
    }

    @Test
    void deeply_nested_json_is_refused_rather_than_parsed() {
        String nested = "{\"v\":1,\"x\":" + "[".repeat(5000) + "]".repeat(5000) + "}";

        assertThatThrownBy(() -> codec.decode(nested.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedEventException.class)
                .hasMessageStartingWith("not JSON");
    }
}
