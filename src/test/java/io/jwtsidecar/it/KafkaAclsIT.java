package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.STATUS_TOPIC;
import static io.jwtsidecar.testing.TestSidecars.TOPIC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.testing.FleetReports;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaAclExamples;
import io.jwtsidecar.testing.LogCapture;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.SaslKafkaBroker;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Kafka ACLs (the KafkaUsers of deploy/k8s/kafka-users.yaml, which deploy/kafka-acls
 * restates) on a real broker that authenticates every client (SASL/PLAIN) and authorizes every
 * request (Kafka's StandardAuthorizer: no ACL, no access). With exactly those ACLs, a sidecar
 * authenticated as {@code jwt-sidecar} and an admin sidecar as {@code jwt-sidecar-publisher} do all
 * they do (read the feed, report their status, check the topics' settings, publish a revocation,
 * read the fleet's reports) without the authorizer denying them anything; {@code jwt-sidecar}
 * cannot publish revocations, and a principal without ACLs can touch neither topic.
 * KafkaAclExamplesTest holds acls.sh and the README to what the YAML says.
 */
class KafkaAclsIT {
    /** Generous: the machine running the tests may be busy with other builds. */
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    private static final String SIDECAR = "jwt-sidecar";
    private static final String PUBLISHER = "jwt-sidecar-publisher";
    private static final String MALLORY = "mallory";
    /** What the sidecars' start-up settings check says about each topic, when it may read that topic's settings. */
    private static final String SHORT_RETENTION = "topic settings: " + TOPIC + ": retention.ms=";
    private static final String PRODUCER_STAMPED = "topic settings: " + STATUS_TOPIC + ": message.timestamp.type=";

    /** How Kafka's authorizer logs a denial (logger kafka.authorizer.logger, INFO). */
    private static final Pattern DENIAL = Pattern.compile(
            "Principal = (\\S+) is Denied operation = (\\S+) from host = \\S+ on resource = (\\S+)");

    @RegisterExtension
    static final SaslKafkaBroker kafka = SaslKafkaBroker.withUsers(SIDECAR, PUBLISHER, MALLORY);

    @TempDir
    static Path dir;

    @BeforeAll
    static void topics_and_the_acls_of_kafka_users_yaml() throws Exception {
        // Each topic has one setting the sidecars' settings check warns about (retention shorter than the
        // issuer's one-hour token lifetime; reports stamped by producers). Only a sidecar allowed to read that
        // topic's settings (DescribeConfigs) can say so: the warnings prove the check ran and was allowed.
        kafka.cluster().createTopic(TOPIC, 3, Map.of("cleanup.policy", "compact,delete",
                "retention.ms", String.valueOf(Duration.ofMinutes(30).toMillis())));
        kafka.cluster().createTopic(STATUS_TOPIC, 1, Map.of("cleanup.policy", "compact"));
        List<AclBinding> acls = KafkaAclExamples.strimziBindings();
        try (Admin admin = kafka.superUserAdmin()) {
            admin.createAcls(acls).all().get(30, TimeUnit.SECONDS);
            // The broker authorizes with its copy of the cluster metadata: wait until it holds every rule.
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(admin.describeAcls(AclBindingFilter.ANY).values()
                    .get(10, TimeUnit.SECONDS)).containsExactlyInAnyOrderElementsOf(acls));
        }
    }

    /** A sidecar whose Kafka clients authenticate as {@code user}; {@code admin}: with an admin API. */
    private static Sidecar start(String id, boolean admin, String user, MutableClock clock) throws Exception {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), admin, kafka.clientConfig(user));
        return TestSidecars.startReady(TestSidecars.parse(yaml, dir.resolve(id)), clock);
    }

    private static long count(LogCapture log, String prefix) {
        return log.messages().stream().filter(m -> m.startsWith(prefix)).count();
    }


    @Test
    void with_the_example_acls_sidecars_read_report_check_publish_and_enforce_and_nothing_is_denied() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String alice = TestSidecars.token("alice", clock.epochSecond() - 60);
        try (LogCapture authorizer = LogCapture.info("kafka.authorizer.logger");
             LogCapture warnings = LogCapture.warn("io.jwtsidecar")) {
            try (Sidecar reader = start("reader", false, SIDECAR, clock)) {
                var ready = Http.get(reader.apiPort(), "/health/ready");
                assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
                assertThat(new JsonObject(ready.body()).getJsonObject("checks").getString("revocationFeed"))
                        .as(ready.body()).isEqualTo("fresh");
                await().atMost(PATIENCE).untilAsserted(() -> {
                    assertThat(count(warnings, SHORT_RETENTION)).as("the reader read the revocation topic's settings")
                            .isEqualTo(1);
                    assertThat(count(warnings, PRODUCER_STAMPED)).as("the reader read the status topic's settings")
                            .isEqualTo(1);
                });

                try (Sidecar publisher = start("publisher", true, PUBLISHER, clock)) {
                    await().atMost(PATIENCE).untilAsserted(() -> {
                        assertThat(count(warnings, SHORT_RETENTION)).as("the publisher read the revocation topic's "
                                + "settings").isEqualTo(2);
                        assertThat(count(warnings, PRODUCER_STAMPED)).as("the publisher read the status topic's "
                                + "settings").isEqualTo(2);
                    });
                    for (Sidecar s : List.of(reader, publisher)) {
                        assertThat(Http.verify(s.apiPort(), alice).statusCode()).as("before the revocation").isEqualTo(200);
                    }
                    int adminPort = publisher.adminPort().orElseThrow();
                    var revoked = Http.postJson(adminPort, "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}");
                    assertThat(revoked.statusCode()).as(revoked.body()).isEqualTo(202);
                    String eventId = new JsonObject(revoked.body()).getString("eventId");

                    await().atMost(PATIENCE).untilAsserted(() -> {
                        for (Sidecar s : List.of(reader, publisher)) {
                            var verdict = Http.verify(s.apiPort(), alice);
                            assertThat(verdict.statusCode()).as(verdict.body()).isEqualTo(401);
                            assertThat(verdict.body()).contains("\"error\":\"revoked\"");
                        }
                    });
                    // The reader's reports reached the status topic, and the publisher read them there.
                    await().atMost(PATIENCE).untilAsserted(() -> {
                        var status = Http.getWithBearer(adminPort, "/v1/revocations/" + eventId + "/status", ADMIN_TOKEN);
                        assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
                        JsonObject report = new JsonObject(status.body());
                        assertThat(FleetReports.stateOf(report, "reader")).as(status.body()).isEqualTo("applied");
                        assertThat(FleetReports.stateOf(report, "publisher")).as(status.body()).isEqualTo("applied");
                    });
                }
            }
            assertThat(denials(authorizer)).as("what the authorizer denied the sidecars").isEmpty();
            assertThat(warnings.messages()).as("the sidecars' warnings").noneMatch(m -> m.contains("cannot read its settings")
                    || m.contains("could not check") || m.contains("not readable")
                    || m.toLowerCase(Locale.ROOT).contains("authoriz"));
        }
    }

    private static KafkaProducer<byte[], byte[]> producer(String user, boolean idempotent) {
        Map<String, Object> config = new HashMap<>(kafka.connectAs(user));
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, idempotent);
        if (!idempotent) {
            config.put(ProducerConfig.ACKS_CONFIG, "1");
        }
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Writing {@code topic} as the producer's user fails with the topic's authorization error. */
    private static void assertCannotWrite(KafkaProducer<byte[], byte[]> producer, String topic) {
        long now = System.currentTimeMillis() / 1000;
        RevocationEvent forged = RawTopic.revoke(RevocationScope.SUB, "bob", now, now + 3600);
        ExecutionException e = assertThrows(ExecutionException.class, () -> producer.send(
                new ProducerRecord<>(topic, forged.key().toBytes(), new EventCodec().encode(forged)))
                .get(30, TimeUnit.SECONDS), "writing " + topic);
        assertThat(e.getCause()).as("writing " + topic).isInstanceOf(TopicAuthorizationException.class);
        assertThat(((TopicAuthorizationException) e.getCause()).unauthorizedTopics()).containsExactly(topic);
    }

    /** Reading {@code topic} as {@code user}, assigned its first partition as the sidecars read, fails. */
    private static void assertCannotRead(String user, String topic) {
        Map<String, Object> config = new HashMap<>(kafka.connectAs(user));
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            // The first polls may return before the broker has answered; the refusal then comes as an exception.
            TopicAuthorizationException e = await().atMost(PATIENCE).until(() -> {
                try {
                    consumer.poll(Duration.ofMillis(200));
                    return null;
                } catch (TopicAuthorizationException refused) {
                    return refused;
                }
            }, Objects::nonNull);
            assertThat(e.unauthorizedTopics()).as("reading " + topic + " as " + user).containsExactly(topic);
        }
    }

    /** The authorizer's denials in {@code log}, as "User:name OPERATION Topic:LITERAL:name". */
    private static List<String> denials(LogCapture log) {
        List<String> denials = new ArrayList<>();
        for (String m : log.messages()) {
            Matcher d = DENIAL.matcher(m);
            if (d.find()) {
                denials.add(d.group(1) + " " + d.group(2) + " " + d.group(3));
            }
        }
        return denials;
    }

    @Test
    void the_sidecar_principal_cannot_publish_nor_read_the_fleet_and_a_principal_without_acls_touches_neither_topic() {
        try (LogCapture authorizer = LogCapture.info("kafka.authorizer.logger")) {
            try (KafkaProducer<byte[], byte[]> sidecar = producer(SIDECAR, true)) {
                assertCannotWrite(sidecar, TOPIC);
            }
            assertCannotRead(SIDECAR, STATUS_TOPIC);
            // Not idempotent: an idempotent producer first asks for a producer id, which mallory (no Write on any
            // topic) is refused cluster-wide before any topic is named; this one gets each topic's own answer.
            try (KafkaProducer<byte[], byte[]> mallory = producer(MALLORY, false)) {
                assertCannotWrite(mallory, TOPIC);
                assertCannotWrite(mallory, STATUS_TOPIC);
            }
            assertCannotRead(MALLORY, TOPIC);
            assertCannotRead(MALLORY, STATUS_TOPIC);

            // The broker's own account, the log the other test finds empty of the sidecars' denials.
            assertThat(denials(authorizer)).as("what the authorizer denied").contains(
                    "User:jwt-sidecar WRITE Topic:LITERAL:" + TOPIC,
                    "User:jwt-sidecar READ Topic:LITERAL:" + STATUS_TOPIC,
                    "User:mallory DESCRIBE Topic:LITERAL:" + TOPIC,
                    "User:mallory DESCRIBE Topic:LITERAL:" + STATUS_TOPIC);
        }
    }
}
