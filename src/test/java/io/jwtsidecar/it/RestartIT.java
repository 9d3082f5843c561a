package io.jwtsidecar.it;

import static io.jwtsidecar.testing.TestSidecars.ADMIN_TOKEN;
import static io.jwtsidecar.testing.TestSidecars.ISSUER;
import static io.jwtsidecar.testing.TestSidecars.token;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.jwtsidecar.app.Sidecar;
import io.jwtsidecar.testing.Http;
import io.jwtsidecar.testing.MutableClock;
import io.jwtsidecar.testing.TestSidecars;
import java.nio.file.Path;
import java.time.Duration;
import io.jwtsidecar.testing.KafkaBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sidecar that was down while a revocation was published enforces it after restart, and
 * resumes from the offsets in its RocksDB store instead of re-reading the topic.
 */
class RestartIT {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final KafkaBroker kafka = KafkaBroker.withRevocationTopic(3);

    private static void revoke(Sidecar admin, String subject) {
        var r = Http.postJson(admin.adminPort().orElseThrow(), "/v1/revocations", ADMIN_TOKEN,
                "{\"scope\":\"sub\",\"issuer\":\"" + ISSUER + "\",\"value\":\"" + subject + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    }

    @Test
    void a_restarted_sidecar_enforces_what_it_missed_without_re_reading_what_it_had() throws Exception {
        MutableClock clock = MutableClock.atNow();
        String bobToken = token("bob", clock.epochSecond() - 60);
        String carolToken = token("carol", clock.epochSecond() - 60);
        String aliceToken = token("alice", clock.epochSecond() - 60);
        Path storeOfB = dir.resolve("b");

        try (Sidecar admin = TestSidecars.startReady("admin", kafka.bootstrapServers(), dir.resolve("admin"), true, clock)) {
            try (Sidecar b = TestSidecars.startReady("b", kafka.bootstrapServers(), storeOfB, false, clock)) {
                revoke(admin, "bob");
                revoke(admin, "carol");
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    assertThat(Http.verify(b.apiPort(), bobToken).statusCode()).isEqualTo(401);
                    assertThat(Http.verify(b.apiPort(), carolToken).statusCode()).isEqualTo(401);
                });
                assertThat(b.feed().recordsConsumed()).isEqualTo(2);
            }

            revoke(admin, "alice");

            try (Sidecar restarted = TestSidecars.startReady("b", kafka.bootstrapServers(), storeOfB, false, clock)) {
                assertThat(Http.verify(restarted.apiPort(), aliceToken).body()).contains("\"error\":\"revoked\"");
                assertThat(Http.verify(restarted.apiPort(), bobToken).body())
                        .as("rules applied before the restart come from RocksDB").contains("\"error\":\"revoked\"");
                assertThat(restarted.feed().recordsConsumed())
                        .as("only the event published while it was down was read").isEqualTo(1);
            }
        }
    }
}
