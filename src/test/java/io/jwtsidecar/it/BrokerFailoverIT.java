package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.dev.EmbeddedKafkaCluster;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker failover: three brokers, replication factor 3, min.insync.replicas 2. The leader of
 * a partition is stopped while the admin publishes: every revocation the admin API
 * acknowledged reaches every sidecar. Reports the longest gap between two acknowledgements.
 */
class BrokerFailoverIT {
    private static final int REVOCATIONS = "full".equals(System.getProperty("reliability.scale")) ? 500 : 60;

    @TempDir
    Path dir;

    @Test
    void every_acknowledged_revocation_survives_the_loss_of_a_partition_leader() throws Exception {
        MutableClock clock = MutableClock.atNow();
        try (EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.start(3, dir.resolve("kafka"))) {
            kafka.createRevocationTopic(TestSidecars.TOPIC, 1, Duration.ofDays(1).toMillis());
            kafka.createStatusTopic(TestSidecars.STATUS_TOPIC);
            try (Sidecar admin = TestSidecars.startReady("a", kafka.bootstrapServers(), dir.resolve("a"), true, clock);
                 Sidecar other = TestSidecars.startReady("b", kafka.bootstrapServers(), dir.resolve("b"), false, clock)) {
                List<String> acknowledged = new ArrayList<>();
                long longestGapMillis = 0;
                long lastAck = System.nanoTime();
                for (int i = 0; i < REVOCATIONS; i++) {
                    if (i == REVOCATIONS / 3) {
                        kafka.stopBroker(kafka.leaderOf(TestSidecars.TOPIC, 0));
                    }
                    HttpResponse<String> r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                            "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"user-" + i + "\"}");
                    if (r.statusCode() == 202) {
                        acknowledged.add("user-" + i);
                        long now = System.nanoTime();
                        longestGapMillis = Math.max(longestGapMillis, (now - lastAck) / 1_000_000);
                        lastAck = now;
                    }
                }

                assertThat(acknowledged).as("the admin API keeps acknowledging with two brokers of three")
                        .hasSizeGreaterThan(REVOCATIONS * 9 / 10);
                for (Sidecar s : new Sidecar[] {admin, other}) {
                    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                        for (String subject : acknowledged) {
                            assertThat(Http.verify(s.apiPort(), token(subject, clock.epochSecond() - 60)).body())
                                    .as(subject).contains("\"error\":\"revoked\"");
                        }
                    });
                }
                Files.writeString(dir.resolve("result.txt"), "acknowledged=" + acknowledged.size() + " of " + REVOCATIONS
                        + " longestGapMillis=" + longestGapMillis);
                System.out.println("BrokerFailoverIT: acknowledged " + acknowledged.size() + " of " + REVOCATIONS
                        + ", longest gap between acknowledgements " + longestGapMillis + " ms");
            }
        }
    }
}
