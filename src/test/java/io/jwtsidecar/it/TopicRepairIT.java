package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A record written over a rule on the topic cannot take the rule from sidecars that start later
 * (found by an outside review: a client that can write to the topic, without any publisher key,
 * wrote a tombstone keyed by a signed revocation's rule key; every sidecar dead-lettered it, but
 * compaction kept it and dropped the revoke, and a sidecar starting from an empty store enforced
 * nothing). A dead-lettered record that is the newest of its key now marks the stored rule as not
 * said by the topic any more, and the admin sidecar publishes it again.
 */
class TopicRepairIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static final PublisherKeys OPS = PublisherKeys.ed25519("ops-2026-11");


    /** Compaction as a broker does it, only sooner: small segments, no dirty-ratio or lag threshold. */
    private static void compactSoon() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, TestSidecars.TOPIC);
            admin.incrementalAlterConfigs(Map.of(topic, List.of(
                    new AlterConfigOp(new ConfigEntry("segment.ms", "200"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("min.cleanable.dirty.ratio", "0.01"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("min.compaction.lag.ms", "0"), AlterConfigOp.OpType.SET),
                    new AlterConfigOp(new ConfigEntry("delete.retention.ms", "100"), AlterConfigOp.OpType.SET))))
                    .all().get(30, TimeUnit.SECONDS);
            try {
                ConfigResource brokers = new ConfigResource(ConfigResource.Type.BROKER, "");
                admin.incrementalAlterConfigs(Map.of(brokers, List.of(new AlterConfigOp(
                        new ConfigEntry("log.cleaner.backoff.ms", "500"), AlterConfigOp.OpType.SET))))
                        .all().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                // The default backoff (15 s) only makes the test slower.
            }
        }
    }

    @Test
    void a_tombstone_keyed_by_the_rule_key_cannot_erase_a_signed_revocation_from_a_sidecar_that_starts_later()
            throws Exception {
        MutableClock clock = MutableClock.atNow();
        compactSoon();
        RuleKey mallory = new RuleKey(RevocationScope.SUB, ISSUER, "mallory");
        String stolen = token("mallory", clock.epochSecond() - 60);
        try (Sidecar admin = TestSidecars.startReady(TestSidecars.signedSweepingEverySecond("admin", kafka.bootstrapServers(), dir, OPS, OPS), clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"mallory\",\"reason\":\"logout_all\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            assertThat(Http.verify(admin.apiPort(), stolen).statusCode()).isEqualTo(401);

            String revokeId = new JsonObject(r.body()).getString("eventId");
            // The attack: one record, no key material, keyed by the rule key.
            Thread.sleep(400);
            topic.write(mallory.toBytes(), null);
            // Compaction runs on closed segments: later records (anything) roll the segment. It drops the signed
            // revoke for the tombstone; the admin sidecar has said the rule again meanwhile.
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                topic.write("filler".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8));
                assertThat(topic.recordsOf(mallory)).as("the first signed revoke is gone from the topic")
                        .noneSatisfy(rec -> assertThat(rec.value() != null && new String(rec.value(),
                                StandardCharsets.UTF_8).contains(revokeId)).isTrue());
            });
            assertThat(topic.recordsOf(mallory)).as("the revocation is said again")
                    .anySatisfy(rec -> assertThat(rec.value()).isNotNull());

            // Running sidecars still enforce the rule; several re-assertion passes (sweepInterval 1s) go by.
            assertThat(Http.verify(admin.apiPort(), stolen).statusCode()).isEqualTo(401);

            try (Sidecar later = TestSidecars.startReady(TestSidecars.signedSweepingEverySecond("later", kafka.bootstrapServers(), dir, null, OPS), clock)) {
                HttpResponse<String> verdict = Http.verify(later.apiPort(), stolen);
                assertThat(verdict.statusCode())
                        .as("a sidecar started from the topic after the attack must enforce the accepted revocation; "
                                + "records of the rule key on the topic now: %s; answer: %s",
                                topic.recordsOf(mallory).size(), verdict.body())
                        .isEqualTo(401);
            }
        }
    }
}
