package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rule that lives longer than the topic keeps its record (a 30-day ban) reaches sidecars that start
 * after retention dropped its first record (found by an outside review: only key rules were renewed,
 * so such a rule was held by running stores and missing from new ones). The admin sidecar asserts a
 * rule again half a lifetime after its newest record whenever the rule would outlive that record.
 */
class LongRuleRetentionIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static final PublisherKeys OPS = PublisherKeys.ed25519("ops-2026-11");



    @Test
    void a_thirty_day_rule_reaches_a_sidecar_started_after_retention_dropped_its_first_record() throws Exception {
        MutableClock clock = MutableClock.atNow();
        long t = clock.epochSecond();
        try (Sidecar admin = TestSidecars.startReady(TestSidecars.signedSweepingEverySecond("admin", kafka.bootstrapServers(), dir, OPS, OPS), clock);
             Admin kafkaAdmin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"dave\",\"reason\":\"admin\","
                            + "\"expiresAt\":" + (t + 30 * 86400) + "}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long offset = new JsonObject(r.body()).getLong("offset");

            // Three hours later (retention is twice the 1h lifetime), with maintenance passes every second.
            clock.advance(Duration.ofHours(3));
            try (RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
                RuleKey key = new RuleKey(RevocationScope.SUB, ISSUER, "dave");
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(topic.recordsOf(key)).hasSize(2));
            }
            kafkaAdmin.deleteRecords(Map.of(new TopicPartition(TestSidecars.TOPIC, 0), RecordsToDelete.beforeOffset(offset + 1)))
                    .all().get(30, TimeUnit.SECONDS);

            String dave = TestSidecars.tokenWithoutIat("dave", clock.epochSecond() + 600);
            assertThat(Http.verify(admin.apiPort(), dave).statusCode()).as("the running sidecar enforces the rule")
                    .isEqualTo(401);
            try (Sidecar later = TestSidecars.startReady(TestSidecars.signedSweepingEverySecond("later", kafka.bootstrapServers(), dir, null, OPS), clock)) {
                HttpResponse<String> verdict = Http.verify(later.apiPort(), dave);
                assertThat(verdict.statusCode())
                        .as("a sidecar started later must enforce the rule the running ones hold: %s", verdict.body())
                        .isEqualTo(401);
            }
        }
    }
}
