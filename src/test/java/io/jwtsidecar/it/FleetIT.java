package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.feed.TopicAdmin;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Fleet receipts with three sidecars on one broker: wait=all, the status endpoint, a stopped sidecar. */
class FleetIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    @TempDir
    Path dir;

    private static JsonObject revoke(Sidecar admin, String subject, String query) {
        var r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations" + query, ADMIN_TOKEN,
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return new JsonObject(r.body());
    }

    private static String stateOf(JsonObject report, String id) {
        JsonArray sidecars = report.getJsonArray("sidecars");
        for (int i = 0; i < sidecars.size(); i++) {
            if (sidecars.getJsonObject(i).getString("id").equals(id)) {
                return sidecars.getJsonObject(i).getString("state");
            }
        }
        return "absent";
    }

    @Test
    void wait_all_answers_once_every_live_sidecar_applied_and_a_stopped_one_is_lagging_then_gone() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar a = TestSidecars.startReady("a", kafka.bootstrapServers(), dir.resolve("a"), true, clock);
             Sidecar b = TestSidecars.startReady("b", kafka.bootstrapServers(), dir.resolve("b"), false, clock)) {
            Sidecar c = TestSidecars.startReady("c", kafka.bootstrapServers(), dir.resolve("c"), false, clock);
            int adminPort = a.adminPort().orElseThrow();
            // All three have reported at least once.
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonObject probe = revoke(a, "probe", "?wait=all&timeout=2s").getJsonObject("fleet");
                return probe.getLong("applied") == 3;
            });

            String alice = token("alice", clock.epochSecond() - 60);
            JsonObject answer = revoke(a, "alice", "?wait=all&timeout=10s");

            JsonObject fleet = answer.getJsonObject("fleet");
            assertThat(fleet.getBoolean("complete")).as(answer.encode()).isTrue();
            assertThat(fleet.getLong("applied")).isEqualTo(3);
            assertThat(fleet.getLong("slowestDelayMillis")).isNotNull().isLessThan(2_000L);
            for (Sidecar s : new Sidecar[] {a, b, c}) {
                assertThat(Http.verify(s.apiPort(), alice).body()).as("by the time wait=all answers, every sidecar refuses")
                        .contains("\"error\":\"revoked\"");
            }

            String eventId = answer.getString("eventId");
            JsonObject status = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + eventId + "/status",
                    ADMIN_TOKEN).body());
            assertThat(status.getLong("applied")).isEqualTo(3);
            assertThat(status.getLong("live")).isEqualTo(3);
            assertThat(Http.getWithBearer(adminPort, "/v1/revocations/00000000-0000-4000-8000-000000000000/status",
                    ADMIN_TOKEN).statusCode()).isEqualTo(404);
            assertThat(new picocli.CommandLine(new io.jwtsidecar.cli.JwtSidecarCommand()).execute("status", eventId,
                    "--require-complete", "--admin-url", "http://127.0.0.1:" + adminPort, "--admin-token", ADMIN_TOKEN))
                    .as("jwt-sidecar status").isZero();

            c.close();
            JsonObject afterStop = revoke(a, "bob", "?wait=all&timeout=10s");
            String bobEvent = afterStop.getString("eventId");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonObject s = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + bobEvent + "/status",
                        ADMIN_TOKEN).body());
                assertThat(stateOf(s, "c")).isEqualTo("lagging");
                assertThat(s.getBoolean("complete")).as("a stopped sidecar does not hold the fleet up").isTrue();
                assertThat(s.getLong("applied")).isEqualTo(2);
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonObject s = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + bobEvent + "/status",
                        ADMIN_TOKEN).body());
                assertThat(stateOf(s, "c")).as("gone after fleet.goneAfter").isEqualTo("absent");
            });
        }
    }

    @Test
    void topic_create_makes_the_status_topic_stamped_by_the_broker_and_check_names_one_that_is_not() {
        try (TopicAdmin admin = new TopicAdmin(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.create(new TopicAdmin.Plan("checked-revocations", "checked-status", 2, (short) 1, Duration.ofDays(2), 1));

            // The new topics' settings can take a moment to be readable.
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(admin.check("checked-revocations", "checked-status", Duration.ofHours(1))).isEmpty());
            assertThat(admin.check(TestSidecars.TOPIC, TestSidecars.STATUS_TOPIC, Duration.ofHours(1)))
                    .as("the test broker's status topic is stamped by its producers").singleElement().asString()
                    .startsWith(TestSidecars.STATUS_TOPIC + ": message.timestamp.type=CreateTime")
                    .contains("LogAppendTime");
        }
    }
}
