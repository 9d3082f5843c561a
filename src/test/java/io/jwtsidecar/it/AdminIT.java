package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The secure admin plane end to end, on a real broker in this JVM and a real sidecar: who may
 * revoke and restore (static credentials with scopes, JWTs of the admin issuer), the audit log,
 * restore and look-up, idempotent repeats, and 400s that name the field.
 */
class AdminIT {
    private static final int PARTITIONS = 2;
    private static final String READER_TOKEN = "dashboard-token-0123456789abcdef0123456";
    private static final String WRITE = "revocations:write";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(PARTITIONS);
    private static final MutableClock clock = MutableClock.atNow();
    private static Sidecar sidecar;
    private static int admin;
    private static int api;

    @BeforeAll
    static void start() throws Exception {
        String adminLines = "  token: " + ADMIN_TOKEN + "\n"
                + "  credentials:\n"
                + "    - name: dashboard\n"
                + "      token: " + READER_TOKEN + "\n"
                + "      scopes: [revocations:read]\n"
                + "  jwtIssuer: " + ISSUER + "\n";
        sidecar = TestSidecars.startReady(new ConfigLoader(Map.of()).parse(
                TestSidecars.yaml("admin-it", kafka.bootstrapServers(), dir.resolve("a"), adminLines), dir), clock);
        admin = sidecar.adminPort().orElseThrow();
        api = sidecar.apiPort();
    }

