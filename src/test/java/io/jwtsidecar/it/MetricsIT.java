package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** /metrics reports what happened, with the right numbers. */
class MetricsIT {
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " ([0-9.eE+-]+|NaN)$", Pattern.MULTILINE).matcher(scrape);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in:\n" + scrape);
        }
        return Double.parseDouble(m.group(1));
    }

    @Test
    void metrics_count_outcomes_feed_activity_store_size_and_admin_refusals() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (Sidecar s = TestSidecars.startReady("m", kafka.bootstrapServers(), dir.resolve("m"), true, clock)) {
            int api = s.apiPort();
            String alice = token("alice", clock.epochSecond() - 60);
            Http.verify(api, alice);
            Http.verify(api, alice);
            Http.verify(api, "not-a-token");
            Http.get(api, "/v1/verify");
            assertThat(Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", "wrong-credential", "{}").statusCode())
                    .isEqualTo(401);
            assertThat(Http.postJson(s.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"alice\"}").statusCode()).isEqualTo(202);
            Http.verify(api, alice);
            try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(Map.of("bootstrap.servers", kafka.bootstrapServers()),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                p.send(new ProducerRecord<>(TestSidecars.TOPIC, "k".getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
            }
            await().atMost(Duration.ofSeconds(15)).until(() -> s.feed().deadLettered() == 1);
            // The lag gauge follows the consumer's own lag after the poll that brought the record (no need to wait
            // for the next end check, every 10 s at the default maxStaleness).
            await().atMost(Duration.ofSeconds(5)).until(
                    () -> value(Http.get(api, "/metrics").body(), "jwt_sidecar_feed_lag_records") == 0);

            String scrape = Http.get(api, "/metrics").body();

            assertThat(value(scrape, "jwt_sidecar_verify_total{verdict=\"accepted\"}")).isEqualTo(2);
            assertThat(value(scrape, "jwt_sidecar_verify_total{verdict=\"malformed\"}")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_verify_total{verdict=\"missing_token\"}")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_verify_total{verdict=\"revoked\"}")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_verify_latency_seconds_count")).isEqualTo(5);
            assertThat(value(scrape, "jwt_sidecar_verify_cache_hits_total")).as("second and revoked check of alice")
                    .isEqualTo(2);
            assertThat(value(scrape, "jwt_sidecar_feed_events_applied_total")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_feed_dead_letters_total")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_propagation_delay_seconds_count")).isEqualTo(2);
            assertThat(value(scrape, "jwt_sidecar_store_rules")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_bloom_bytes")).isGreaterThan(1000);
            assertThat(value(scrape, "jwt_sidecar_bloom_false_positive_rate")).isBetween(0.0, 0.01);
            assertThat(value(scrape, "jwt_sidecar_feed_staleness_seconds")).isBetween(0.0, 5.0);
            assertThat(value(scrape, "jwt_sidecar_feed_lag_records")).isZero();
            assertThat(value(scrape, "jwt_sidecar_admin_refusals_total")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_admin_actions_total{action=\"revoke\"}")).isEqualTo(1);
            assertThat(value(scrape, "jwt_sidecar_dpop_replay_evictions_total")).as("no DPoP proofs here").isZero();
            assertThat(value(scrape, "jwt_sidecar_dpop_replay_ids")).isZero();
        }
    }
}
