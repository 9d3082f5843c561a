package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.config.ConfigLoader;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.KafkaBroker;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Freshness against a real broker outage: inside maxStaleness the sidecars keep verifying;
 * past it fail-closed answers 503 and fail-open answers 200 with a warning header; when the
 * broker returns both catch up and answer normally. A quiet topic never looks stale.
 */
class FreshnessIT {
    private static final Duration MAX_STALENESS = Duration.ofSeconds(4);

    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(1);

    @TempDir
    Path dir;

    private Sidecar start(String id, String onStale, MutableClock clock) throws Exception {
        String yaml = TestSidecars.yaml(id, kafka.bootstrapServers(), dir.resolve(id), false)
                .replace("revocation:\n", "revocation:\n  maxStaleness: " + MAX_STALENESS.toSeconds() + "s\n  onStale: "
                        + onStale + "\n");
        Sidecar s = Sidecar.start(new ConfigLoader(Map.of()).parse(yaml, dir), clock);
        s.feedCaughtUp().get();
        return s;
    }

    @Test
    void a_quiet_topic_stays_fresh_and_an_outage_turns_stale_after_the_bound() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String alice = token("alice", clock.epochSecond() - 10);
        try (Sidecar closed = start("closed", "fail-closed", clock);
             Sidecar open = start("open", "fail-open", clock)) {
            // Quiet topic: nothing is published, yet twice the bound later both are fresh.
            Thread.sleep(2 * MAX_STALENESS.toMillis());
            assertThat(Http.verify(closed.apiPort(), alice).statusCode()).isEqualTo(200);
            assertThat(Http.get(closed.apiPort(), "/health/ready").body()).contains("\"revocationFeed\":\"fresh\"");

            kafka.cluster().stopBrokers();
            try {
                // Within the bound: still verifying.
                assertThat(Http.verify(closed.apiPort(), alice).statusCode()).isEqualTo(200);

                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    HttpResponse<String> r = Http.verify(closed.apiPort(), alice);
                    assertThat(r.statusCode()).isEqualTo(503);
                    assertThat(r.body()).contains("revocation_data_stale");
                });
                // Each sidecar's clock of staleness started at its own last confirmation: allow a moment.
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    HttpResponse<String> failOpen = Http.verify(open.apiPort(), alice);
                    assertThat(failOpen.statusCode()).isEqualTo(200);
                    assertThat(failOpen.headers().firstValue("X-Revocation-Stale")).hasValue("true");
                });
                assertThat(Http.get(closed.apiPort(), "/health/ready").statusCode()).isEqualTo(503);
                assertThat(Http.get(open.apiPort(), "/health/ready").statusCode())
                        .as("fail-open keeps serving, so it stays ready").isEqualTo(200);
                assertThat(Http.get(open.apiPort(), "/health/ready").body()).contains("\"revocationFeed\":\"stale\"");
            } finally {
                kafka.cluster().startBrokers();
            }

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(Http.verify(closed.apiPort(), alice).statusCode()).isEqualTo(200);
                HttpResponse<String> r = Http.verify(open.apiPort(), alice);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.headers().firstValue("X-Revocation-Stale")).isEmpty();
            });
        }
    }
}
