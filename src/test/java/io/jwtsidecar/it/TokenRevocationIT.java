package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.SKEW;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
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
import java.security.KeyPairGenerator;
import java.util.Date;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /oauth2/revoke} on a real sidecar and broker: a handed-over token is verified, and
 * its jti (or session, or user) revoked through the admin API's path; a token that does not
 * verify gets RFC 7009's 200 and publishes nothing; only an admin credential may ask.
 */
class TokenRevocationIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);
    private static final HttpClient client = HttpClient.newHttpClient();
    private static final String UNREACHABLE_ISSUER = "https://unreachable.test";
    private static MutableClock clock;
    private static Sidecar sidecar;
    private static RawTopic topic;

    @BeforeAll
    static void start() throws Exception {
        clock = MutableClock.atNow();
        // A second issuer whose key server never answers: its tokens cannot be verified for now.
        String yaml = TestSidecars.yaml("admin", kafka.bootstrapServers(), dir.resolve("admin"), true)
                + "  - issuer: " + UNREACHABLE_ISSUER + "\n"
                + "    audiences: [orders-api]\n"
                + "    algorithms: [ES256]\n"
                + "    jwksUri: http://127.0.0.1:9/jwks\n";
        sidecar = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("admin")), clock);
        topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
    }

    @AfterAll
    static void stop() {
        topic.close();
        sidecar.close();
    }

    @Test
    void a_handed_over_token_is_revoked_by_its_jti_until_it_expires_and_only_that_token() {
        long iat = clock.epochSecond() - 60;
        String handedOver = token("alice", iat, Map.of("jti", "t-alice-1"));
        String another = token("alice", iat, Map.of("jti", "t-alice-2"));

        HttpResponse<String> answer = revoke(handedOver, null, ADMIN_TOKEN);

        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        JsonObject body = new JsonObject(answer.body());
        assertThat(body.getBoolean("revoked")).isTrue();
        assertThat(body.getString("scope")).isEqualTo("jti");
        assertThat(body.getLong("expiresAt")).isEqualTo(iat + 600 + SKEW.toSeconds());
        assertThat(Http.verify(sidecar.apiPort(), handedOver).body()).contains("revoked");
        assertThat(Http.verify(sidecar.apiPort(), another).statusCode()).isEqualTo(200);
        JsonObject rule = new JsonObject(Http.getWithBearer(sidecar.adminPort().orElseThrow(),
                "/v1/revocations/jti/" + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/t-alice-1", ADMIN_TOKEN).body());
        assertThat(rule.getString("eventId")).isEqualTo(body.getString("eventId"));
    }

    @Test
    void rule_sid_revokes_the_tokens_session() {
        long iat = clock.epochSecond() - 60;
        String handedOver = token("bob", iat, Map.of("jti", "t-bob-1", "sid", "s-bob"));
        String sameSession = token("bob", iat, Map.of("jti", "t-bob-2", "sid", "s-bob"));
        String otherSession = token("bob", iat, Map.of("jti", "t-bob-3", "sid", "s-bob-2"));

        assertThat(revoke(handedOver, "sid", ADMIN_TOKEN).statusCode()).isEqualTo(200);

        assertThat(Http.verify(sidecar.apiPort(), sameSession).statusCode()).isEqualTo(401);
        assertThat(Http.verify(sidecar.apiPort(), otherSession).statusCode()).isEqualTo(200);
    }

    @Test
    void a_token_that_does_not_verify_gets_a_200_that_says_so_and_publishes_nothing() {
        String forged = Jwts.builder().issuer(ISSUER).subject("carol").id("t-carol").audience().add("orders-api").and()
                .expiration(new Date((clock.epochSecond() + 600) * 1000))
                .signWith(new javax.crypto.spec.SecretKeySpec(new byte[32], "HmacSHA256")).compact();
        long records = topic.recordCount();

        HttpResponse<String> answer = revoke(forged, null, ADMIN_TOKEN);

        assertThat(answer.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(answer.body()).getBoolean("revoked")).isFalse();
        assertThat(answer.body()).contains("bad_signature");
        assertThat(topic.recordCount()).isEqualTo(records);
    }

    @Test
    void a_token_whose_issuer_keys_are_unavailable_is_a_503_not_the_200_of_an_invalid_token() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        String token = Jwts.builder().header().keyId("k1").and().issuer(UNREACHABLE_ISSUER).subject("gus").id("t-gus")
                .audience().add("orders-api").and().expiration(new Date((clock.epochSecond() + 600) * 1000))
                .signWith(generator.generateKeyPair().getPrivate(), Jwts.SIG.ES256).compact();
        long records = topic.recordCount();

        HttpResponse<String> answer = revoke(token, null, ADMIN_TOKEN);

        // RFC 7009 §2.2.1: a client reads a 200 as "revoked"; this token may be good, it just cannot be checked now.
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(answer.body()).contains("temporarily_unavailable");
        assertThat(topic.recordCount()).isEqualTo(records);
    }

    @Test
    void only_an_admin_credential_may_revoke_a_token() {
        String handedOver = token("dave", clock.epochSecond() - 60, Map.of("jti", "t-dave"));
        long records = topic.recordCount();

        assertThat(revoke(handedOver, null, null).statusCode()).isEqualTo(401);
        assertThat(revoke(handedOver, null, "not-the-admin-token-0123456789abcdef").statusCode()).isEqualTo(401);

        assertThat(topic.recordCount()).isEqualTo(records);
        assertThat(Http.verify(sidecar.apiPort(), handedOver).statusCode()).isEqualTo(200);
    }

    @Test
    void a_token_without_the_claim_the_rule_needs_or_an_unknown_parameter_is_a_400() {
        String noJti = token("erin", clock.epochSecond() - 60);

        HttpResponse<String> missing = revoke(noJti, null, ADMIN_TOKEN);
        HttpResponse<String> unknown = post("token=" + noJti + "&client_secret=x", ADMIN_TOKEN);

        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("invalid_request").contains("no jti");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(unknown.body()).contains("client_secret");
    }

    @Test
    void revoking_a_revoked_token_again_is_a_200() {
        String handedOver = token("frank", clock.epochSecond() - 60, Map.of("jti", "t-frank"));
        assertThat(revoke(handedOver, null, ADMIN_TOKEN).statusCode()).isEqualTo(200);

        HttpResponse<String> again = revoke(handedOver, null, ADMIN_TOKEN);

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(new JsonObject(again.body()).getBoolean("revoked")).isTrue();
    }

    private static HttpResponse<String> revoke(String token, @Nullable String rule, @Nullable String credential) {
        return post("token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&token_type_hint=access_token"
                + (rule == null ? "" : "&rule=" + rule), credential);
    }

    private static HttpResponse<String> post(String form, @Nullable String credential) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sidecar.adminPort().orElseThrow()
                        + "/oauth2/revoke")).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (credential != null) {
            b.header("Authorization", "Bearer " + credential);
        }
        try {
            return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
