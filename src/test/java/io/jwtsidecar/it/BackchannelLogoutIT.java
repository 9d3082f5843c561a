package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.AUDIENCE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.PlainHeader;
import com.nimbusds.jose.PlainObject;
import com.nimbusds.jose.Payload;
import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestIdp;
import io.jwtsidecar.testing.TestSidecars;
import io.jsonwebtoken.Jwts;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OpenID Connect Back-Channel Logout 1.0 against two real sidecars on a real broker, with logout
 * tokens made by nimbus-jose-jwt: a logout ends the session (or the user) on every sidecar, the
 * 200 comes only once the rule is applied, and every logout token that breaks a rule of §2.4 or
 * §2.6 is a 400 {@code invalid_request} that publishes nothing (the conformance table).
 */
class BackchannelLogoutIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    private static final TestIdp idp = TestIdp.create("idp-1");
    private static final TestIdp impostor = TestIdp.create("idp-1");
    private static final HttpClient client = HttpClient.newHttpClient();
    private static MutableClock clock;
    private static Sidecar admin;
    private static Sidecar plain;
    private static RawTopic topic;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.atNow();
        Path jwks = idp.writeJwks(dir.resolve("idp-jwks.json"));
        admin = TestSidecars.startReady(config("admin", true, jwks), clock);
        plain = TestSidecars.startReady(config("plain", false, jwks), clock);
        topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
    }

    @AfterAll
    static void stop() {
        topic.close();
        plain.close();
        admin.close();
    }

    private static io.jwtsidecar.config.SidecarConfig config(String id, boolean withAdmin, Path jwks) {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), withAdmin)
                + idp.issuerEntry(jwks, AUDIENCE);
        return TestSidecars.parse(yaml, dir.resolve(id));
    }

    @Test
    void a_session_logout_ends_that_session_on_every_sidecar_and_the_200_means_applied_here() {
        long now = clock.epochSecond();
        String session1 = idp.accessToken(AUDIENCE, "alice", "s-alice-1", now - 60);
        String session2 = idp.accessToken(AUDIENCE, "alice", "s-alice-2", now - 60);
        assertThat(Http.verify(plain.apiPort(), session1).statusCode()).isEqualTo(200);

        HttpResponse<String> answer = logout(idp.logoutToken(TestIdp.logoutClaims("alice", "s-alice-1", now)), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(answer.headers().firstValue("Cache-Control")).hasValue("no-store");
        assertThat(new JsonObject(answer.body()).getString("effect")).isEqualTo("published");
        // No waiting: the 200 comes after the admin sidecar applied the rule.
        assertThat(Http.verify(admin.apiPort(), session1).body()).contains("revoked");
        await().atMost(Duration.ofSeconds(5)).until(() -> Http.verify(plain.apiPort(), session1).statusCode() == 401);
        assertThat(Http.verify(plain.apiPort(), session2).statusCode()).isEqualTo(200);
        // A token issued after the logout (a new login in that session) is accepted again.
        clock.advance(Duration.ofSeconds(10));
        assertThat(Http.verify(plain.apiPort(), idp.accessToken(AUDIENCE, "alice", "s-alice-1",
                clock.epochSecond())).statusCode()).isEqualTo(200);
    }

    @Test
    void a_logout_naming_only_the_user_ends_every_session_of_that_user() {
        long now = clock.epochSecond();
        String a = idp.accessToken(AUDIENCE, "bob", "s-bob-1", now - 60);
        String b = idp.accessToken(AUDIENCE, "bob", "s-bob-2", now - 60);
        String carol = idp.accessToken(AUDIENCE, "carol", "s-carol-1", now - 60);

        assertThat(logout(idp.logoutToken(TestIdp.logoutClaims("bob", null, now)), "").statusCode()).isEqualTo(200);

        assertThat(Http.verify(admin.apiPort(), a).statusCode()).isEqualTo(401);
        assertThat(Http.verify(admin.apiPort(), b).statusCode()).isEqualTo(401);
        assertThat(Http.verify(admin.apiPort(), carol).statusCode()).isEqualTo(200);
    }

    @Test
    void a_logout_for_another_configured_client_of_the_issuer_is_taken() {
        long now = clock.epochSecond();
        String token = idp.accessToken(AUDIENCE, "hank", "s-hank-1", now - 60);
        Map<String, Object> claims = TestIdp.logoutClaims("hank", "s-hank-1", now);
        claims.put("aud", List.of("someone-else", TestIdp.OTHER_CLIENT_ID));

        assertThat(logout(idp.logoutToken(claims), "").statusCode()).isEqualTo(200);
        assertThat(Http.verify(admin.apiPort(), token).statusCode()).isEqualTo(401);
    }

    @Test
    void with_wait_all_the_200_means_every_live_sidecar_applied_it() {
        long now = clock.epochSecond();
        String token = idp.accessToken(AUDIENCE, "dave", "s-dave-1", now - 60);

        HttpResponse<String> answer = logout(idp.logoutToken(TestIdp.logoutClaims("dave", "s-dave-1", now)),
                "?wait=all&timeout=10s");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(Http.verify(plain.apiPort(), token).statusCode()).isEqualTo(401);
    }

    @Test
    void with_wait_all_a_retry_after_the_fleet_fell_short_is_a_503_again_not_a_200() throws Exception {
        long now = clock.epochSecond();
        String token = idp.logoutToken(TestIdp.logoutClaims("ivan", "s-ivan-1", now));
        // A live sidecar that never applies the logout: it reads another topic, and reports its status
        // on the same status topic as the others.
        kafka.cluster().createRevocationTopic("elsewhere-revocations", 3, Duration.ofDays(1).toMillis());
        String yaml = TestSidecars.yaml("elsewhere", kafka.bootstrapServers(), dir.resolve("elsewhere"), false)
                .replace("topic: " + TestSidecars.TOPIC + "\n", "topic: elsewhere-revocations\n")
                + idp.issuerEntry(dir.resolve("idp-jwks.json"), AUDIENCE);
        try (Sidecar elsewhere = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("elsewhere")), clock)) {
            await().atMost(Duration.ofSeconds(5)).until(() -> fleetSize() == 3);

            HttpResponse<String> first = logout(token, "?wait=all&timeout=300ms");
            HttpResponse<String> retry = logout(token, "?wait=all&timeout=300ms");

            assertThat(first.statusCode()).as(first.body()).isEqualTo(503);
            assertThat(retry.statusCode()).as("the rule is stored here, but not applied by the fleet: " + retry.body())
                    .isEqualTo(503);
        }
        // Once that sidecar is silent (lagging, no longer live), the same retry is a 200.
        await().atMost(Duration.ofSeconds(10)).until(() -> logout(token, "?wait=all&timeout=300ms").statusCode() == 200);
    }

    @Test
    void a_logout_after_a_restore_dated_ahead_of_now_still_ends_the_session() {
        long now = clock.epochSecond();
        String token = idp.accessToken(AUDIENCE, "judy", "s-judy-1", now - 60);
        String rule = "{\"scope\":\"sid\",\"issuer\":\"" + TestIdp.ISSUER + "\",\"value\":\"s-judy-1\",\"at\":"
                + (now + 120) + "}";
        int adminPort = admin.adminPort().orElseThrow();
        assertThat(Http.postJson(adminPort, "/v1/revocations", TestSidecars.ADMIN_TOKEN, rule).statusCode()).isEqualTo(202);
        String path = "/v1/revocations/sid/" + URLEncoder.encode(TestIdp.ISSUER, StandardCharsets.UTF_8) + "/s-judy-1";
        assertThat(Http.deleteWithBearer(adminPort, path, TestSidecars.ADMIN_TOKEN).statusCode()).isEqualTo(202);
        assertThat(Http.verify(admin.apiPort(), token).statusCode()).as("restored").isEqualTo(200);

        // The restore is dated now + 120 s (the lifted rule was): a logout arriving now is newer than it.
        HttpResponse<String> answer = logout(idp.logoutToken(TestIdp.logoutClaims("judy", "s-judy-1", now)), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(Http.verify(admin.apiPort(), token).statusCode()).isEqualTo(401);
    }

    @Test
    void a_logout_covered_by_a_shorter_lived_admin_rule_extends_it_rather_than_trusting_it() {
        long now = clock.epochSecond();
        int adminPort = admin.adminPort().orElseThrow();
        String rule = "{\"scope\":\"sid\",\"issuer\":\"" + TestIdp.ISSUER + "\",\"value\":\"s-kim-1\",\"at\":"
                + (now + 5) + ",\"expiresAt\":" + (now + 60) + "}";
        assertThat(Http.postJson(adminPort, "/v1/revocations", TestSidecars.ADMIN_TOKEN, rule).statusCode()).isEqualTo(202);

        HttpResponse<String> answer = logout(idp.logoutToken(TestIdp.logoutClaims("kim", "s-kim-1", now)), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonObject stored = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/sid/"
                + URLEncoder.encode(TestIdp.ISSUER, StandardCharsets.UTF_8) + "/s-kim-1", TestSidecars.ADMIN_TOKEN).body());
        // The issuer's tokens live an hour: the session's rule must last at least that long past the logout.
        assertThat(stored.getLong("expiresAt")).isGreaterThanOrEqualTo(now + 3600);
    }

    /** Live sidecars in this admin sidecar's fleet view, from the receipt of a throwaway revoke. */
    private static int fleetSize() {
        String rule = "{\"scope\":\"jti\",\"issuer\":\"" + TestIdp.ISSUER + "\",\"value\":\"probe-"
                + UUID.randomUUID() + "\",\"expiresAt\":" + (clock.epochSecond() + 600) + "}";
        HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations?wait=all&timeout=100ms",
                TestSidecars.ADMIN_TOKEN, rule);
        return new JsonObject(r.body()).getJsonObject("fleet").getInteger("live");
    }

    @Test
    void a_replayed_logout_token_is_refused_and_publishes_nothing() {
        String token = idp.logoutToken(TestIdp.logoutClaims("erin", "s-erin-1", clock.epochSecond()));
        assertThat(logout(token, "").statusCode()).isEqualTo(200);
        long records = topic.recordCount();

        HttpResponse<String> again = logout(token, "");

        assertThat(again.statusCode()).isEqualTo(400);
        assertThat(again.body()).contains("invalid_request").contains("jti was seen before");
        assertThat(topic.recordCount()).isEqualTo(records);
        assertThat(Http.get(admin.apiPort(), "/metrics").body())
                .containsPattern("jwt_sidecar_idp_signals_total\\{outcome=\"replayed\",source=\"backchannel_logout\",?\\} [1-9]")
                .containsPattern("jwt_sidecar_idp_signals_total\\{outcome=\"published\",source=\"backchannel_logout\",?\\} [1-9]");
    }

    @Test
    void a_logout_token_is_never_accepted_as_an_access_token() {
        Map<String, Object> claims = TestIdp.logoutClaims("frank", "s-frank-1", clock.epochSecond());
        claims.put("aud", AUDIENCE); // even one that names the service's audience

        HttpResponse<String> answer = Http.verify(admin.apiPort(), idp.logoutToken(claims));

        assertThat(answer.statusCode()).isEqualTo(401);
        assertThat(answer.body()).contains("bad_type");
    }

    /** One row per rule of Back-Channel Logout 1.0 §2.4 and §2.6 that a logout token can break. */
    static Stream<Arguments> broken_logout_tokens() {
        return Stream.of(
                row("§2.6 step 2: signed by the issuer's key", "bad_signature",
                        c -> impostor.logoutToken(c)),
                row("§2.6 step 2: alg none is never accepted", "malformed",
                        c -> new PlainObject(new PlainHeader.Builder().type(new JOSEObjectType("logout+jwt")).build(),
                                new Payload(c)).serialize()),
                row("§2.6 step 2: an algorithm the issuer uses", "alg_not_allowed",
                        c -> Jwts.builder().header().add("typ", "logout+jwt").and().claims(c)
                                .signWith(new SecretKeySpec(new byte[32], "HmacSHA256")).compact()),
                row("§2.6 step 3: iss is a configured issuer", "unknown_issuer",
                        c -> idp.logoutToken(with(c, "iss", "https://elsewhere.test"))),
                row("§2.6 step 3: the issuer sends logout tokens here", "logoutClientId",
                        c -> Jwts.builder().header().add("typ", "logout+jwt").keyId("hs1").and()
                                .claims(with(c, "iss", TestSidecars.ISSUER))
                                .signWith(new SecretKeySpec("test-secret-for-hs256-0123456789abcdef"
                                        .getBytes(StandardCharsets.UTF_8), "HmacSHA256")).compact()),
                row("§2.6 step 3: aud names the client id", "aud must name",
                        c -> idp.logoutToken(with(c, "aud", "another-client"))),
                row("§2.6 step 3: iat is present", "iat is required", c -> idp.logoutToken(without(c, "iat"))),
                row("§2.6 step 3: iat is not in the future", "iat is in the future",
                        c -> idp.logoutToken(with(c, "iat", clock.epochSecond() + 3600))),
                row("§2.6 step 3: iat is recent", "iat is older",
                        c -> idp.logoutToken(with(c, "iat", clock.epochSecond() - 3600))),
                row("§2.4/§2.6 step 3: exp is present", "exp is required", c -> idp.logoutToken(without(c, "exp"))),
                row("§2.6 step 3: exp has not passed", "expired",
                        c -> idp.logoutToken(with(c, "exp", clock.epochSecond() - 60))),
                row("§2.4: jti is present", "jti is required", c -> idp.logoutToken(without(c, "jti"))),
                row("§2.6 step 4: sub or sid is present", "sid, sub or both",
                        c -> idp.logoutToken(without(without(c, "sub"), "sid"))),
                row("§2.6 step 5: events is present", "events must be",
                        c -> idp.logoutToken(without(c, "events"))),
                row("§2.6 step 5: events names the back-channel logout event", "events must be",
                        c -> idp.logoutToken(with(c, "events", Map.of("http://schemas.openid.net/event/other", Map.of())))),
                row("§2.4: the event's value is a JSON object", "must be a JSON object",
                        c -> idp.logoutToken(with(c, "events", Map.of(TestIdp.LOGOUT_EVENT, "yes")))),
                row("§2.6 step 6: no nonce", "must not contain nonce",
                        c -> idp.logoutToken(with(c, "nonce", "n-0S6_WzA2Mj"))),
                row("§2.4 / RFC 8725 §3.11: typ, where present, is logout+jwt", "typ must be logout+jwt",
                        c -> idp.sign(h -> h.type(new JOSEObjectType("JWT")), c)),
                row("§4: crit extensions are refused", "crit",
                        c -> idp.sign(h -> h.criticalParams(Set.of("urn:example:ext")).customParam("urn:example:ext", 1), c)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken_logout_tokens")
    void a_logout_token_breaking_a_rule_is_a_400_and_publishes_nothing(String rule, String why,
                                                                     Function<Map<String, Object>, String> make) {
        String user = "u-" + Integer.toHexString(rule.hashCode());
        String access = idp.accessToken(AUDIENCE, user, "s-" + user, clock.epochSecond() - 60);
        long records = topic.recordCount();

        HttpResponse<String> answer = logout(make.apply(TestIdp.logoutClaims(user, "s-" + user, clock.epochSecond())), "");

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        JsonObject body = new JsonObject(answer.body());
        assertThat(body.getString("error")).isEqualTo("invalid_request");
        assertThat(body.getString("error_description")).contains(why);
        assertThat(topic.recordCount()).isEqualTo(records);
        assertThat(Http.verify(admin.apiPort(), access).statusCode()).isEqualTo(200);
    }

    @Test
    void the_request_must_be_a_form_with_exactly_one_logout_token() throws Exception {
        String token = idp.logoutToken(TestIdp.logoutClaims("gina", "s-gina-1", clock.epochSecond()));
        HttpResponse<String> json = client.send(HttpRequest.newBuilder(logoutUri(""))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"logout_token\":\"" + token + "\"}")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> twice = post("logout_token=" + token + "&logout_token=" + token, "");
        HttpResponse<String> none = post("token=" + token, "");
        HttpResponse<String> timeoutAlone = logout(token, "?timeout=1s");

        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(twice.statusCode()).isEqualTo(400);
        assertThat(twice.body()).contains("exactly one logout_token");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(timeoutAlone.statusCode()).isEqualTo(400);
        assertThat(timeoutAlone.body()).contains("timeout applies to wait=all only");
        // None of them took the jti: the proper request still works.
        assertThat(logout(token, "").statusCode()).isEqualTo(200);
    }

    private static Arguments row(String rule, String why, Function<Map<String, Object>, String> make) {
        return Arguments.of(rule, why, make);
    }

    private static Map<String, Object> with(Map<String, Object> claims, String name, Object value) {
        Map<String, Object> copy = new HashMap<>(claims);
        copy.put(name, value);
        return copy;
    }

    private static Map<String, Object> without(Map<String, Object> claims, String name) {
        Map<String, Object> copy = new HashMap<>(claims);
        copy.remove(name);
        return copy;
    }

    private static HttpResponse<String> logout(String logoutToken, String query) {
        return post("logout_token=" + URLEncoder.encode(logoutToken, StandardCharsets.UTF_8), query);
    }

    private static HttpResponse<String> post(String form, String query) {
        try {
            return client.send(HttpRequest.newBuilder(logoutUri(query))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static URI logoutUri(String query) {
        return URI.create("http://127.0.0.1:" + admin.adminPort().orElseThrow() + "/v1/backchannel-logout" + query);
    }
}
