package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A "revoke" never lifts or shortens a revocation (issue: "a revoke can lift or shorten an existing
 * revocation"). Before, the newest event of a rule replaced it: a sub revoke with {@code at: 0} or
 * an expiry in the past re-activated the user's tokens while the lookup said revoked and the audit
 * log said "revoke". Now the admin API refuses such a body (409, or 400 for an expiry already
 * past) and the store keeps the later time and expiry of any revoke written to the topic; only a
 * restore lifts a rule.
 */
class MonotonicRulesIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    private static final MutableClock clock = MutableClock.atNow();
    private static Sidecar sidecar;
    private static int admin;

    @BeforeAll
    static void start() throws Exception {
        String yaml = TestSidecars.yaml("mono", kafka.bootstrapServers(), dir.resolve("mono"),
                "  token: " + ADMIN_TOKEN + "\n", "  sweepInterval: 1s\n");
        sidecar = TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve("mono")), clock);
        admin = sidecar.adminPort().orElseThrow();
    }

    @AfterAll
    static void stop() {
        sidecar.close();
    }

    private static HttpResponse<String> post(String subject, String extra) {
        return Http.postJson(admin, "/v1/revocations", ADMIN_TOKEN, "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER
                + "\",\"value\":\"" + subject + "\"" + extra + "}");
    }

    private static JsonObject lookup(String subject) {
        return new JsonObject(Http.getWithBearer(admin, "/v1/revocations/sub/"
                + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/" + subject, ADMIN_TOKEN).body());
    }

    /** The token stays refused as revoked for a while, sweeps included (every second here). */
    private static void staysRevoked(String token) {
        await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).untilAsserted(
                () -> assertThat(Http.verify(sidecar.apiPort(), token).body()).contains("\"error\":\"revoked\""));
    }

    @Test
    void the_admin_api_refuses_a_revoke_that_would_lift_or_shorten_the_stored_rule() {
        String alice = token("alice", clock.epochSecond() - 60);
        HttpResponse<String> first = post("alice", "");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
        JsonObject rule = lookup("alice");
        long now = clock.epochSecond();

        HttpResponse<String> atZero = post("alice", ",\"at\":0");
        HttpResponse<String> past = post("alice", ",\"expiresAt\":" + (now - 10));
        HttpResponse<String> shorter = post("alice", ",\"expiresAt\":" + (now + 60));

        assertThat(atZero.statusCode()).as(atZero.body()).isEqualTo(409);
        assertThat(new JsonObject(atZero.body()).getString("field")).isEqualTo("at");
        assertThat(new JsonObject(atZero.body()).getString("message")).contains("never weakens");
        assertThat(past.statusCode()).as(past.body()).isEqualTo(400);
        assertThat(new JsonObject(past.body()).getString("field")).isEqualTo("expiresAt");
        assertThat(shorter.statusCode()).as(shorter.body()).isEqualTo(409);
        assertThat(new JsonObject(shorter.body()).getString("field")).isEqualTo("expiresAt");
        staysRevoked(alice);
        assertThat(lookup("alice")).isEqualTo(rule);
    }

    @Test
    void a_weaker_or_expired_revoke_written_to_the_topic_changes_nothing_and_the_lookup_agrees() throws Exception {
        String bob = token("bob", clock.epochSecond() - 60);
        assertThat(post("bob", "").statusCode()).isEqualTo(202);
        JsonObject rule = lookup("bob");
        long now = clock.epochSecond();
        long read = sidecar.feed().recordsConsumed();

        try (RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "bob", 0, rule.getLong("expiresAt"))));
            topic.write(topic.record(RawTopic.revoke(RevocationScope.SUB, "bob", now - 100, now - 1)));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> sidecar.feed().recordsConsumed() >= read + 2);

        staysRevoked(bob);
        assertThat(lookup("bob")).as("the stored rule keeps its time and expiry").isEqualTo(rule);
        String metrics = Http.get(sidecar.apiPort(), "/metrics").body();
        assertThat(metrics).contains("jwt_sidecar_feed_events_without_effect_total{effect=\"ignored_weaker\"}")
                .contains("jwt_sidecar_feed_events_without_effect_total{effect=\"ignored_expired\"}");
    }

    @Test
    void a_later_revoke_strengthens_the_rule_and_only_a_restore_lifts_it() {
        String carol = token("carol", clock.epochSecond() - 60);
        assertThat(post("carol", ",\"expiresAt\":" + (clock.epochSecond() + 7200)).statusCode()).isEqualTo(202);
        long firstAt = lookup("carol").getLong("at");
        clock.advance(Duration.ofSeconds(10));

        HttpResponse<String> again = post("carol", "");

        assertThat(again.statusCode()).as(again.body()).isEqualTo(202);
        JsonObject rule = lookup("carol");
        assertThat(rule.getLong("at")).isEqualTo(firstAt + 10);
        assertThat(rule.getLong("expiresAt")).as("the later expiry of the two").isEqualTo(firstAt + 7200);
        assertThat(Http.deleteWithBearer(admin, "/v1/revocations/sub/" + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8)
                + "/carol", ADMIN_TOKEN).statusCode()).isEqualTo(202);
        assertThat(Http.verify(sidecar.apiPort(), carol).statusCode()).isEqualTo(200);
    }
}
