package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.revocation.RevocationEvent;
import io.jwtsidecar.revocation.RevocationScope;
import io.jwtsidecar.revocation.RuleKey;
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
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A key-compromise rule lasts (issue: "a kid rule expires"). It used to expire a token lifetime
 * after its time, and topic retention dropped its record, so fresh tokens signed with the
 * still-configured compromised key were accepted again after one lifetime. Now it holds until
 * restored: past any lifetime and sweep, and, because the admin sidecar asserts it again on the
 * topic, past the retention that drops its first record.
 */
class KeyRulePermanenceIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static String yaml(String id, boolean admin) {
        return TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), admin ? "  token: " + ADMIN_TOKEN + "\n" : "",
                "  sweepInterval: 1s\n");
    }

    @Test
    void a_kid_rule_outlives_the_token_lifetime_the_sweep_and_the_retention_of_its_first_record() throws Exception {
        MutableClock clock = MutableClock.atNow();
        RuleKey kid = new RuleKey(RevocationScope.KID, ISSUER, "hs1");
        try (Sidecar admin = TestSidecars.startReady(TestSidecars.parse(yaml("admin", true), dir.resolve("admin")), clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC);
             Admin kafkaAdmin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
            HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                    "{\"scope\":\"kid\",\"issuer\":\"" + ISSUER + "\",\"value\":\"hs1\",\"reason\":\"key_compromise\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
            long firstOffset = new JsonObject(r.body()).getLong("offset");
            assertThat(Http.verify(admin.apiPort(), token("alice", clock.epochSecond())).statusCode()).isEqualTo(401);
            JsonObject lookup = new JsonObject(Http.getWithBearer(admin.adminPort().orElseThrow(), "/v1/revocations/kid/"
                    + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/hs1", ADMIN_TOKEN).body());
            assertThat(lookup.getBoolean("permanent")).isTrue();
            assertThat(lookup.getValue("expiresAt")).isNull();

            // Two token lifetimes (1h each) later, with sweeps every second.
            clock.advance(Duration.ofHours(2));
            String fresh = token("alice", clock.epochSecond());
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).untilAsserted(
                    () -> assertThat(Http.verify(admin.apiPort(), fresh).body()).contains("\"error\":\"revoked\""));

            // The admin sidecar asserts the rule again once half the longest lifetime has passed.
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(topic.recordsOf(kid))
                    .anySatisfy(rec -> assertThat(topic.codec().decode(rec.value()).reason()).isEqualTo("reassert:renew")));
            var records = topic.recordsOf(kid);
            RevocationEvent renewal = topic.codec().decode(records.get(records.size() - 1).value());
            assertThat(renewal.type()).isEqualTo(RevocationEvent.Type.REVOKE);
            assertThat(records).as("renewed once, not on every pass").hasSize(2);

            // Retention drops the first record, as it would after retention.ms.
            kafkaAdmin.deleteRecords(Map.of(new TopicPartition(TestSidecars.TOPIC, 0),
                    RecordsToDelete.beforeOffset(firstOffset + 1))).all().get(30, TimeUnit.SECONDS);

            try (Sidecar later = TestSidecars.startReady(TestSidecars.parse(yaml("later", false), dir.resolve("later")),
                    clock)) {
                HttpResponse<String> verdict = Http.verify(later.apiPort(), fresh);
                assertThat(verdict.statusCode()).as("a sidecar started after the first record is gone").isEqualTo(401);
                assertThat(verdict.body()).contains("\"error\":\"revoked\"");
            }
        }
    }
}
