package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.admin.IssuerLimit;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.jsonwebtoken.Jwts;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.crypto.spec.SecretKeySpec;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Admin credentials limited to issuers, end to end on a real broker in this JVM and a real
 * sidecar trusting two issuers: a credential for issuer A revokes, restores and reads A's rules,
 * and asking about issuer B's is a 403 naming B that puts nothing on the topic and changes no
 * token's verdict. An admin JWT is limited the same way by its claim.
 */
class IssuerLimitedAdminIT {
    private static final int PARTITIONS = 2;
    /** Issuer B, beside the test issuer A ({@link TestSidecars#ISSUER}). */
    private static final String OTHER = "https://other.test";
    private static final String TEAM_A_TOKEN = "team-a-token-0123456789abcdef0123456789";
    private static final String TEAM_B_TOKEN = "team-b-token-0123456789abcdef0123456789";

    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(PARTITIONS);
    /** The admin JWTs' issuer (admin.jwtIssuer): its rules decide which admin JWTs work. */
    private static final String ADMINS = "https://admins.test";
    private static final String ADMINS_SECRET = "admins-secret-for-hs256-0123456789abcdef";
    private static final MutableClock clock = MutableClock.atNow();
    private static Sidecar sidecar;
    private static int admin;
    private static int api;

    @BeforeAll
    static void start() throws Exception {
        String adminLines = "  token: " + ADMIN_TOKEN + "\n"
                + "  jwtIssuer: " + ADMINS + "\n"
                + "  credentials:\n"
                + "    - name: team-a\n"
                + "      token: " + TEAM_A_TOKEN + "\n"
                + "      scopes: [revocations:write, revocations:read]\n"
                + "      issuers: [" + ISSUER + "]\n"
                + "    - name: team-b\n"
                + "      token: " + TEAM_B_TOKEN + "\n"
                + "      scopes: [revocations:write, revocations:read]\n"
                + "      issuers: [" + OTHER + "]\n";
        // The issuers list is the configuration's last section: B is one more entry of it.
        String yaml = TestSidecars.yaml("issuer-limits", kafka.bootstrapServers(), dir.resolve("store"), adminLines)
                + "  - issuer: " + OTHER + "\n"
                + "    audiences: [" + TestSidecars.AUDIENCE + "]\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - kid: other-1\n"
                + "        alg: HS256\n"
                + "        secret: another-secret-for-hs256-0123456789abcdef\n"
                + "  - issuer: " + ADMINS + "\n"
                + "    audiences: [" + TestSidecars.AUDIENCE + "]\n"
                + "    maxTokenLifetime: 1h\n"
                + "    keys:\n"
                + "      - kid: admins-1\n"
                + "        alg: HS256\n"
                + "        secret: " + ADMINS_SECRET + "\n";
        sidecar = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("store")), clock);
        admin = sidecar.adminPort().orElseThrow();
        api = sidecar.apiPort();
    }

    @AfterAll
    static void stop() {
        sidecar.close();
    }

    /** An admin JWT of {@link #ADMINS} for {@code subject}, issued a minute ago. */
    private static String adminJwt(String subject, Map<String, ?> claims) {
        long iat = clock.epochSecond() - 60;
        return Jwts.builder().header().keyId("admins-1").and().issuer(ADMINS).subject(subject)
                .audience().add(TestSidecars.AUDIENCE).and().claim("iat", iat).claim("exp", iat + 600).claims(claims)
                .signWith(new SecretKeySpec(ADMINS_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"), Jwts.SIG.HS256)
                .compact();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String subRevocation(String issuer, String subject) {
        return "{\"scope\":\"sub\",\"issuer\":\"" + issuer + "\",\"value\":\"" + subject + "\",\"reason\":\"logout_all\"}";
    }

    private static String rulePath(String issuer, String subject) {
        return "/v1/revocations/sub/" + enc(issuer) + "/" + subject;
    }

    private static long endOffsetSum() throws Exception {
        try (Admin kafkaAdmin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = IntStream.range(0, PARTITIONS).boxed().collect(
                    Collectors.toMap(p -> new TopicPartition(TestSidecars.TOPIC, p), p -> OffsetSpec.latest()));
            return kafkaAdmin.listOffsets(latest).all().get().values().stream().mapToLong(o -> o.offset()).sum();
        }
    }

    private static void assertRefusedFor(HttpResponse<String> r, String issuer) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        JsonObject body = new JsonObject(r.body());
        assertThat(body.getString("error")).isEqualTo("issuer_not_permitted");
        assertThat(body.getString("issuer")).isEqualTo(issuer);
    }

    @Test
    void a_credential_for_issuer_a_revokes_reads_and_restores_a_rule_of_a() {
        String victim = token("alice", clock.epochSecond() - 60);
        assertThat(Http.verify(api, victim).statusCode()).isEqualTo(200);

        HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations", TEAM_A_TOKEN, subRevocation(ISSUER, "alice"));
        assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);
        assertThat(new JsonObject(revoked.body()).getBoolean("appliedLocally")).isTrue();
        assertThat(Http.verify(api, victim).body()).contains("\"error\":\"revoked\"");

        HttpResponse<String> read = Http.getWithBearer(admin, rulePath(ISSUER, "alice"), TEAM_A_TOKEN);
        assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
        assertThat(new JsonObject(read.body()).getBoolean("revoked")).isTrue();

        HttpResponse<String> restored = Http.deleteWithBearer(admin, rulePath(ISSUER, "alice"), TEAM_A_TOKEN);
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(202);
        assertThat(Http.verify(api, victim).statusCode()).as("accepted again").isEqualTo(200);
    }

    @Test
    void a_credential_for_issuer_a_revoking_a_rule_of_b_is_403_and_publishes_nothing() throws Exception {
        long before = endOffsetSum();

        HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", TEAM_A_TOKEN, subRevocation(OTHER, "bob"));

        assertRefusedFor(r, OTHER);
        assertThat(new JsonObject(r.body()).getString("message")).contains("[" + ISSUER + "]", OTHER);
        assertThat(endOffsetSum()).as("records on the revocation topic").isEqualTo(before);
        assertThat(Http.getWithBearer(admin, rulePath(OTHER, "bob"), ADMIN_TOKEN).statusCode())
                .as("no rule for bob anywhere").isEqualTo(404);
    }

    @Test
    void a_credential_for_issuer_a_can_neither_restore_nor_read_a_rule_of_b() throws Exception {
        HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations", TEAM_B_TOKEN, subRevocation(OTHER, "carol"));
        assertThat(revoked.statusCode()).as("issuer B's own credential: %s", revoked.body()).isEqualTo(202);
        String eventId = new JsonObject(revoked.body()).getString("eventId");
        long before = endOffsetSum();

        HttpResponse<String> restore = Http.deleteWithBearer(admin, rulePath(OTHER, "carol"), TEAM_A_TOKEN);
        HttpResponse<String> read = Http.getWithBearer(admin, rulePath(OTHER, "carol"), TEAM_A_TOKEN);

        assertRefusedFor(restore, OTHER);
        assertRefusedFor(read, OTHER);
        assertThat(read.body()).as("nothing of B's rule").doesNotContain(eventId, "revoked");
        assertThat(endOffsetSum()).as("records on the revocation topic").isEqualTo(before);
        HttpResponse<String> still = Http.getWithBearer(admin, rulePath(OTHER, "carol"), TEAM_B_TOKEN);
        assertThat(still.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(still.body()).getString("eventId")).as("the rule stands").isEqualTo(eventId);
    }

    @Test
    void every_kind_of_rule_of_b_is_refused_to_a_credential_for_a() throws Exception {
        long before = endOffsetSum();
        List<String> bodies = List.of(
                "{\"scope\":\"jti\",\"issuer\":\"" + OTHER + "\",\"value\":\"t-1\"}",
                "{\"scope\":\"sid\",\"issuer\":\"" + OTHER + "\",\"value\":\"s-1\"}",
                "{\"scope\":\"client\",\"issuer\":\"" + OTHER + "\",\"value\":\"web\"}",
                "{\"scope\":\"kid\",\"issuer\":\"" + OTHER + "\",\"value\":\"other-1\"}",
                "{\"scope\":\"issuer\",\"issuer\":\"" + OTHER + "\"}");

        for (String body : bodies) {
            assertRefusedFor(Http.postJson(admin, "/v1/revocations", TEAM_A_TOKEN, body), OTHER);
        }
        assertRefusedFor(Http.deleteWithBearer(admin, "/v1/revocations/issuer/" + enc(OTHER), TEAM_A_TOKEN), OTHER);
        assertThat(endOffsetSum()).isEqualTo(before);
    }

    @Test
    void the_dead_letters_are_refused_to_a_limited_credential_and_the_refusal_names_it_and_its_limit() {
        try (LogCapture refusals = LogCapture.warn("io.jwtsidecar.http.AdminAuthenticator")) {
            HttpResponse<String> r = Http.getWithBearer(admin, "/v1/dead-letters", TEAM_A_TOKEN);

            assertRefusedFor(r, null);
            assertThat(refusals.messages()).anySatisfy(m -> assertThat(m)
                    .contains("403", "team-a", "limited to issuers [" + ISSUER + "]"));
        }
        assertThat(Http.getWithBearer(admin, "/v1/dead-letters", ADMIN_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void the_audit_line_names_the_credential_and_its_limit() {
        try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
            HttpResponse<String> r = Http.postJson(admin, "/v1/revocations", TEAM_B_TOKEN, subRevocation(OTHER, "dave"));

            assertThat(r.statusCode()).isEqualTo(202);
            assertThat(audit.jsonMessages()).anySatisfy(m -> assertThat(m.getMap()).containsEntry("value", "dave")
                    .containsEntry("actor", "team-b").containsEntry("via", "static-token")
                    .containsEntry("issuers", List.of(OTHER)));
        }
    }

    @Test
    void an_admin_jwt_limited_by_its_claim_is_refused_for_other_issuers() throws Exception {
        String limited = adminJwt("ops-erin", Map.of("scope", "revocations:write", IssuerLimit.JWT_CLAIM, List.of(ISSUER)));
        long before = endOffsetSum();

        assertRefusedFor(Http.postJson(admin, "/v1/revocations", limited, subRevocation(OTHER, "frank")), OTHER);
        assertThat(endOffsetSum()).isEqualTo(before);
        assertThat(Http.postJson(admin, "/v1/revocations", limited, subRevocation(ISSUER, "frank")).statusCode())
                .isEqualTo(202);
    }

    @Test
    void rules_of_the_admin_jwt_issuer_are_refused_to_every_limited_credential_and_open_to_an_unlimited_one()
            throws Exception {
        // Root's admin JWT has no claim: it acts for every issuer. Its revocation must hold against
        // anyone who is not as powerful.
        String root = adminJwt("root", Map.of("scope", "revocations:write revocations:read"));
        assertThat(Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, subRevocation(ADMINS, "root")).statusCode())
                .isEqualTo(202);
        await().atMost(Duration.ofSeconds(10)).until(() -> Http.postJson(admin, "/v1/revocations", root,
                subRevocation(ISSUER, "nobody")).statusCode() == 401);
        String claimingAdmins = adminJwt("ops-ivan", Map.of("scope", "revocations:write",
                IssuerLimit.JWT_CLAIM, List.of(ISSUER, ADMINS)));
        long before = endOffsetSum();

        for (String limited : List.of(TEAM_A_TOKEN, TEAM_B_TOKEN, claimingAdmins)) {
            assertRefusedFor(Http.deleteWithBearer(admin, rulePath(ADMINS, "root"), limited), ADMINS);
            assertRefusedFor(Http.postJson(admin, "/v1/revocations", limited, subRevocation(ADMINS, "security")), ADMINS);
        }
        assertThat(endOffsetSum()).as("nothing published").isEqualTo(before);
        assertThat(Http.postJson(admin, "/v1/revocations", root, subRevocation(ISSUER, "nobody")).statusCode())
                .as("root stays revoked").isEqualTo(401);
        assertThat(Http.deleteWithBearer(admin, rulePath(ADMINS, "root"), ADMIN_TOKEN).statusCode())
                .as("a credential for every issuer lifts it").isEqualTo(202);
    }

    @Test
    void a_fleet_receipt_names_no_rule_and_stays_open_to_a_limited_credential() {
        HttpResponse<String> revoked = Http.postJson(admin, "/v1/revocations", TEAM_B_TOKEN, subRevocation(OTHER, "grace"));
        String eventId = new JsonObject(revoked.body()).getString("eventId");

        HttpResponse<String> receipt = Http.getWithBearer(admin, "/v1/revocations/" + eventId + "/status", TEAM_A_TOKEN);

        assertThat(receipt.statusCode()).as(receipt.body()).isEqualTo(200);
        assertThat(receipt.body()).doesNotContain(OTHER, "grace");
    }
}
