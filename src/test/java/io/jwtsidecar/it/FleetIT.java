package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.feed.TopicAdmin;
import io.jwtsidecar.testing.FleetReports;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fleet receipts with real sidecars on one broker: wait=all, the status endpoint, a stopped
 * sidecar, and status records forged straight onto the status topic.
 */
class FleetIT {
    /** Generous: the machine running the tests may be busy with other builds. */
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    /** Distinct forged ids in each flood. */
    private static final int FLOOD = 1_000;

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

    private static JsonObject status(int adminPort, String eventId) {
        var r = Http.getWithBearer(adminPort, "/v1/revocations/" + eventId + "/status", ADMIN_TOKEN);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return new JsonObject(r.body());
    }

    private static List<String> ids(JsonObject report) {
        List<String> ids = new ArrayList<>();
        report.getJsonArray("sidecars").forEach(s -> ids.add(((JsonObject) s).getString("id")));
        return ids;
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
                assertThat(FleetReports.stateOf(s, "c")).isEqualTo("lagging");
                assertThat(s.getBoolean("complete")).as("a stopped sidecar does not hold the fleet up").isTrue();
                assertThat(s.getLong("applied")).isEqualTo(2);
            });
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonObject s = new JsonObject(Http.getWithBearer(adminPort, "/v1/revocations/" + bobEvent + "/status",
                        ADMIN_TOKEN).body());
                assertThat(FleetReports.stateOf(s, "c")).as("gone after fleet.goneAfter").isEqualTo("absent");
            });
        }
    }

    /**
     * A sidecar that reads {@code topic} and reports to {@code statusTopic}, reporting every two
     * seconds and gone after ten: a live window (three intervals) wide enough that a busy machine
     * does not make a reporting sidecar look silent.
     */
    private Sidecar start(String id, String topic, String statusTopic, boolean admin, MutableClock clock)
            throws Exception {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id.replace('/', '-')), admin);
        yaml = replaceOnce(yaml, "topic: " + TestSidecars.TOPIC + "\n", "topic: " + topic + "\n");
        yaml = replaceOnce(yaml, "statusTopic: " + TestSidecars.STATUS_TOPIC + "\n", "statusTopic: " + statusTopic + "\n");
        yaml = replaceOnce(yaml, "statusInterval: 200ms\n  goneAfter: 3s\n", "statusInterval: 2s\n  goneAfter: 10s\n");
        return TestSidecars.startReady(new ConfigLoader(Map.of()).parse(yaml, dir), clock);
    }

    private static String replaceOnce(String text, String from, String to) {
        assertThat(text).as("test sidecar configuration").contains(from);
        return text.replace(from, to);
    }

    /** A status record as a sidecar writes it, claiming every partition applied up to far ahead. */
    private static ProducerRecord<String, String> forged(String topic, String id, long reportedAt) {
        long farAhead = 1_000_000_000_000L;
        JsonObject offsets = new JsonObject().put("0", farAhead).put("1", farAhead).put("2", farAhead);
        JsonObject at = new JsonObject().put("0", reportedAt).put("1", reportedAt).put("2", reportedAt);
        JsonObject value = new JsonObject().put("v", 1).put("sidecarId", id).put("reportedAt", reportedAt)
                .put("stalenessMillis", 0).put("appliedNext", offsets).put("appliedAt", at);
        return new ProducerRecord<>(topic, id, value.encode());
    }

    private KafkaProducer<String, String> forger() {
        return new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName(),
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName()));
    }

    @ParameterizedTest(name = "status topic stamped with {0}")
    @ValueSource(strings = {"CreateTime", "LogAppendTime"})
    void reports_forged_an_hour_ahead_neither_complete_a_receipt_nor_stick_and_a_flood_of_ids_is_forgotten(
            String stamp) throws Exception {
        String ns = stamp.toLowerCase();
        String topic = ns + "-revocations";
        String statusTopic = ns + "-status";
        if (stamp.equals("LogAppendTime")) {
            // As jwt-sidecar topic create makes them.
            try (TopicAdmin admin = new TopicAdmin(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
                admin.create(new TopicAdmin.Plan(topic, statusTopic, 3, (short) 1, Duration.ofDays(1), 1));
            }
        } else {
            // As the dev broker makes them, and as a status topic made before topic create set the broker's clock.
            kafka.cluster().createRevocationTopic(topic, 3, Duration.ofDays(1).toMillis());
            kafka.cluster().createTopic(statusTopic, 1, Map.of("cleanup.policy", "compact"));
        }
        // The frozen sidecar reads another topic: it keeps reporting, but never applies our events.
        String elsewhere = ns + "-elsewhere";
        kafka.cluster().createRevocationTopic(elsewhere, 3, Duration.ofDays(1).toMillis());
        // Ids as in Kubernetes: namespace/pod.
        String adminId = ns + "/admin";
        String frozenId = ns + "/frozen";
        String stoppedId = ns + "/stopped";
        String ghostId = ns + "/ghost";
        String markerId = ns + "/marker";
        MutableClock clock = MutableClock.atNow();
        try (Sidecar admin = start(adminId, topic, statusTopic, true, clock);
             Sidecar frozen = start(frozenId, elsewhere, statusTopic, false, clock);
             Sidecar stopped = start(stoppedId, topic, statusTopic, false, clock)) {
            int adminPort = admin.adminPort().orElseThrow();
            String probe = revoke(admin, "probe", "").getString("eventId");
            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonObject s = status(adminPort, probe);
                assertThat(FleetReports.stateOf(s, adminId)).isEqualTo("applied");
                assertThat(FleetReports.stateOf(s, stoppedId)).isEqualTo("applied");
                assertThat(FleetReports.stateOf(s, frozenId)).isEqualTo("pending");
            });
            stopped.close();

            long hourAhead = System.currentTimeMillis() + Duration.ofHours(1).toMillis();
            try (KafkaProducer<String, String> forger = forger()) {
                forger.send(forged(statusTopic, stoppedId, hourAhead));
                forger.send(forged(statusTopic, frozenId, hourAhead));
                forger.send(forged(statusTopic, ghostId, hourAhead));
                for (int i = 0; i < FLOOD; i++) {
                    forger.send(forged(statusTopic, ns + "/future-" + i, hourAhead));
                    forger.send(forged(statusTopic, ns + "/flood-" + i, System.currentTimeMillis()));
                }
                // Written last: once the admin lists it, it has read every forged record before it.
                forger.send(forged(statusTopic, markerId, System.currentTimeMillis()));
            }
            await().atMost(PATIENCE).until(() -> ids(status(adminPort, probe)).contains(markerId));

            JsonObject answer = revoke(admin, "alice", "?wait=all&timeout=3s");
            JsonObject fleet = answer.getJsonObject("fleet");
            assertThat(fleet.getBoolean("complete")).as("the frozen sidecar has not applied it, whatever a forged "
                    + "report says; frozen: %s, stopped: %s, ghost: %s", FleetReports.stateOf(fleet, frozenId), FleetReports.stateOf(fleet, stoppedId),
                    FleetReports.stateOf(fleet, ghostId)).isFalse();
            String alice = answer.getString("eventId");
            for (JsonObject report : List.of(fleet, status(adminPort, alice))) {
                assertThat(FleetReports.stateOf(report, frozenId)).as("frozen").isEqualTo("pending");
                assertThat(FleetReports.stateOf(report, stoppedId)).as("stopped before the forgery").isNotEqualTo("applied");
                assertThat(FleetReports.stateOf(report, ghostId)).as("only ever reported from the future").isEqualTo("absent");
                assertThat(ids(report)).as("reported from the future").noneMatch(id -> id.startsWith(ns + "/future-"));
                assertThat(report.getBoolean("complete")).isFalse();
            }

            await().atMost(PATIENCE).untilAsserted(() -> {
                JsonObject s = status(adminPort, alice);
                assertThat(ids(s)).as("after fleet.goneAfter only the sidecars still reporting are listed")
                        .containsExactlyInAnyOrder(adminId, frozenId);
                assertThat(FleetReports.stateOf(s, adminId)).isEqualTo("applied");
                assertThat(FleetReports.stateOf(s, frozenId)).isEqualTo("pending");
                assertThat(s.getBoolean("complete")).isFalse();
            });
        }
    }

    @Test
    void topic_create_makes_the_status_topic_stamped_by_the_broker_and_check_names_one_that_is_not() {
        try (TopicAdmin admin = new TopicAdmin(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            admin.create(new TopicAdmin.Plan("checked-revocations", "checked-status", 2, (short) 1, Duration.ofDays(2), 1));

            // The new topics' settings can take a moment to be readable.
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(admin.check("checked-revocations", "checked-status", Duration.ofHours(1))).isEmpty());
            kafka.cluster().createTopic("producer-stamped-status", 1, Map.of("cleanup.policy", "compact"));
            await().atMost(PATIENCE).untilAsserted(() ->
                    assertThat(admin.check("checked-revocations", "producer-stamped-status", Duration.ofHours(1)))
                            .as("a status topic stamped by its producers").singleElement().asString()
                            .startsWith("producer-stamped-status: message.timestamp.type=CreateTime")
                            .contains("LogAppendTime"));
        }
    }
}
