package io.jwtsidecar.feed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.testing.MalformedRecord;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The status record wire format: what a sidecar writes is read back unchanged, unknown members
 * are tolerated, and anything missing, ill-typed or absurd is refused with a message naming the
 * field, never read as a default (a missing offset must not become 0, a string must not become
 * a number).
 */
class SidecarStatusTest {
    /** A valid report as the JSON members a sidecar writes; tests change one thing. */
    private static Map<String, Object> valid() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("v", 1);
        m.put("sidecarId", "shop/orders-7d9f8b6c5d-x1y2z");
        m.put("reportedAt", 1_700_000_000_000L);
        m.put("stalenessMillis", 12);
        m.put("appliedNext", new LinkedHashMap<>(Map.of("0", 5, "1", 0)));
        m.put("appliedAt", new LinkedHashMap<>(Map.of("0", 1_699_999_999_000L)));
        return m;
    }

    private static Map<String, Object> with(Consumer<Map<String, Object>> change) {
        Map<String, Object> m = valid();
        change.accept(m);
        return m;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> nested(Map<String, Object> m, String field) {
        return (Map<String, Object>) m.get(field);
    }


    @Test
    void a_report_survives_encode_and_decode_unchanged() {
        SidecarStatus status = new SidecarStatus("billing/billing-debug", 1_700_000_000_000L,
                Map.of(0, 17L, 1, 0L, 5, 3L), Map.of(0, 1_699_999_998_000L, 5, 1_699_999_999_000L), -1);

        assertThat(SidecarStatus.fromJson(status.toJson())).isEqualTo(status);
    }

    @Test
    void partition_counts_survive_encode_and_decode_and_are_unknown_when_an_older_sidecar_omits_them() {
        SidecarStatus s = new SidecarStatus("shop/a", 1_700_000_000_000L, Map.of(0, 5L), Map.of(), 3, 6, 6);

        assertThat(SidecarStatus.fromJson(s.toJson())).isEqualTo(s);
        SidecarStatus older = SidecarStatus.fromJson(MalformedRecord.json(valid()));
        assertThat(older.partitionsAssigned()).isEqualTo(-1);
        assertThat(older.partitionsExisting()).isEqualTo(-1);
    }

    @Test
    void a_valid_record_decodes_to_its_fields() {
        SidecarStatus s = SidecarStatus.fromJson(MalformedRecord.json(valid()));

        assertThat(s.sidecarId()).isEqualTo("shop/orders-7d9f8b6c5d-x1y2z");
        assertThat(s.reportedAt()).isEqualTo(1_700_000_000_000L);
        assertThat(s.stalenessMillis()).isEqualTo(12);
        assertThat(s.appliedNext()).isEqualTo(Map.of(0, 5L, 1, 0L));
        assertThat(s.appliedAt()).isEqualTo(Map.of(0, 1_699_999_999_000L));
    }

    @Test
    void unknown_members_are_ignored_so_a_newer_sidecar_can_add_fields() {
        Map<String, Object> m = with(x -> {
            x.put("partitionCount", 6);
            x.put("nested", Map.of("a", List.of(1, 2, 3)));
        });

        assertThat(SidecarStatus.fromJson(MalformedRecord.json(m))).isEqualTo(SidecarStatus.fromJson(MalformedRecord.json(valid())));
    }

    @Test
    void a_sidecar_that_has_applied_nothing_yet_reports_empty_maps_and_unknown_staleness() {
        SidecarStatus s = SidecarStatus.fromJson(MalformedRecord.json(with(x -> {
            x.put("appliedNext", Map.of());
            x.put("appliedAt", Map.of());
            x.put("stalenessMillis", -1);
        })));

        assertThat(s.appliedNext()).isEmpty();
        assertThat(s.stalenessMillis()).isEqualTo(-1);
    }

    @Test
    void a_report_naming_as_many_partitions_as_allowed_is_accepted() {
        Map<String, Object> next = new HashMap<>();
        for (int p = 0; p < SidecarStatus.MAX_PARTITIONS; p++) {
            next.put(String.valueOf(p), 1);
        }

        assertThat(SidecarStatus.fromJson(MalformedRecord.json(with(x -> x.put("appliedNext", next)))).appliedNext())
                .hasSize(SidecarStatus.MAX_PARTITIONS);
    }


    @Test
    void a_node_level_sidecar_names_its_clients_and_they_survive_encode_and_decode() {
        SidecarStatus s = new SidecarStatus("node-a", 1_700_000_000_000L, Map.of(0, 5L), Map.of(0, 1_699_999_999_000L), 12,
                6, 6, List.of("shop/cart-7d9f", "shop/web-0"));

        assertThat(SidecarStatus.fromJson(s.toJson())).isEqualTo(s);
        assertThat(SidecarStatus.fromJson(MalformedRecord.json(valid())).clients()).as("older and per-pod sidecars name none")
                .isEmpty();
    }

    @Test
    void as_many_clients_as_a_node_holds_are_accepted() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ServedClients.MAX_CLIENTS; i++) {
            names.add("shop/pod-" + i);
        }

        assertThat(SidecarStatus.fromJson(MalformedRecord.json(with(x -> x.put("clients", names)))).clients())
                .hasSize(ServedClients.MAX_CLIENTS);
    }

    static Stream<Arguments> malformed() {
        String body = new String(MalformedRecord.json(valid()), StandardCharsets.UTF_8);
        Map<String, Object> tooMany = new HashMap<>();
        for (int p = 0; p <= SidecarStatus.MAX_PARTITIONS; p++) {
            tooMany.put(String.valueOf(p), 1);
        }
        List<String> tooManyClients = new ArrayList<>();
        for (int i = 0; i <= ServedClients.MAX_CLIENTS; i++) {
            tooManyClients.add("shop/pod-" + i);
        }
        return Stream.of(
                MalformedRecord.raw("not JSON at all", "status: fine", "not JSON"),
                MalformedRecord.raw("truncated JSON", body.substring(0, body.length() - 3), "not JSON"),
                MalformedRecord.raw("JSON followed by more", body + "{}", "not JSON"),
                MalformedRecord.raw("a JSON array", "[" + body + "]", "JSON object"),
                MalformedRecord.raw("JSON null", "null", "JSON object"),
                MalformedRecord.raw("a duplicate member name", body.replace("\"reportedAt\":1700000000000",
                        "\"reportedAt\":1700000000000,\"reportedAt\":4102444800000"), "reportedAt"),
                MalformedRecord.of("partitions not an object", with(x -> x.put("partitions", 6)), "partitions:"),
                MalformedRecord.of("partitions.assigned missing", with(x -> x.put("partitions", Map.of("existing", 6))),
                        "partitions.assigned:"),
                MalformedRecord.of("partitions.existing a string", with(x -> x.put("partitions", Map.of("assigned", 6,
                        "existing", "6"))), "partitions.existing:"),
                MalformedRecord.of("partitions.existing absurd", with(x -> x.put("partitions", Map.of("assigned", 6,
                        "existing", 2_000_000))), "partitions.existing:"),
                MalformedRecord.of("v missing", with(x -> x.remove("v")), "v:"),
                MalformedRecord.of("v = 2", with(x -> x.put("v", 2)), "v:"),
                MalformedRecord.of("v a string", with(x -> x.put("v", "1")), "v:"),
                MalformedRecord.of("v a fraction", with(x -> x.put("v", 1.5)), "v:"),
                MalformedRecord.of("sidecarId missing", with(x -> x.remove("sidecarId")), "sidecarId:"),
                MalformedRecord.of("sidecarId a number", with(x -> x.put("sidecarId", 42)), "sidecarId:"),
                MalformedRecord.of("sidecarId null", with(x -> x.put("sidecarId", null)), "sidecarId:"),
                MalformedRecord.of("sidecarId empty", with(x -> x.put("sidecarId", "")), "sidecarId:"),
                MalformedRecord.of("sidecarId with a newline", with(x -> x.put("sidecarId", "shop/a\nshop/b")), "sidecarId:"),
                MalformedRecord.of("sidecarId longer than allowed",
                        with(x -> x.put("sidecarId", "s".repeat(SidecarStatus.MAX_ID_LENGTH + 1))), "sidecarId:"),
                MalformedRecord.of("reportedAt missing", with(x -> x.remove("reportedAt")), "reportedAt:"),
                MalformedRecord.of("reportedAt a string", with(x -> x.put("reportedAt", "1700000000000")), "reportedAt:"),
                MalformedRecord.of("reportedAt a fraction", with(x -> x.put("reportedAt", 1.7e12 + 0.5)), "reportedAt:"),
                MalformedRecord.of("reportedAt zero", with(x -> x.put("reportedAt", 0)), "reportedAt:"),
                MalformedRecord.of("reportedAt negative", with(x -> x.put("reportedAt", -1)), "reportedAt:"),
                MalformedRecord.of("reportedAt beyond a long",
                        with(x -> x.put("reportedAt", new BigInteger("99999999999999999999"))), "reportedAt:"),
                MalformedRecord.of("reportedAt true", with(x -> x.put("reportedAt", true)), "reportedAt:"),
                MalformedRecord.of("stalenessMillis missing", with(x -> x.remove("stalenessMillis")), "stalenessMillis:"),
                MalformedRecord.of("stalenessMillis below -1", with(x -> x.put("stalenessMillis", -2)), "stalenessMillis:"),
                MalformedRecord.of("stalenessMillis a string", with(x -> x.put("stalenessMillis", "12")), "stalenessMillis:"),
                MalformedRecord.of("appliedNext missing", with(x -> x.remove("appliedNext")), "appliedNext:"),
                MalformedRecord.of("appliedNext an array", with(x -> x.put("appliedNext", List.of(5, 0))), "appliedNext:"),
                MalformedRecord.of("appliedNext null", with(x -> x.put("appliedNext", null)), "appliedNext:"),
                MalformedRecord.of("a negative offset", with(x -> nested(x, "appliedNext").put("0", -5)), "appliedNext.0:"),
                MalformedRecord.of("an offset as a string", with(x -> nested(x, "appliedNext").put("0", "5")), "appliedNext.0:"),
                MalformedRecord.of("an offset as a fraction", with(x -> nested(x, "appliedNext").put("0", 5.5)), "appliedNext.0:"),
                MalformedRecord.of("an offset null", with(x -> nested(x, "appliedNext").put("0", null)), "appliedNext.0:"),
                MalformedRecord.of("an offset beyond a long", with(x -> nested(x, "appliedNext")
                        .put("0", new BigInteger("99999999999999999999"))), "appliedNext.0:"),
                MalformedRecord.of("a negative partition", with(x -> nested(x, "appliedNext").put("-1", 3)), "appliedNext.-1:"),
                MalformedRecord.of("a partition that is not a number", with(x -> nested(x, "appliedNext").put("x", 3)),
                        "appliedNext.x:"),
                MalformedRecord.of("a partition with a leading zero", with(x -> nested(x, "appliedNext").put("01", 3)),
                        "appliedNext.01:"),
                MalformedRecord.of("a partition beyond an int", with(x -> nested(x, "appliedNext").put("2147483648", 3)),
                        "appliedNext.2147483648:"),
                MalformedRecord.of("more partitions than allowed", with(x -> x.put("appliedNext", tooMany)), "appliedNext:"),
                MalformedRecord.of("appliedAt missing", with(x -> x.remove("appliedAt")), "appliedAt:"),
                MalformedRecord.of("a negative appliedAt", with(x -> nested(x, "appliedAt").put("0", -1)), "appliedAt.0:"),
                MalformedRecord.of("an appliedAt as a string", with(x -> nested(x, "appliedAt").put("0", "1699999999000")),
                        "appliedAt.0:"),
                MalformedRecord.of("more appliedAt partitions than allowed", with(x -> x.put("appliedAt", tooMany)), "appliedAt:"),
                MalformedRecord.of("clients not an array", with(x -> x.put("clients", "shop/web-0")), "clients:"),
                MalformedRecord.of("a client that is not a string", with(x -> x.put("clients", List.of(7))), "clients:"),
                MalformedRecord.of("a client without a namespace", with(x -> x.put("clients", List.of("web-0"))), "clients:"),
                MalformedRecord.of("a client with a newline", with(x -> x.put("clients", List.of("shop/web-0\nshop/x"))),
                        "clients:"),
                MalformedRecord.of("a client named twice", with(x -> x.put("clients", List.of("shop/web-0", "shop/web-0"))),
                        "clients:"),
                MalformedRecord.of("more clients than a node holds", with(x -> x.put("clients", tooManyClients)), "clients:"))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "refused: {0}")
    @MethodSource("malformed")
    void a_malformed_record_is_refused_with_a_message_naming_the_field(MalformedRecord bad) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SidecarStatus.fromJson(bad.bytes()));

        assertThat(e.getMessage()).contains(bad.field());
    }

    @Test
    void a_record_without_a_value_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> SidecarStatus.fromJson(null));
    }
}
