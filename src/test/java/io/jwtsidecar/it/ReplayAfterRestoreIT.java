package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.PublisherKeys;
import io.jwtsidecar.testing.RawTopic;
import io.jwtsidecar.testing.TestSidecars;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A captured signed revoke written again cannot undo a newer restore, also after a token lifetime
 * (found by an outside review: the restore was remembered for one lifetime whatever the expiry of
 * the ban it lifted, so once it was swept the replayed 30-day ban applied again). A restore is now
 * remembered as long as the rule it lifted could matter.
 */
class ReplayAfterRestoreIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    private static final PublisherKeys OPS = PublisherKeys.ed25519("ops-2026-11");


    @Test
    void a_replayed_ban_stays_powerless_for_as_long_as_it_could_matter() throws Exception {
        MutableClock clock = MutableClock.atNow();
        long t = clock.epochSecond();
        String path = "/v1/revocations/sub/" + URLEncoder.encode(ISSUER, StandardCharsets.UTF_8) + "/bob";
        try (Sidecar admin = TestSidecars.startReady(
                TestSidecars.signedSweepingEverySecond("admin", kafka.bootstrapServers(), dir, OPS, OPS), clock);
             RawTopic topic = new RawTopic(kafka.bootstrapServers(), TestSidecars.TOPIC)) {
            int adminPort = admin.adminPort().orElseThrow();
            HttpResponse<String> ban = Http.postJson(adminPort, "/v1/revocations", ADMIN_TOKEN, "{\"scope\":\"sub\","
                    + "\"issuer\":\"" + ISSUER + "\",\"value\":\"bob\",\"reason\":\"admin\",\"expiresAt\":" + (t + 30 * 86400) + "}");
            assertThat(ban.statusCode()).as(ban.body()).isEqualTo(202);
            JsonObject banReceipt = new JsonObject(ban.body());
            ConsumerRecord<byte[], byte[]> captured = topic.read(banReceipt.getInteger("partition"), banReceipt.getLong("offset"));
            assertThat(Http.verify(admin.apiPort(), TestSidecars.tokenWithoutIat("bob", t + 600)).statusCode()).isEqualTo(401);

            HttpResponse<String> restore = Http.deleteWithBearer(adminPort, path, ADMIN_TOKEN);
            assertThat(restore.statusCode()).as(restore.body()).isEqualTo(202);

            // Two hours later (token lifetime 1h), with sweeps every second: the restore is still remembered.
            clock.advance(Duration.ofHours(2));
            await().during(Duration.ofMillis(2500)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    new JsonObject(Http.getWithBearer(adminPort, path, ADMIN_TOKEN).body()).containsKey("restoredAt"))
                    .isTrue());
            String bobNow = TestSidecars.tokenWithoutIat("bob", clock.epochSecond() + 600);
            assertThat(Http.verify(admin.apiPort(), bobNow).statusCode()).as("restored").isEqualTo(200);

            long read = admin.feed().recordsConsumed();
            topic.replay(captured);
            await().atMost(Duration.ofSeconds(10)).until(() -> admin.feed().recordsConsumed() > read);

            HttpResponse<String> verdict = Http.verify(admin.apiPort(), bobNow);
            HttpResponse<String> lookup = Http.getWithBearer(adminPort, path, ADMIN_TOKEN);
            assertThat(verdict.statusCode())
                    .as("a replayed old revoke must not undo the newer restore; look-up now: %s", lookup.body())
                    .isEqualTo(200);
        }
    }
}
