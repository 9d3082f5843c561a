package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.EventCodec;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import io.jwtsidecar.testing.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The revocation feed against a real broker: readiness, and poison pills on the topic. */
class FeedIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.empty();

    private static KafkaProducer<byte[], byte[]> rawProducer() {
        return new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers(), "acks", "all"),
                new ByteArraySerializer(), new ByteArraySerializer());
    }

    @Test
    void a_sidecar_is_not_ready_and_answers_503_until_its_feed_has_caught_up() throws Exception {
        MutableClock clock = MutableClock.atNow();
        // The topic does not exist yet: the feed cannot have caught up.
        try (Sidecar s = Sidecar.start(TestSidecars.config("early", kafka.bootstrapServers(), dir.resolve("early"), false),
                clock)) {
            var ready = Http.get(s.apiPort(), "/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("catching_up");
            var verify = Http.verify(s.apiPort(), token("alice", clock.epochSecond()));
            assertThat(verify.statusCode()).isEqualTo(503);
            assertThat(verify.body()).contains("revocation_data_stale");
            assertThat(Http.get(s.apiPort(), "/health/live").statusCode()).isEqualTo(200);
            assertThat(s.adminPort()).as("no admin token, no admin listener").isEmpty();

            kafka.cluster().createRevocationTopic(TestSidecars.TOPIC, 3, Duration.ofDays(1).toMillis());

            await().atMost(Duration.ofSeconds(30)).untilAsserted(
                    () -> assertThat(Http.get(s.apiPort(), "/health/ready").statusCode()).isEqualTo(200));
            assertThat(Http.verify(s.apiPort(), token("alice", clock.epochSecond())).statusCode()).isEqualTo(200);
        }
    }

    @Test
    void poison_pills_are_dead_lettered_and_counted_and_never_stall_the_feed() throws Exception {
        kafka.cluster().createTopic("poison", 1, Map.of());
        MutableClock clock = MutableClock.atNow();
        String config = TestSidecars.yaml("p", kafka.bootstrapServers(), dir.resolve("p"), true)
                .replace("topic: " + TestSidecars.TOPIC, "topic: poison");
        EventCodec codec = new EventCodec();
        RevocationEvent valid = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISSUER, "mallory"), clock.epochSecond(), clock.epochSecond() + 3600,
                "logout", "test");
        RevocationEvent wrongKey = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                new RuleKey(RevocationScope.SUB, ISSUER, "dave"), clock.epochSecond(), clock.epochSecond() + 3600,
                "logout", "test");
        try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
            producer.send(new ProducerRecord<>("poison", "x".getBytes(StandardCharsets.UTF_8),
                    "{not json".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>("poison", "k".getBytes(StandardCharsets.UTF_8),
                    "{\"v\":1,\"type\":\"revoke\"}".getBytes(StandardCharsets.UTF_8))).get();
            producer.send(new ProducerRecord<>("poison", "not-the-rule-key".getBytes(StandardCharsets.UTF_8),
                    codec.encode(wrongKey))).get();
            producer.send(new ProducerRecord<>("poison", valid.key().toBytes(), codec.encode(valid))).get();
        }

        try (Sidecar s = Sidecar.start(new io.jwtsidecar.config.ConfigLoader(Map.of()).parse(config, dir), clock)) {
            s.feedCaughtUp().get(30, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(s.feed().deadLettered()).isEqualTo(3);
            assertThat(s.feed().eventsApplied()).isEqualTo(1);
            assertThat(Http.verify(s.apiPort(), token("mallory", clock.epochSecond() - 10)).body()).contains("revoked");
            assertThat(Http.verify(s.apiPort(), token("dave", clock.epochSecond() - 10)).statusCode())
                    .as("a dead-lettered event never takes effect").isEqualTo(200);
            assertThat(Http.get(s.apiPort(), "/health/ready").body()).contains("\"deadLettered\":3")
                    .as("the offset advanced past the valid and the dead-lettered records alike")
                    .contains("\"appliedOffsets\":{\"0\":4}");
            var listing = Http.getWithBearer(s.adminPort().orElseThrow(), "/v1/dead-letters?limit=10",
                    TestSidecars.ADMIN_TOKEN);
            assertThat(listing.statusCode()).isEqualTo(200);
            io.vertx.core.json.JsonObject dl = new io.vertx.core.json.JsonObject(listing.body());
            assertThat(dl.getLong("count")).isEqualTo(3);
            io.vertx.core.json.JsonObject first = dl.getJsonArray("deadLetters").getJsonObject(0);
            assertThat(first.getInteger("partition")).isZero();
            assertThat(first.getLong("offset")).isZero();
            assertThat(first.getString("reason")).startsWith("not JSON");
            assertThat(java.util.Base64.getDecoder().decode(first.getString("value"))).isEqualTo(
                    "{not json".getBytes(StandardCharsets.UTF_8));
            assertThat(Http.getWithBearer(s.adminPort().orElseThrow(), "/v1/dead-letters", "wrong").statusCode())
                    .isEqualTo(401);

            // The feed keeps going after the pills.
            RevocationEvent later = new RevocationEvent(UUID.randomUUID().toString(), RevocationEvent.Type.REVOKE,
                    new RuleKey(RevocationScope.SUB, ISSUER, "erin"), clock.epochSecond(), clock.epochSecond() + 3600,
                    "logout", "test");
            try (KafkaProducer<byte[], byte[]> producer = rawProducer()) {
                producer.send(new ProducerRecord<>("poison", later.key().toBytes(), codec.encode(later))).get();
            }
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(
                    Http.verify(s.apiPort(), token("erin", clock.epochSecond() - 10)).statusCode()).isEqualTo(401));
        }
    }
}