    @AfterAll
    static void stop() {
        sidecar.close();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String subRevocation(String subject) {
        return "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\",\"reason\":\"logout_all\"}";
    }

    /** An admin JWT of the test issuer (the admin issuer here), issued a minute ago. */
    private static String adminJwt(String subject, Map<String, ?> claims) {
        return token(subject, clock.epochSecond() - 60, claims);
    }

    private static long endOffsetSum() throws Exception {
        try (Admin kafkaAdmin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, PARTITIONS).boxed().collect(
                    Collectors.toMap(p -> new TopicPartition(TestSidecars.TOPIC, p), p -> OffsetSpec.latest()));
            return kafkaAdmin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    // ---- who may act ----------------------------------------------------------------------------

    @Test
    void a_revocation_without_a_credential_is_401() {
        HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", null, subRevocation("nobody-1"));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).contains("Bearer realm=\"jwt-sidecar-admin\"");
    }

    @Test
    void a_revocation_with_a_wrong_credential_is_401() {
        HttpResponse<String> wrongStatic = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN + "x", subRevocation("nobody-2"));
        String otherKey = io.jsonwebtoken.Jwts.builder().issuer(ISSUER).subject("mallory").audience()
                .add(TestSidecars.AUDIENCE).and().claim("scope", WRITE)
                .claim("exp", clock.epochSecond() + 600).header().keyId("hs1").and()
                .signWith(io.jsonwebtoken.Jwts.SIG.HS256.key().build()).compact();
        HttpResponse<String> forgedJwt = Http.postJson(admin, "/v1/revocations", otherKey, subRevocation("nobody-2"));

        assertThat(wrongStatic.statusCode()).isEqualTo(401);
        assertThat(forgedJwt.statusCode()).isEqualTo(401);
        assertThat(forgedJwt.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v)
                .contains("error=\"invalid_token\"", "error_description=\"bad_signature\""));
    }

    @Test
    void a_read_only_credential_posting_is_403_insufficient_scope() {
        HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", READER_TOKEN, subRevocation("nobody-3"));

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\"}");
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer error=\"insufficient_scope\", scope=\"revocations:write\"");
    }

    @Test
    void a_jwt_of_the_admin_issuer_with_the_write_scope_revokes() {
        String victim = token("grace", clock.epochSecond() - 60);
        assertThat(Http.verify(api, victim).statusCode()).isEqualTo(200);

        HttpResponse<String> r = Http.postJson(admin, "/v1/revocations",
                adminJwt("ops-carol", Map.of("scope", "openid " + WRITE)), subRevocation("grace"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(new JsonObject(r.body()).getBoolean("appliedLocally")).isTrue();
        assertThat(Http.verify(api, victim).body()).contains("\"error\":\"revoked\"");
    }

    @Test
    void a_jwt_of_the_admin_issuer_without_the_scope_is_403() {
        List<Map<String, ?>> withoutWriteScope = List.of(Map.of(), Map.of("scope", "openid profile"),
                Map.of("scp", List.of("revocations:read")));
        for (Map<String, ?> claims : withoutWriteScope) {
            HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", adminJwt("ops-dave", claims),
                    subRevocation("nobody-4"));

            assertThat(r.statusCode()).as("claims %s", claims).isEqualTo(403);
            assertThat(r.body()).isEqualTo("{\"error\":\"insufficient_scope\"}");
        }
    }

    @Test
    void a_revoked_admin_jwt_is_refused_because_revocation_applies_to_it_too() {
        String adminToken = adminJwt("ops-frank", Map.of("scope", WRITE));
        assertThat(Http.postJson(admin, "/v1/revocations", adminToken, subRevocation("nobody-5")).statusCode())
                .isEqualTo(202);
        assertThat(Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, subRevocation("ops-frank")).statusCode())
                .isEqualTo(202);

        HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", adminToken, subRevocation("nobody-6"));

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(
                v -> assertThat(v).contains("error_description=\"revoked\""));
    }

    // ---- audit, restore, look-up ------------------------------------------------------------------

    @Test
    void accepted_revoke_and_restore_are_audited_with_actor_reason_and_event_id() {
        try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
            HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations",
                    adminJwt("ops-erin", Map.of("scp", List.of(WRITE))), subRevocation("heidi"));
            HttpResponse<String> restored = Http.deleteWithBearer(admin,
                    "/v1/revocations/sub/" + enc(ISSUER) + "/heidi?reason=mistaken+revocation", ADMIN_TOKEN);

            assertThat(revoked.statusCode()).isEqualTo(202);
            assertThat(restored.statusCode()).isEqualTo(202);
            String revokeId = new JsonObject(revoked.body()).getString("eventId");
            String restoreId = new JsonObject(restored.body()).getString("eventId");
            assertThat(audit.jsonMessages()).anySatisfy(m -> assertThat(m.getMap()).containsEntry("action", "revoke")
                    .containsEntry("eventId", revokeId).containsEntry("scope", "sub").containsEntry("issuer", ISSUER)
                    .containsEntry("value", "heidi").containsEntry("actor", "ops-erin").containsEntry("via", "jwt")
                    .containsEntry("reason", "logout_all"));
            assertThat(audit.jsonMessages()).anySatisfy(m -> assertThat(m.getMap()).containsEntry("action", "restore")
                    .containsEntry("eventId", restoreId).containsEntry("value", "heidi").containsEntry("actor", "admin")
                    .containsEntry("via", "static-token").containsEntry("reason", "mistaken revocation"));
        }
    }

    @Test
    void delete_restores_a_revoked_token_and_get_shows_the_local_state() {
        String ivan = token("ivan", clock.epochSecond() - 60);
        String rulePath = "/v1/revocations/sub/" + enc(ISSUER) + "/ivan";
        HttpResponse<String> before = Http.getWithBearer(admin, rulePath, READER_TOKEN);
        assertThat(before.statusCode()).isEqualTo(404);
        assertThat(new JsonObject(before.body()).getBoolean("revoked")).isFalse();

        HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, subRevocation("ivan"));
        assertThat(Http.verify(api, ivan).statusCode()).isEqualTo(401);
        HttpResponse<String> during = Http.getWithBearer(admin, rulePath, READER_TOKEN);
        assertThat(during.statusCode()).isEqualTo(200);
        JsonObject rule = new JsonObject(during.body());
        assertThat(rule.getBoolean("revoked")).isTrue();
        assertThat(rule.getString("eventId")).isEqualTo(new JsonObject(revoked.body()).getString("eventId"));
        assertThat(rule.getString("issuer")).isEqualTo(ISSUER);
        assertThat(rule.getLong("expiresAt")).as("a token lifetime and twice the skew")
                .isEqualTo(rule.getLong("at") + 3600 + 2 * TestSidecars.SKEW.toSeconds());

        HttpResponse<String> restored = Http.deleteWithBearer(admin, rulePath, ADMIN_TOKEN);

        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(202);
        assertThat(new JsonObject(restored.body()).getString("type")).isEqualTo("restore");
        assertThat(new JsonObject(restored.body()).getBoolean("appliedLocally")).isTrue();
        assertThat(Http.verify(api, ivan).statusCode()).as("the revoked token is accepted again").isEqualTo(200);
        assertThat(Http.getWithBearer(admin, rulePath, READER_TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void the_issuer_wide_rule_is_looked_up_without_a_value_segment() {
        String path = "/v1/revocations/issuer/" + enc(ISSUER);

        assertThat(Http.getWithBearer(admin, path, READER_TOKEN).statusCode()).isEqualTo(404);
        assertThat(Http.getWithBearer(admin, path + "/", READER_TOKEN).statusCode()).isEqualTo(404);
        assertThat(Http.getWithBearer(admin, path, ADMIN_TOKEN.substring(1)).statusCode()).isEqualTo(401);
    }

    // ---- idempotency, validation ---------------------------------------------------------------------

    @Test
    void a_repeated_post_with_the_same_event_id_returns_the_same_event_and_publishes_once() throws Exception {
        String body = "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"judy\",\"eventId\":\""
                + UUID.randomUUID() + "\"}";
        long offsetsBefore = endOffsetSum();
        long appliedBefore = sidecar.feed().eventsApplied();

        HttpResponse<String> first = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, body);
        HttpResponse<String> again = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(new JsonObject(again.body()).getString("eventId")).isEqualTo(new JsonObject(first.body()).getString("eventId"));
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(endOffsetSum() - offsetsBefore).as("records on the topic").isEqualTo(1);
        assertThat(sidecar.feed().eventsApplied() - appliedBefore).as("events this sidecar applied").isEqualTo(1);

        HttpResponse<String> reused = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, body.replace("judy", "ken"));
        assertThat(reused.statusCode()).isEqualTo(409);
        assertThat(endOffsetSum() - offsetsBefore).isEqualTo(1);
    }

    @Test
    void malformed_bodies_are_400_naming_the_field() {
        Map<String, String> fieldOf = Map.of(
                "not json", "body",
                "{\"scope\":\"sub\",\"value\":\"x\"}", "issuer",
                "{\"scope\":\"person\",\"issuer\":\"" + ISSUER + "\",\"value\":\"x\"}", "scope",
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\"}", "value",
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"x\",\"at\":\"yesterday\"}", "at",
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"x\",\"eventId\":\"not-a-uuid\"}", "eventId",
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"x\",\"colour\":\"red\"}", "colour");
        fieldOf.forEach((body, field) -> {
            HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, body);

            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(new JsonObject(r.body()).getString("field")).as(body).isEqualTo(field);
        });
    }

    @Test
    void the_admin_listener_starts_with_any_kind_of_credential_and_not_without() throws Exception {
        try (Sidecar jwtOnly = TestSidecars.startReady(new ConfigLoader(Map.of()).parse(TestSidecars.yaml("jwt-only",
                kafka.bootstrapServers(), dir.resolve("jwt-only"), "  jwtIssuer: " + ISSUER + "\n"), dir), clock);
             Sidecar none = TestSidecars.startReady("none", kafka.bootstrapServers(), dir.resolve("none"), false, clock)) {
            int port = jwtOnly.adminPort().orElseThrow();
            assertThat(Http.postJson(port, "/v1/revocations", ADMIN_TOKEN, subRevocation("nobody-7")).statusCode())
                    .as("no admin.token here").isEqualTo(401);
            assertThat(Http.getWithBearer(port, "/v1/dead-letters", adminJwt("ops-olga", Map.of("scope", "revocations:read")))
                    .statusCode()).isEqualTo(200);
            assertThat(none.adminPort()).as("no credential of any kind: no admin listener").isEmpty();
        }
    }
}
