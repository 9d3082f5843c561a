package io.jwtsidecar.http;

import io.jwtsidecar.admin.AdminScope;
import io.jwtsidecar.admin.IssuerLimit;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.feed.PublishReceipt;
import io.jwtsidecar.metrics.SidecarMetrics;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RocksDbRevocationStore;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.revocation.StoreBatch;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawHttp;
import io.jwtsidecar.testing.TestKeys;
import io.jwtsidecar.token.IssuerPolicy;
import io.jwtsidecar.token.RevocationCheck;
import io.jwtsidecar.token.TokenVerifier;
import io.jwtsidecar.token.keys.JwsAlgorithm;
import io.jwtsidecar.token.keys.StaticKeySource;
import io.jwtsidecar.token.keys.VerificationKey;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The admin routes over real HTTP on loopback, with a real RocksDB store: input validation (every
 * 400 names its field), percent-encoded issuers in paths, restore and look-up, and idempotency by
 * event id. Publishing is recorded in memory here; AdminIT publishes to a real broker.
 */
class AdminRoutesTest {
    private static final String ISSUER = "https://idp.example.com/realms/main";
    private static final String ADMIN_TOKEN = "admin-token-0123456789abcdef0123456789";
    private static final String READER_TOKEN = "reader-token-0123456789abcdef012345678";
    private static final String OTHER_WRITER_TOKEN = "writer-token-0123456789abcdef012345678";
    /** A second configured issuer, and a credential limited to it. */
    private static final String PARTNER_ISSUER = "https://partners.example.com";
    private static final String PARTNER_TOKEN = "partner-token-0123456789abcdef012345678";
    private static final MutableClock CLOCK = MutableClock.atNow();
    private static final List<RevocationEvent> published = new CopyOnWriteArrayList<>();
    private static final AtomicLong offsets = new AtomicLong();
    /** When set, the next publish waits for this promise (null: answer at once). */
    private static final AtomicReference<Promise<PublishReceipt>> nextPublish = new AtomicReference<>();
    private static final HttpClient client = HttpClient.newHttpClient();
    private static Path dir;
    private static RocksDbRevocationStore store;
    private static Vertx vertx;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("admin-routes-");
        store = RocksDbRevocationStore.open(dir.resolve("store"), 10_000, 0.001);
        IssuerPolicy policy = new IssuerPolicy(ISSUER, new StaticKeySource(List.of(new VerificationKey("k1",
                JwsAlgorithm.HS256, TestKeys.generate(JwsAlgorithm.HS256).verificationKey()))), Set.of(JwsAlgorithm.HS256),
                Set.of("api"), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null);
        IssuerPolicy partners = new IssuerPolicy(PARTNER_ISSUER, new StaticKeySource(List.of(new VerificationKey("p1",
                JwsAlgorithm.HS256, TestKeys.generate(JwsAlgorithm.HS256).verificationKey()))), Set.of(JwsAlgorithm.HS256),
                Set.of("api"), List.of(), null, Duration.ofSeconds(30), Duration.ofHours(1), null);
        TokenVerifier verifier = new TokenVerifier(List.of(policy, partners), 8192, CLOCK,
                (t, s) -> RevocationCheck.Status.NOT_REVOKED);
        SidecarMetrics metrics = new SidecarMetrics();
        AdminAuthenticator auth = new AdminAuthenticator(List.of(AdminAuthenticator.Credential.adminToken(ADMIN_TOKEN),
                new AdminAuthenticator.Credential("dashboard", READER_TOKEN, EnumSet.of(AdminScope.REVOCATIONS_READ)),
                new AdminAuthenticator.Credential("ops", OTHER_WRITER_TOKEN, EnumSet.allOf(AdminScope.class)),
                new AdminAuthenticator.Credential("partner-support", PARTNER_TOKEN, EnumSet.allOf(AdminScope.class),
                        IssuerLimit.only(List.of(PARTNER_ISSUER)))),
                Optional.empty(), verifier, metrics);
        AdminRoutes.EventPublisher publisher = event -> {
            Promise<PublishReceipt> waitFor = nextPublish.getAndSet(null);
            published.add(event);
            long offset = offsets.getAndIncrement();
            if (waitFor != null) {
                return waitFor.future();
            }
            return Future.succeededFuture(new PublishReceipt(event.eventId(), 0, offset, 0L));
        };
        AdminRoutes routes = new AdminRoutes(auth, publisher, verifier, CLOCK,
                (partition, offset) -> CompletableFuture.completedFuture(null), store, metrics);
        vertx = Vertx.vertx();
        port = vertx.createHttpServer(ListenerOptions.forListener("127.0.0.1", 0, 8192)).requestHandler(routes.router(vertx))
                .listen().toCompletionStage().toCompletableFuture().get().actualPort();
    }

    @AfterAll
    static void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
        store.close();
    }

    @BeforeEach
    void forgetPublished() {
        published.clear();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static HttpResponse<String> send(HttpRequest.Builder b, String token) throws Exception {
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return post(json, ADMIN_TOKEN);
    }

    private static HttpResponse<String> post(String json, String token) throws Exception {
        return send(at("/v1/revocations").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)), token);
    }

    private static HttpResponse<String> delete(String path) throws Exception {
        return send(at(path).DELETE(), ADMIN_TOKEN);
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return send(at(path).GET(), READER_TOKEN);
    }

    private static JsonObject json(HttpResponse<String> r) {
        return new JsonObject(r.body());
    }

    private static String revokeBody(String value) {
        return "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + value + "\"";
    }

    // ---- POST validation ----------------------------------------------------------------------

    static Stream<Arguments> malformedRevocations() {
        String iss = "\"issuer\":\"" + ISSUER + "\"";
        return Stream.of(
                Arguments.of("a body that is not JSON", "scope=sub", "body"),
                Arguments.of("a JSON array", "[]", "body"),
                Arguments.of("an unknown member", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"who\":\"x\"}", "who"),
                Arguments.of("no scope", "{" + iss + ",\"value\":\"a\"}", "scope"),
                Arguments.of("an unknown scope", "{\"scope\":\"user\"," + iss + ",\"value\":\"a\"}", "scope"),
                Arguments.of("a scope that is not a string", "{\"scope\":1," + iss + ",\"value\":\"a\"}", "scope"),
                Arguments.of("no issuer", "{\"scope\":\"sub\",\"value\":\"a\"}", "issuer"),
                Arguments.of("an empty issuer", "{\"scope\":\"sub\",\"issuer\":\"\",\"value\":\"a\"}", "issuer"),
                Arguments.of("an issuer with a control character",
                        "{\"scope\":\"sub\",\"issuer\":\"https://a\\u0000b\",\"value\":\"a\"}", "issuer"),
                Arguments.of("no value for scope sub", "{\"scope\":\"sub\"," + iss + "}", "value"),
                Arguments.of("an empty value for scope jti", "{\"scope\":\"jti\"," + iss + ",\"value\":\"\"}", "value"),
                Arguments.of("a value for scope issuer", "{\"scope\":\"issuer\"," + iss + ",\"value\":\"a\"}", "value"),
                Arguments.of("a value over 1024 characters",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"" + "v".repeat(1025) + "\"}", "value"),
                Arguments.of("a reason that is not a string", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"reason\":7}", "reason"),
                Arguments.of("a reason with a line break",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"reason\":\"x\\nrevoke eventId=forged\"}", "reason"),
                Arguments.of("an actor with a line break",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"actor\":\"x\\ny\"}", "actor"),
                Arguments.of("at as a string", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"at\":\"now\"}", "at"),
                Arguments.of("a negative at", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"at\":-1}", "at"),
                Arguments.of("a fractional at", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"at\":1.5}", "at"),
                Arguments.of("at far in the future",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"at\":" + (CLOCK.epochSecond() + 3600) + "}", "at"),
                Arguments.of("expiresAt before at",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"at\":1000,\"expiresAt\":999}", "expiresAt"),
                Arguments.of("no expiresAt for an unknown issuer",
                        "{\"scope\":\"sub\",\"issuer\":\"https://unknown.example\",\"value\":\"a\"}", "expiresAt"),
                Arguments.of("an eventId that is not a UUID",
                        "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"eventId\":\"1-1-1-1-1\"}", "eventId"),
                Arguments.of("an eventId that is a number", "{\"scope\":\"sub\"," + iss + ",\"value\":\"a\",\"eventId\":42}", "eventId"));
    }

    @ParameterizedTest(name = "{0} is a 400 naming {2}")
    @MethodSource("malformedRevocations")
    void malformed_revocations_are_400_naming_the_field_and_publish_nothing(String why, String body, String field)
            throws Exception {
        HttpResponse<String> r = post(body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).getString("error")).isEqualTo("invalid_request");
        assertThat(json(r).getString("field")).isEqualTo(field);
        assertThat(published).isEmpty();
    }

    @Test
    void a_revocation_publishes_a_revoke_event_with_the_authenticated_actor() throws Exception {
        HttpResponse<String> r = post(revokeBody("alice") + ",\"reason\":\"logout_all\",\"actor\":\"ops@example.com\"}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        RevocationEvent e = published.get(0);
        assertThat(e.type()).isEqualTo(RevocationEvent.Type.REVOKE);
        assertThat(e.key()).isEqualTo(new RuleKey(RevocationScope.SUB, ISSUER, "alice"));
        assertThat(e.actor()).as("the credential, not what the body claims").isEqualTo("admin");
        assertThat(e.reason()).isEqualTo("logout_all");
        assertThat(e.expiresAt()).as("a lifetime and twice the skew: until no token the rule blocks is valid")
                .isEqualTo(e.at() + 3600 + 2 * 30);
        assertThat(json(r).getString("eventId")).isEqualTo(e.eventId());
        assertThat(json(r).getString("type")).isEqualTo("revoke");
        assertThat(json(r).getBoolean("appliedLocally")).isTrue();
        assertThat(json(r).fieldNames()).as("the receipt of docs/openapi.yaml, in its order").containsExactly("eventId",
                "type", "scope", "issuer", "value", "at", "expiresAt", "partition", "offset", "publishedAt",
                "appliedLocally", "effect");
        assertThat(json(r).getLong("offset")).isEqualTo(offsets.get() - 1);
    }

    // ---- DELETE: restore, with the issuer percent-encoded in the path ------------------------------

    @Test
    void a_restore_decodes_a_percent_encoded_issuer_url_and_value() throws Exception {
        HttpResponse<String> r = delete("/v1/revocations/sub/" + enc(ISSUER) + "/" + enc("a+b c/d") + "?reason=mistake");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        RevocationEvent e = published.get(0);
        assertThat(e.type()).isEqualTo(RevocationEvent.Type.RESTORE);
        assertThat(e.key()).isEqualTo(new RuleKey(RevocationScope.SUB, ISSUER, "a+b c/d"));
        assertThat(e.reason()).isEqualTo("mistake");
        assertThat(e.actor()).isEqualTo("admin");
        assertThat(e.at()).isEqualTo(CLOCK.epochSecond());
        assertThat(json(r).getString("type")).isEqualTo("restore");
        assertThat(json(r).getString("issuer")).isEqualTo(ISSUER);
        assertThat(json(r).getString("eventId")).isEqualTo(e.eventId());
    }

    @Test
    void an_issuer_whose_colon_is_left_unencoded_decodes_the_same() throws Exception {
        assertThat(delete("/v1/revocations/jti/https:%2F%2Fidp.example.com%2Frealms%2Fmain/t-1").statusCode())
                .isEqualTo(202);

        assertThat(published.get(0).key()).isEqualTo(new RuleKey(RevocationScope.JTI, ISSUER, "t-1"));
    }

    @Test
    void an_unencoded_slash_in_the_issuer_is_a_path_no_route_answers() throws Exception {
        assertThat(delete("/v1/revocations/sub/https://idp.example.com/realms/main/alice").statusCode()).isEqualTo(404);
        assertThat(published).isEmpty();
    }

    @Test
    void an_issuer_rule_is_restored_with_or_without_a_trailing_slash() throws Exception {
        assertThat(delete("/v1/revocations/issuer/" + enc(ISSUER)).statusCode()).isEqualTo(202);
        assertThat(delete("/v1/revocations/issuer/" + enc(ISSUER) + "/").statusCode()).isEqualTo(202);

        assertThat(published).extracting(RevocationEvent::key)
                .containsExactly(new RuleKey(RevocationScope.ISSUER, ISSUER, ""), new RuleKey(RevocationScope.ISSUER, ISSUER, ""));
    }

    static Stream<Arguments> malformedRestores() {
        String iss = enc(ISSUER);
        return Stream.of(
                Arguments.of("an unknown scope", "/v1/revocations/user/" + iss + "/alice", "scope"),
                Arguments.of("a value for scope issuer", "/v1/revocations/issuer/" + iss + "/alice", "value"),
                Arguments.of("an issuer with a control character", "/v1/revocations/sub/https%3A%2F%2Fa%0Ab/alice", "issuer"),
                Arguments.of("an unknown query parameter", "/v1/revocations/sub/" + iss + "/alice?force=true", "force"),
                Arguments.of("a reason given twice", "/v1/revocations/sub/" + iss + "/alice?reason=a&reason=b", "reason"),
                Arguments.of("a reason with a line break", "/v1/revocations/sub/" + iss + "/alice?reason=a%0Ab", "reason"),
                Arguments.of("an eventId that is not a UUID", "/v1/revocations/sub/" + iss + "/alice?eventId=abc", "eventId"));
    }

    @ParameterizedTest(name = "{0} is a 400 naming {2}")
    @MethodSource("malformedRestores")
    void malformed_restores_are_400_naming_the_field(String why, String path, String field) throws Exception {
        HttpResponse<String> r = delete(path);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(json(r).getString("field")).isEqualTo(field);
        assertThat(published).isEmpty();
    }

    @Test
    void restoring_needs_the_write_scope() throws Exception {
        HttpResponse<String> r = send(at("/v1/revocations/sub/" + enc(ISSUER) + "/alice").DELETE(), READER_TOKEN);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("WWW-Authenticate"))
                .contains("Bearer error=\"insufficient_scope\", scope=\"revocations:write\"");
    }

    @Test
    void accepted_revocations_and_restores_are_audited_with_actor_reason_and_event_id() throws Exception {
        try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
            String revoked = json(post(revokeBody("erin") + ",\"reason\":\"logout\",\"actor\":\"ticket-42\"}", OTHER_WRITER_TOKEN))
                    .getString("eventId");
            String restored = json(send(at("/v1/revocations/sub/" + enc(ISSUER) + "/erin?reason=mistake").DELETE(),
                    OTHER_WRITER_TOKEN)).getString("eventId");

            List<JsonObject> lines = audit.jsonMessages();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).getMap()).containsEntry("action", "revoke").containsEntry("eventId", revoked)
                    .containsEntry("scope", "sub").containsEntry("issuer", ISSUER).containsEntry("value", "erin")
                    .containsEntry("actor", "ops").containsEntry("via", "static-token")
                    .containsEntry("onBehalfOf", "ticket-42").containsEntry("reason", "logout")
                    .containsKeys("at", "expiresAt", "partition", "offset");
            assertThat(lines.get(1).getMap()).containsEntry("action", "restore").containsEntry("eventId", restored)
                    .containsEntry("value", "erin").containsEntry("actor", "ops").containsEntry("reason", "mistake");
        }
    }

    @Test
    void a_reason_or_subject_that_looks_like_fields_stays_inside_its_own_field_of_the_audit_line() throws Exception {
        // The API refuses control characters here; AuditRecordTest covers them.
        String reason = "x actor=mallory via=jwt";
        String subject = "x actor=mallory via=jwt\\\"},{\\\"actor\\\":\\\"mallory";
        try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
            HttpResponse<String> r = post("{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject
                    + "\",\"reason\":\"" + reason + "\"}", OTHER_WRITER_TOKEN);

            assertThat(r.statusCode()).isEqualTo(202);
            JsonObject line = audit.jsonMessages().get(0);
            assertThat(line.fieldNames()).containsExactly("action", "eventId", "scope", "issuer", "value", "at",
                    "expiresAt", "actor", "via", "issuers", "onBehalfOf", "reason", "partition", "offset");
            assertThat(line.getString("value")).isEqualTo("x actor=mallory via=jwt\"},{\"actor\":\"mallory");
            assertThat(line.getString("reason")).isEqualTo(reason);
            assertThat(line.getString("actor")).isEqualTo("ops");
            assertThat(line.getString("via")).isEqualTo("static-token");
        }
    }

    // ---- credentials limited to issuers ------------------------------------------------------------

    static Stream<Arguments> requestsAboutAnotherIssuersRules() {
        String path = "/v1/revocations/sub/" + enc(ISSUER) + "/mallory";
        String issuerPath = "/v1/revocations/issuer/" + enc(ISSUER);
        String body = "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"mallory\"";
        return Stream.of(
                Arguments.of("revoke", at("/v1/revocations").POST(HttpRequest.BodyPublishers.ofString(body + "}"))),
                Arguments.of("revoke with a bad at, which is not looked at",
                        at("/v1/revocations").POST(HttpRequest.BodyPublishers.ofString(body + ",\"at\":\"now\"}"))),
                Arguments.of("revoke of the issuer-wide rule", at("/v1/revocations").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"scope\":\"issuer\",\"issuer\":\"" + ISSUER + "\"}"))),
                Arguments.of("revoke of a key", at("/v1/revocations").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"scope\":\"kid\",\"issuer\":\"" + ISSUER + "\",\"value\":\"k1\"}"))),
                Arguments.of("restore", at(path).DELETE()),
                Arguments.of("restore of the issuer-wide rule", at(issuerPath).DELETE()),
                Arguments.of("look-up", at(path).GET()),
                Arguments.of("look-up of the issuer-wide rule", at(issuerPath + "/").GET()));
    }

    @Test
    void a_refused_path_with_control_bytes_is_logged_escaped() throws Exception {
        try (LogCapture refusals = LogCapture.warn(AdminAuthenticator.class.getName())) {
            RawHttp.Response r = RawHttp.send(port, "GET", "/v1/revocations/\u001b[2J\b\u007fforged");

            assertThat(r.status()).isEqualTo(401);
            assertThat(refusals.messages()).singleElement().asString()
                    .contains("GET /v1/revocations/\\u001b[2J\\u0008\\u007fforged from ")
                    .doesNotContain("\u001b", "\b", "\u007f");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requestsAboutAnotherIssuersRules")
    void a_credential_limited_to_other_issuers_gets_a_403_naming_the_issuer_and_nothing_is_read_or_published(
            String what, HttpRequest.Builder request) throws Exception {
        store(storedRevoke(RevocationScope.SUB, "mallory", CLOCK.epochSecond() - 10, CLOCK.epochSecond() + 3600));
        try (LogCapture refusals = LogCapture.warn(AdminAuthenticator.class.getName())) {
            HttpResponse<String> r = send(request, PARTNER_TOKEN);

            assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
            assertThat(json(r).getString("error")).isEqualTo("issuer_not_permitted");
            assertThat(json(r).getString("issuer")).isEqualTo(ISSUER);
            assertThat(json(r).getString("message")).contains("[" + PARTNER_ISSUER + "]");
            assertThat(r.body()).as("nothing of the stored rule").doesNotContain("eventId", "\"at\"", "revoked");
            assertThat(published).isEmpty();
            assertThat(refusals.messages()).singleElement().asString().contains("403", "partner-support",
                    "limited to issuers [" + PARTNER_ISSUER + "]", ISSUER);
        }
    }

    @Test
    void a_limited_credential_revokes_restores_and_reads_rules_of_every_scope_of_its_own_issuer() throws Exception {
        for (RevocationScope scope : RevocationScope.values()) {
            String value = scope == RevocationScope.ISSUER ? "" : scope.wireName() + "-of-a-partner";
            String rule = "/v1/revocations/" + scope.wireName() + "/" + enc(PARTNER_ISSUER) + "/" + enc(value);

            HttpResponse<String> revoked = post("{\"scope\":\"" + scope.wireName() + "\",\"issuer\":\""
                    + PARTNER_ISSUER + "\",\"value\":\"" + value + "\"}", PARTNER_TOKEN);
            HttpResponse<String> read = send(at(rule).GET(), PARTNER_TOKEN);
            HttpResponse<String> restored = send(at(rule).DELETE(), PARTNER_TOKEN);

            assertThat(revoked.statusCode()).as("%s: %s", scope, revoked.body()).isEqualTo(202);
            assertThat(read.statusCode()).as("%s: %s", scope, read.body()).isIn(200, 404);
            assertThat(restored.statusCode()).as("%s: %s", scope, restored.body()).isEqualTo(202);
        }
        assertThat(published).hasSize(2 * RevocationScope.values().length)
                .allSatisfy(e -> assertThat(e.key().issuer()).isEqualTo(PARTNER_ISSUER))
                .allSatisfy(e -> assertThat(e.actor()).isEqualTo("partner-support"));
    }

    @Test
    void a_limited_credential_may_not_list_the_dead_letters_which_span_every_issuer() throws Exception {
        HttpResponse<String> r = send(at("/v1/dead-letters").GET(), PARTNER_TOKEN);

        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).getString("error")).isEqualTo("issuer_not_permitted");
        assertThat(json(r).containsKey("issuer")).isTrue();
        assertThat(json(r).getString("issuer")).isNull();
        assertThat(json(r).getString("message")).startsWith("dead letters are records no sidecar could read");
        assertThat(r.body()).doesNotContain("deadLetters");
        assertThat(send(at("/v1/dead-letters").GET(), OTHER_WRITER_TOKEN).statusCode()).isEqualTo(200);
    }

    @Test
    void the_audit_line_names_the_credential_and_its_issuer_limit() throws Exception {
        try (LogCapture audit = LogCapture.info("io.jwtsidecar.audit")) {
            post("{\"scope\":\"sub\",\"issuer\":\"" + PARTNER_ISSUER + "\",\"value\":\"peggy\"}", PARTNER_TOKEN);
            post(revokeBody("peggy") + "}", OTHER_WRITER_TOKEN);

            List<JsonObject> lines = audit.jsonMessages();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).getMap()).containsEntry("value", "peggy").containsEntry("actor", "partner-support")
                    .containsEntry("via", "static-token").containsEntry("issuers", List.of(PARTNER_ISSUER));
            assertThat(lines.get(1).getMap()).containsEntry("actor", "ops").containsEntry("issuers", "*");
        }
    }

    // ---- rules never weaken: the stored state decides -------------------------------------------

    private static void store(RevocationEvent... events) {
        store.apply(StoreBatch.of("t", List.of(events), Map.of(0, offsets.incrementAndGet()), CLOCK.epochSecond()));
    }

    private static RevocationEvent storedRevoke(RevocationScope scope, String value, long at, long expiresAt) {
        return new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(scope, ISSUER, value), at, expiresAt, null, "admin");
    }

    @Test
    void a_revoke_naming_an_earlier_time_or_expiry_than_the_stored_rule_is_409_and_publishes_nothing() throws Exception {
        long now = CLOCK.epochSecond();
        store(storedRevoke(RevocationScope.SUB, "weak-1", now, now + 3600));

        HttpResponse<String> earlier = post(revokeBody("weak-1") + ",\"at\":" + (now - 5) + "}");
        HttpResponse<String> shorter = post(revokeBody("weak-1") + ",\"expiresAt\":" + (now + 100) + "}");

        assertThat(earlier.statusCode()).as(earlier.body()).isEqualTo(409);
        assertThat(json(earlier).getString("field")).isEqualTo("at");
        assertThat(json(earlier).getString("error")).isEqualTo("conflict");
        assertThat(shorter.statusCode()).as(shorter.body()).isEqualTo(409);
        assertThat(json(shorter).getString("field")).isEqualTo("expiresAt");
        assertThat(published).isEmpty();
    }

    @Test
    void an_expiry_already_past_is_400_and_a_kid_rule_takes_no_expiry() throws Exception {
        long now = CLOCK.epochSecond();

        HttpResponse<String> past = post(revokeBody("past-1") + ",\"expiresAt\":" + now + "}");
        HttpResponse<String> kid = post("{\"scope\":\"kid\",\"issuer\":\"" + ISSUER + "\",\"value\":\"k1\","
                + "\"expiresAt\":" + (now + 60) + "}");

        assertThat(past.statusCode()).isEqualTo(400);
        assertThat(json(past).getString("field")).isEqualTo("expiresAt");
        assertThat(kid.statusCode()).isEqualTo(400);
        assertThat(json(kid).getString("message")).contains("holds until it is restored");
        assertThat(published).isEmpty();
    }

    @Test
    void a_revoke_of_a_stored_rule_publishes_the_merged_rule_so_the_newest_record_says_all_of_it() throws Exception {
        long now = CLOCK.epochSecond();
        store(storedRevoke(RevocationScope.SUB, "merge-1", now + 60, now + 7200));

        HttpResponse<String> r = post(revokeBody("merge-1") + "}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(published).singleElement().satisfies(e -> {
            assertThat(e.at()).as("the stored rule's later time").isEqualTo(now + 60);
            assertThat(e.expiresAt()).as("the stored rule's later expiry").isEqualTo(now + 7200);
        });
    }

    @Test
    void a_revoke_after_a_restore_dated_ahead_is_dated_a_second_after_it_so_it_wins() throws Exception {
        long now = CLOCK.epochSecond();
        RuleKey key = new RuleKey(RevocationScope.SUB, ISSUER, "tie-1");
        store(storedRevoke(RevocationScope.SUB, "tie-1", now + 100, now + 3600),
                new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE, key, now + 100, now + 3600,
                        null, "admin"));

        HttpResponse<String> r = post(revokeBody("tie-1") + "}");
        HttpResponse<String> explicit = post(revokeBody("tie-1") + ",\"at\":" + now + "}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(published.get(0).at()).isEqualTo(now + 101);
        HttpResponse<String> tie = post(revokeBody("tie-1") + ",\"at\":" + (now + 100) + "}");
        assertThat(tie.statusCode()).as("an explicit time equal to the restore's loses to it").isEqualTo(409);
        assertThat(explicit.statusCode()).as("an explicit time the restore would win over").isEqualTo(409);
    }

    @Test
    void a_restore_is_dated_no_earlier_than_the_stored_rule_so_it_lifts_a_rule_dated_ahead() throws Exception {
        long now = CLOCK.epochSecond();
        store(storedRevoke(RevocationScope.SUB, "ahead-1", now + 120, now + 3600));

        HttpResponse<String> r = delete("/v1/revocations/sub/" + enc(ISSUER) + "/ahead-1");

        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(published).singleElement().satisfies(e -> {
            assertThat(e.type()).isEqualTo(RevocationEvent.Type.RESTORE);
            assertThat(e.at()).as("the rule's own time: a restore wins the tie").isEqualTo(now + 120);
            assertThat(e.expiresAt()).as("remembered a token lifetime and twice the skew").isEqualTo(now + 120 + 3600 + 60);
        });
    }

    @Test
    void a_kid_rule_is_looked_up_as_permanent_and_a_restored_rule_shows_when() throws Exception {
        long now = CLOCK.epochSecond();
        store(storedRevoke(RevocationScope.KID, "k-perm", now, now + 60));
        RuleKey restored = new RuleKey(RevocationScope.SUB, ISSUER, "restored-1");
        store(storedRevoke(RevocationScope.SUB, "restored-1", now - 5, now + 3600),
                new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.RESTORE, restored, now, now + 3600,
                        null, "admin"));

        JsonObject kid = json(get("/v1/revocations/kid/" + enc(ISSUER) + "/k-perm"));
        HttpResponse<String> lifted = get("/v1/revocations/sub/" + enc(ISSUER) + "/restored-1");

        assertThat(kid.getBoolean("permanent")).isTrue();
        assertThat(kid.getValue("expiresAt")).isNull();
        assertThat(lifted.statusCode()).isEqualTo(404);
        assertThat(json(lifted).getLong("restoredAt")).isEqualTo(now);
    }

    @Test
    void dead_letters_are_listed_a_page_at_a_time_and_a_bad_cursor_is_400() throws Exception {
        for (int i = 0; i < 3; i++) {
            store.apply(new StoreBatch("t", List.of(), List.of(new io.jwtsidecar.revocation.DeadLetter(0, 100 + i, 0,
                    null, new byte[] {1}, "pill " + i)), Map.of(0, offsets.incrementAndGet()), CLOCK.epochSecond()));
        }
        JsonObject first = json(get("/v1/dead-letters?limit=2"));
        JsonObject second = json(get("/v1/dead-letters?limit=2&after=" + first.getLong("next")));

        assertThat(first.getJsonArray("deadLetters").size()).isEqualTo(2);
        assertThat(first.getLong("next")).isNotNull();
        assertThat(second.getJsonArray("deadLetters").stream().map(o -> ((JsonObject) o).getString("reason")).toList())
                .contains("pill 2");
        assertThat(get("/v1/dead-letters?after=soon").statusCode()).isEqualTo(400);
        assertThat(get("/v1/dead-letters?limit=1001").statusCode()).isEqualTo(400);
        assertThat(get("/v1/dead-letters?colour=red").statusCode()).isEqualTo(400);
    }

    // ---- GET: this sidecar's state of one rule ------------------------------------------------

    @Test
    void a_stored_rule_is_200_with_its_times_and_event_id() throws Exception {
        String eventId = UUID.randomUUID().toString();
        RuleKey key = new RuleKey(RevocationScope.CLIENT, ISSUER, "mobile app");
        store.apply(StoreBatch.of("t", List.of(new RevocationEvent(eventId, RevocationEvent.Type.REVOKE, key, 1000, 4600,
                "client_compromise", "admin")), Map.of(0, 1L), 1000));

        HttpResponse<String> r = get("/v1/revocations/client/" + enc(ISSUER) + "/" + enc("mobile app"));

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(json(r)).isEqualTo(new JsonObject().put("revoked", true).put("scope", "client").put("issuer", ISSUER)
                .put("value", "mobile app").put("at", 1000).put("expiresAt", 4600).put("permanent", false)
                .put("eventId", eventId));
    }

    @Test
    void an_absent_rule_is_404_revoked_false() throws Exception {
        HttpResponse<String> r = get("/v1/revocations/sub/" + enc(ISSUER) + "/nobody");

        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r)).isEqualTo(new JsonObject().put("revoked", false).put("scope", "sub").put("issuer", ISSUER)
                .put("value", "nobody"));
    }

    @Test
    void an_issuer_rule_is_looked_up_with_or_without_a_trailing_slash() throws Exception {
        String eventId = UUID.randomUUID().toString();
        store.apply(StoreBatch.of("t", List.of(new RevocationEvent(eventId, RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.ISSUER, ISSUER, ""), 2000, 5600, null, "admin")), Map.of(0, 2L), 2000));

        for (String path : List.of("/v1/revocations/issuer/" + enc(ISSUER), "/v1/revocations/issuer/" + enc(ISSUER) + "/")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(200);
            assertThat(json(r).getString("eventId")).isEqualTo(eventId);
            assertThat(json(r).getString("value")).isEmpty();
        }
    }

    @Test
    void a_lookup_with_a_bad_scope_or_a_query_is_400_naming_it() throws Exception {
        assertThat(json(get("/v1/revocations/user/" + enc(ISSUER) + "/x")).getString("field")).isEqualTo("scope");
        assertThat(json(get("/v1/revocations/sub/" + enc(ISSUER) + "/x?limit=1")).getString("field")).isEqualTo("limit");
    }

    @Test
    void reading_needs_the_read_scope_and_a_credential() throws Exception {
        assertThat(send(at("/v1/revocations/sub/" + enc(ISSUER) + "/x").GET(), null).statusCode()).isEqualTo(401);
        assertThat(send(at("/v1/dead-letters").GET(), null).statusCode()).isEqualTo(401);
        assertThat(send(at("/v1/dead-letters").GET(), READER_TOKEN).statusCode()).isEqualTo(200);
    }

    // ---- idempotency by eventId -----------------------------------------------------------------

    @Test
    void a_repeated_post_with_the_same_event_id_answers_the_same_and_publishes_once() throws Exception {
        String body = revokeBody("frank") + ",\"eventId\":\"" + UUID.randomUUID() + "\"}";

        HttpResponse<String> first = post(body);
        HttpResponse<String> again = post(body);

        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.body()).isEqualTo(first.body());
        assertThat(published).hasSize(1);
    }

    @Test
    void an_event_id_the_server_chose_is_an_idempotency_key_too() throws Exception {
        HttpResponse<String> first = post(revokeBody("gina") + "}");
        String eventId = json(first).getString("eventId");

        HttpResponse<String> again = post(revokeBody("gina") + ",\"eventId\":\"" + eventId.toUpperCase() + "\"}");

        assertThat(again.body()).isEqualTo(first.body());
        assertThat(published).hasSize(1);
    }

    @Test
    void a_reused_event_id_for_a_different_request_is_409() throws Exception {
        String eventId = UUID.randomUUID().toString();
        assertThat(post(revokeBody("hank") + ",\"eventId\":\"" + eventId + "\"}").statusCode()).isEqualTo(202);

        HttpResponse<String> otherValue = post(revokeBody("ivan") + ",\"eventId\":\"" + eventId + "\"}");
        HttpResponse<String> otherReason = post(revokeBody("hank") + ",\"reason\":\"x\",\"eventId\":\"" + eventId + "\"}");
        HttpResponse<String> otherActor = post(revokeBody("hank") + ",\"eventId\":\"" + eventId + "\"}", OTHER_WRITER_TOKEN);
        HttpResponse<String> asRestore = delete("/v1/revocations/sub/" + enc(ISSUER) + "/hank?eventId=" + eventId);

        for (HttpResponse<String> r : List.of(otherValue, otherReason, otherActor, asRestore)) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(409);
            assertThat(json(r).getString("error")).isEqualTo("conflict");
            assertThat(json(r).getString("field")).isEqualTo("eventId");
        }
        assertThat(published).hasSize(1);
    }

    @Test
    void a_repeated_restore_with_the_same_event_id_publishes_once() throws Exception {
        String path = "/v1/revocations/sub/" + enc(ISSUER) + "/jill?reason=mistake&eventId=" + UUID.randomUUID();

        HttpResponse<String> first = delete(path);
        HttpResponse<String> again = delete(path);

        assertThat(again.body()).isEqualTo(first.body());
        assertThat(published).hasSize(1);
    }

    @Test
    void an_event_id_is_forgotten_after_an_hour() throws Exception {
        String body = revokeBody("kate") + ",\"eventId\":\"" + UUID.randomUUID() + "\"}";
        post(body);

        CLOCK.advance(RevocationPublishing.IDEMPOTENCY_WINDOW.plusSeconds(1));

        assertThat(post(body).statusCode()).isEqualTo(202);
        assertThat(published).as("published again, with the same event id").hasSize(2);
        assertThat(published.get(1).eventId()).isEqualTo(published.get(0).eventId());
    }

    @Test
    void a_failed_publish_is_not_remembered_so_a_retry_publishes() throws Exception {
        String body = revokeBody("liam") + ",\"eventId\":\"" + UUID.randomUUID() + "\"}";
        Promise<PublishReceipt> failing = Promise.promise();
        nextPublish.set(failing);
        failing.fail(new IllegalStateException("broker down"));

        assertThat(post(body).statusCode()).isEqualTo(503);
        assertThat(post(body).statusCode()).isEqualTo(202);
        assertThat(published).hasSize(2);
    }

    @Test
    void concurrent_repeats_wait_for_the_first_answer_and_publish_once() throws Exception {
        String body = revokeBody("mona") + ",\"eventId\":\"" + UUID.randomUUID() + "\"}";
        Promise<PublishReceipt> slow = Promise.promise();
        nextPublish.set(slow);

        CompletableFuture<HttpResponse<String>> first = client.sendAsync(at("/v1/revocations")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        org.awaitility.Awaitility.await().until(() -> published.size() == 1);
        CompletableFuture<HttpResponse<String>> second = client.sendAsync(at("/v1/revocations")
                .header("Authorization", "Bearer " + ADMIN_TOKEN).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        // Watched throughout, not looked at once after a pause.
        org.awaitility.Awaitility.await("the repeat waits for the first answer").during(Duration.ofMillis(200))
                .atMost(Duration.ofSeconds(2)).until(() -> !second.isDone());
        slow.complete(new PublishReceipt(published.get(0).eventId(), 0, 99, 0L));

        assertThat(second.get().body()).isEqualTo(first.get().body()).contains("\"offset\":99");
        assertThat(published).hasSize(1);
    }
}
